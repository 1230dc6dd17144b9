"""The daily report: select the day's stories from MongoDB (select.py), render them (render.py)."""
