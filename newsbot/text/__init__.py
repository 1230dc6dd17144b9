"""The text toolkit: pure functions on plain text, no I/O and no model, each in one home.

html       HTML to plain text, invisible characters, whitespace (html_to_text, tidy_text, one_line)
lang       how Chinese a text is (cjk_ratio, is_chinese, detect_lang)
dates      the "2月4日消息，" prefix we write and the one a model or wire writes (date_prefix, strip_date_prefix)
amounts    money and scaled amounts with one scale table, percentages (find_amounts, find_money, find_percents)
sentences  sentence splitting and the token budget (split_sentences, is_one_sentence, cut_to_budget)
links      whether a text carries a URL (has_url)
injection  instructions planted in article text for a model (find_injection, without_injection)
"""

from newsbot.text.html import html_to_text, one_line, strip_invisible, tidy_text

__all__ = ["html_to_text", "one_line", "strip_invisible", "tidy_text"]
