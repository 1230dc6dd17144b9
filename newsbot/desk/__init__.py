"""The editorial desk (`scrapy desk`): a local web page where an editor reviews a day's draft.

    view.py      what the page shows: the selected entries, the ones that missed the cut, the not-AI ones
    guard.py     who may ask: the bound Host only, the token off loopback, CSRF on every form, the CSP
    app.py       the Starlette application: the page and its actions (edits, approval, WeChat export)
    wechat.py    the day as HTML the WeChat official-account editor keeps

The edits themselves are data (storage/edits.py), applied by every render (report/edited.py).
"""
