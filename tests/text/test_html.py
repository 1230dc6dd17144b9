"""HTML to plain text: the toolkit's one way to turn markup into what the analyzers read."""

from __future__ import annotations

import re
import unicodedata

from newsbot.text import html_to_text
from newsbot.text.html import one_line, strip_invisible, tidy_text


def test_block_elements_become_lines_and_captions_go():
    html = "<div><h2>标题</h2><figure><img src=x><figcaption>图片来源：网络</figcaption></figure><p>正文</p></div>"
    assert html_to_text(html) == "标题\n正文"


def test_one_line_folds_every_break_and_space():
    assert one_line("<p>Nvidia\u00a0nears</p>\n<p>a   deal</p>") == "Nvidia nears a deal"
    assert one_line(None) == ""


def test_invisible_and_control_characters_are_removed_but_lines_stay():
    assert strip_invisible("Open\u200bAI\u202e\x07 rises\n\tnext") == "OpenAI rises\n\tnext"
    assert tidy_text("  a \u3000 b \n\n\n c ") == "a b\nc"


def test_invisible_characters_are_every_control_but_newline_and_tab():
    """One regex removes what the per-character check (Unicode category Cc) and the invisible set did."""
    invisible = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    by_category = "".join(ch for ch in invisible.sub("", every) if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    assert strip_invisible(every) == by_category
