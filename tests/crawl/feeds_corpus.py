"""A corpus of odd and hostile feeds, built from the RSS 2.0 and Atom specs (and XML 1.0's encoding
rules): every way a feed can be encoded, and every kind of link and value a hostile feed can carry.

`encoding_feeds()` gives {name: (body, content_type, title)}: one item each, whose title must be
stored exactly. `hostile_feed(...)` gives one RSS feed whose entries, in order, mix good articles with
script links, internal addresses, an off-site link, a redirect inside, a huge title and false dates."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

RSS = """<?xml version="1.0"{decl}?>
<rss version="2.0"><channel><title>{channel}</title><link>https://www.theverge.com/</link>
<description>{description}</description>
{items}
</channel></rss>"""
ITEM = """<item><title>{title}</title><link>{link}</link><guid>{link}</guid>
<pubDate>{date}</pubDate><description>{desc}</description></item>"""
ATOM = """<?xml version="1.0" encoding="{enc}"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{channel}</title><id>urn:corpus:{name}</id>
<updated>{iso}</updated><entry><title>{title}</title><link href="{link}"/><id>{link}</id>
<updated>{iso}</updated><summary>{desc}</summary></entry></feed>"""


def recent(hours: float = 1.0) -> datetime:
    return (datetime.now(UTC) - timedelta(hours=hours)).replace(microsecond=0)


def rss_date(when: datetime) -> str:
    return format_datetime(when)


def item(title: str, link: str, desc: str = "", date: str | None = None) -> str:
    date = rss_date(recent()) if date is None else date
    return ITEM.format(title=escape(title), link=escape(link), date=date, desc=escape(desc or title))


def rss(items: list[str], decl: str = "", channel: str = "corpus", description: str = "") -> str:
    return RSS.format(decl=decl, channel=escape(channel), description=escape(description), items="\n".join(items))


# Text long enough for a detector to judge, in the language each legacy encoding is made for.
LEGACY = {
    "big5": (
        "人工智慧新規發布：國內首部條例",
        "國內首部人工智慧條例正式實施，企業需要遵守新的規定，監管機構將定期檢查。",
    ),
    "euc_kr": (
        "영어 TypeKey 한글 지원",
        "인공지능 규제 법안이 국회를 통과했습니다. 기업들은 새로운 규정을 따라야 합니다.",
    ),
    "shift_jis": (
        "人工知能の新しい規制",
        "日本政府は人工知能に関する新しいガイドラインを発表しました。企業は対応を迫られています。",
    ),
    "koi8_r": (
        "Новый закон об искусственном интеллекте",
        "Правительство приняло новый закон о регулировании нейросетей.",
    ),
}
WIDE_TITLE = "UTF wide: 人工智能 “quotes” café – 東京 🚀"


def encoding_feeds(link_base: str) -> dict[str, tuple[bytes, str, str]]:
    """name -> (body, Content-Type, the title that must be stored)."""
    cases: dict[str, tuple[bytes, str, str]] = {}
    for name, codec, bom in (
        ("utf16le-bom", "utf-16-le", codecs.BOM_UTF16_LE),
        ("utf16be-bom", "utf-16-be", codecs.BOM_UTF16_BE),
        ("utf16le", "utf-16-le", b""),
        ("utf16be", "utf-16-be", b""),
        ("utf32le-bom", "utf-32-le", codecs.BOM_UTF32_LE),
        ("utf32be", "utf-32-be", b""),
    ):
        title = f"{WIDE_TITLE} ({name})"
        label = "UTF-16" if "16" in codec else "UTF-32"
        text = rss([item(title, f"{link_base}/{name}", "wide text")], decl=f' encoding="{label}"')
        cases[name] = (bom + text.encode(codec), "application/rss+xml", title)
    for codec, (title, desc) in LEGACY.items():
        # Nothing declared anywhere: no XML encoding, no HTTP charset.
        body = rss([item(title, f"{link_base}/{codec}", desc)], channel=title, description=desc).encode(codec)
        cases[f"undeclared-{codec}"] = (body, "application/xml", title)
    # The HTTP charset is wrong (a server default); the document's own declaration is right.
    title = "Wrong HTTP charset: “curly” café – 東京"
    body = rss([item(title, f"{link_base}/wrong-http", "naïve résumé")], decl=' encoding="utf-8"').encode("utf-8")
    cases["wrong-http-charset"] = (body, "text/xml; charset=iso-8859-1", title)
    # The XML declaration is wrong: it says UTF-8, the bytes are Big5.
    title, desc = (
        "宣告錯誤的編碼：人工智慧晶片出口管制",
        "美國商務部宣布新的人工智慧晶片出口管制措施，台灣廠商表示將密切關注。",
    )
    body = rss([item(title, f"{link_base}/wrong-xml", desc)], decl=' encoding="utf-8"', channel=title).encode("big5")
    cases["wrong-xml-declaration"] = (body, "application/xml", title)
    # Atom in UTF-16 with a BOM, for the other format.
    title = f"{WIDE_TITLE} (atom)"
    atom = ATOM.format(
        enc="UTF-16",
        channel="atom",
        name="atom",
        iso=recent().isoformat(),
        title=escape(title),
        link=f"{link_base}/atom",
        desc="atom text",
    )
    cases["atom-utf16-bom"] = (codecs.BOM_UTF16_LE + atom.encode("utf-16-le"), "application/atom+xml", title)
    return cases


HUGE_TITLE = "超长标题" + "长" * 10_000
ARTICLE = "<html><body><article><p>{text}</p></article></body></html>"
ARTICLE_TEXT = "量子位报道：国产大模型发布新版本，推理成本下降一半，多项评测取得领先。" * 3


def hostile_feed(site: str, internal: str, offsite: str) -> tuple[str, dict[str, str]]:
    """(feed XML, {title: what happens to it}). `site` is the source's own origin, `internal` an
    internal origin (a port on 127.0.0.1 nobody allowed) and `offsite` a public site that is not the source's."""
    entries = [
        ("正常文章一", f"{site}/p/1.html", None, "stored:article"),
        (HUGE_TITLE, f"{site}/p/huge.html", None, "stored:article"),
        ("未来日期", f"{site}/p/future.html", "Tue, 01 Jan 2099 10:00:00 +0000", "stored:article"),
        ("远古日期", f"{site}/p/ancient.html", "Thu, 01 Jan 1970 00:00:00 +0000", "stored:article"),
        ("站外链接", f"{offsite}/story.html", None, "stored:feed"),
        ("云元数据地址", "http://169.254.169.254/latest/meta-data/", None, "dropped:private_link"),
        ("本机数据库", f"{internal}/", None, "dropped:private_link"),
        ("跳转到本机", f"{site}/p/redirect.html", None, "stored:feed"),
        # Scripted links last but one: each case above is judged on its own, even by code that
        # would lose every entry after a bad link.
        ("脚本链接", "javascript:alert(document.cookie)", None, "dropped:bad_link"),
        ("数据链接", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", None, "dropped:bad_link"),
        ("文件链接", "file:///etc/passwd", None, "dropped:bad_link"),
        ("正常文章二", f"{site}/p/2.html", None, "stored:article"),
    ]
    items = [item(title, link, f"{title}的摘要", date) for title, link, date, _ in entries]
    return rss(items, decl=' encoding="utf-8"', channel="量子位"), {t: fate for t, _, _, fate in entries}


ARTICLE_PATHS = ("/p/1.html", "/p/2.html", "/p/huge.html", "/p/future.html", "/p/ancient.html")
