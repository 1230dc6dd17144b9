"""Money and scaled amounts in Chinese and English text, with one scale table and one currency table.

    find_amounts("英伟达将投资200亿美元，用户超300万")  # 2e10 (USD) and 3e6 (no currency)
    find_money("raised US$100M and €5bn")           # each in US dollars
    find_percents("增长超300%")                      # [300.0]
    find_money("完成数亿元融资", approximate=True)    # "数亿元": about 2e8 yuan, in US dollars

An approximate amount ("数亿元", "近亿元") says how big, not how much: importance may use it, but it
is never a fact two reports could share.

An amount is a number with a scale ("300万", "$20 billion") or a currency ("8亿元", "500 dollars");
a bare number (a date, a count, a model version) is none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsbot.text.fold import fold

# "1,250.5" or "300" or "1.25". Written with the first digit outside the alternation (the same
# matches as \d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?): then re skips ahead to the next digit instead of
# trying the pattern at every character.
NUMBER = r"\d(?:\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d*(?:\.\d+)?)"

# The one scale table. Chinese scales are written without a space; English ones are words or suffixes.
ZH_SCALE = {
    "万亿": 1e12,
    "千亿": 1e11,
    "百亿": 1e10,
    "十亿": 1e9,
    "亿": 1e8,
    "千万": 1e7,
    "百万": 1e6,
    "十万": 1e5,
    "万": 1e4,
}
EN_SCALE = {
    "trillion": 1e12,
    "tn": 1e12,
    "t": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "million": 1e6,
    "mln": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "thousand": 1e3,
    "k": 1e3,
}
# English scale words that make an amount of a bare number ("300 million users"); single letters
# ("5m", "3k") count only after a currency sign, where they cannot be a unit of length or a model size.
_EN_SCALE_WORDS = ("trillion", "billion", "million", "tn", "bn", "mln", "mn")

# How each currency is written, as an ISO code, and roughly what one unit is worth in US dollars:
# the analyzer only compares orders of magnitude, so fixed rates are enough.
USD_RATE = {"USD": 1.0, "CNY": 0.14, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0067, "HKD": 0.128, "KRW": 0.00072}
ZH_CURRENCY = {
    "美元": "USD",
    "美金": "USD",
    "元人民币": "CNY",
    "人民币": "CNY",
    "元": "CNY",
    "欧元": "EUR",
    "英镑": "GBP",
    "日元": "JPY",
    "港元": "HKD",
    "港币": "HKD",
    "韩元": "KRW",
}
EN_SIGN = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "€": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "¥": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "hk$": "HKD",
    "hkd": "HKD",
}
EN_CURRENCY_WORD = {
    "dollars": "USD",
    "usd": "USD",
    "euros": "EUR",
    "pounds": "GBP",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "yen": "JPY",
}


def _alternation(words) -> str:
    # Longest first, so "万亿" wins over "万" and "元人民币" over "元".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ZH_RE = re.compile(rf"({NUMBER})\s*({_alternation(ZH_SCALE)})?\s*({_alternation(ZH_CURRENCY)})?")
_EN_SIGNED_RE = re.compile(
    rf"(US\$|HK\$|\$|€|£|¥|\b(?:USD|EUR|GBP|RMB|CNY|HKD)\s?)\s?({NUMBER})\s*({_alternation(EN_SCALE)})?\b",
    re.IGNORECASE,
)
_EN_WORDED_RE = re.compile(
    rf"({NUMBER})\s*(?:({_alternation(_EN_SCALE_WORDS)})\b\s*({_alternation(EN_CURRENCY_WORD)})?"
    rf"|({_alternation(EN_CURRENCY_WORD)}))\b",
    re.IGNORECASE,
)
_PERCENT_RE = re.compile(rf"({NUMBER})\s*(?:%|％|percent\b|per cent\b)", re.IGNORECASE)


_SIGNS = ("$", "€", "£", "¥")
_SIGN_CODES = ("usd", "eur", "gbp", "rmb", "cny", "hkd")
_DIGIT_AFTER_CODE_RE = re.compile(r"\s?\s?\d")


def _may_be_signed(text: str) -> bool:
    """Whether _EN_SIGNED_RE can match at all (it is slow to say no: case-insensitive, no prefix): a
    sign, or a code with a digit after it ("EUR 5", not "Europe") in the folded text (newsbot.text.fold)."""
    if any(sign in text for sign in _SIGNS):
        return True
    folded = fold(text)
    for code in _SIGN_CODES:
        at = folded.find(code)
        while at != -1:
            if _DIGIT_AFTER_CODE_RE.match(folded, at + len(code)):
                return True
            at = folded.find(code, at + 1)
    return False


@dataclass(frozen=True)
class Amount:
    text: str  # as written: "8亿元人民币", "$20 billion"
    value: float  # in units of its currency (or plain, without one)
    currency: str | None  # ISO code; None for a scaled count ("300万用户")

    @property
    def usd(self) -> float | None:
        return self.value * USD_RATE[self.currency] if self.currency else None


@dataclass(frozen=True)
class Money:
    text: str
    usd: float


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def find_amounts(text: str | None) -> list[Amount]:
    """Every amount in the text, Chinese forms first, then signed English ones ("$5bn"), then worded
    ones ("800 million yuan", "300 million"). One amount written two ways may appear twice."""
    found: list[Amount] = []
    for m in _ZH_RE.finditer(text or ""):
        number, scale, currency = m.groups()
        if scale or currency:
            value = _number(number) * ZH_SCALE.get(scale or "", 1.0)
            found.append(Amount(m.group(0).strip(), value, ZH_CURRENCY.get(currency or "")))
    for m in _EN_SIGNED_RE.finditer(text or "") if _may_be_signed(text or "") else ():
        sign, number, scale = m.groups()
        value = _number(number) * EN_SCALE.get((scale or "").lower(), 1.0)
        # fold(), not lower(): the regex is case-insensitive, and "uſd" (long s) is USD to it.
        found.append(Amount(m.group(0).strip(), value, EN_SIGN[fold(sign.strip())]))
    for m in _EN_WORDED_RE.finditer(text or ""):
        number, scale, currency, bare_currency = m.groups()
        value = _number(number) * EN_SCALE.get((scale or "").lower(), 1.0)
        word = (currency or bare_currency or "").lower()
        found.append(Amount(m.group(0).strip(), value, EN_CURRENCY_WORD.get(word)))
    return found


# "数亿元" (a few hundred million), "数十亿美元", "近亿元", "超千万元": a size without a number.
_VAGUE_ZH_RE = re.compile(rf"(数|几|近|上|过|逾|超)(十|百|千)?(万亿|亿|万)({_alternation(ZH_CURRENCY)})")
_VAGUE_COUNT = {"数": 2.0, "几": 2.0}
_VAGUE_TENS = {"十": 10.0, "百": 100.0, "千": 1000.0}


def find_money(text: str | None, *, approximate: bool = False) -> list[Money]:
    """Money amounts ("8亿元", "2500万元", "1.25万亿美元", "$20 billion", "€5bn") in US dollars; with
    `approximate`, also sizes without a number ("数亿元" as 2亿元)."""
    found = [Money(a.text, a.usd) for a in find_amounts(text) if a.usd is not None]
    if approximate:
        for m in _VAGUE_ZH_RE.finditer(text or ""):
            count, tens, scale, currency = m.groups()
            value = _VAGUE_COUNT.get(count, 1.0) * _VAGUE_TENS.get(tens or "", 1.0) * ZH_SCALE[scale]
            found.append(Money(m.group(0), value * USD_RATE[ZH_CURRENCY[currency]]))
    return found


def find_percents(text: str | None) -> list[float]:
    return [_number(n) for n in _PERCENT_RE.findall(text or "")]
