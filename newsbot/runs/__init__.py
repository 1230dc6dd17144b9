"""Runs of the crawler: the stat keys a run counts, and the sources' health read from the stored runs."""
