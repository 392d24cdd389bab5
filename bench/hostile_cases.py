"""The hostile corpus of ``bench/hostile_corpus.py``, made in code (our own texts, seeded), and
the rules that say what a platform would still act on in a rendered message.

Each case carries the good content it must not lose: a feed's good items by title, each with a
marker word in its body; a page's marker word in its quote paragraph; a quote's own text.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from dataclasses import dataclass, field

# --------------------------------------------------------------------------- our own words

PLACES = ["Vardo", "Ilsemark", "Port Orrin", "Kestle", "Amberfjord", "Tollan", "Brisk Harbour", "Quelm"]
DOINGS = [
    ("the ferry line", "resumed crossings after a week of gales"),
    ("the bakers' guild", "agreed a price for rye flour"),
    ("lighthouse keepers", "repaired the northern lamp"),
    ("the water board", "lifted a ban on garden hoses"),
    ("tram drivers", "voted to end their overtime ban"),
    ("the museum", "returned a carved prow to the island"),
    ("beekeepers", "reported the best honey yield in years"),
    ("the rowing club", "opened a boathouse built by volunteers"),
]
PEOPLE = ["Ana Costa", "Bram Ostrander", "Carys Vell", "Dov Maarten", "Elin Sarkis", "Femi Oduya"]
#: Source text that must stay text: Markdown, mrkdwn, mentions, disguised links, fences.
INJECTIONS = [
    "[official report](http://evil.example/a)", "[annex](<http://evil.example/b>)",
    "[x](http://evil.example/c 'title')", "[![i](http://evil.example/i.png)](http://evil.example/)",
    "[nested [b]](http://evil.example/n)", "```py\nimport os```", "`code`", "**bold**", "__under__",
    "~~strike~~", "||spoiler||", "*it*", "_it_", "~gone~", "# Heading", "-# subtext", "> quoted",
    ">>> all quoted", "- item", "1. first", "@everyone", "@here", "@channel", "<@123456>", "<@!654321>",
    "<@&777>", "<#888>", "<t:1700000000:R>", "</digest:42>", "<:emoji:55>", "<!channel>", "<!here|here>",
    "<!everyone>", "<@U0HOSTILE>", "<!subteam^S1|@team>", "<https://evil.example/login|the report>",
    "<mailto:boss@evil.example|mail>", "<!date^1700000000^{date}|yesterday>", "https://evil.example/a_b*c",
    "＊wide＊", "＿wide＿", "［full］（http://evil.example/f）", "\\*already\\*", "a*b*c", "not_in_channel",
    "&amp; &lt;!channel&gt;", "\u200b[zw](http://evil.example/z)", "@\u200beveryone",
]  # fmt: skip


def words(rng: random.Random, n: int) -> str:
    return " ".join(
        rng.choice(["calm", "north", "quay", "brisk", "amber", "ledger", "signal", "orchard"]) for _ in range(n)
    )


def dispatch(rng: random.Random, marker: str, hostile: str = "") -> tuple[str, str]:
    """A title and a short story with a quote holding ``marker`` (and ``hostile`` beside it)."""
    place, (who, did), person = rng.choice(PLACES), rng.choice(DOINGS), rng.choice(PEOPLE)
    title = f"{place}: {who} {did.split(' ', 1)[0]} {marker}"
    quote = f"We kept the {marker} promise {hostile}".strip()
    body = f'In {place}, {who} {did} on Monday. "{quote}," said {person}, a spokesperson. {words(rng, 6)}.'
    return title, body


# --------------------------------------------------------------------------- feeds


@dataclass
class FeedCase:
    name: str
    body: bytes
    headers: dict[str, str]
    good: dict[str, str] = field(default_factory=dict)  # title -> marker in its body


FEED_TYPES = [
    "application/rss+xml", "application/atom+xml", "text/xml", "application/xml", "text/rss+xml",
    "application/x-rss+xml", "text/atom+xml", "text/html", "application/octet-stream", "text/plain",
]  # fmt: skip
#: Items a database or parser could choke on: (title, body) in the feed's markup.
BAD_XML = [
    ("Bad &#xD800; ref", "x &#xDFFF; y"), ("Nul&#0; ref &#x110000;", "&#1;&#xFFFE;"),
    ("Dec &#55296; ref", "body"), ("Ent &hellip; &nbsp; undefined", "&bogus; body"),
    ("RAW\xff stray", "byte \xff"), ("RAW\xed\xa0\x80 surrogate", "bytes"), ("RAW\xc0\xaf overlong", "x"),
    ("Long " + "w" * 60_000, "b" * 200_000), ("", ""),
    ("Deep", "<![CDATA[" + "<div>" * 3000 + "deep" + "</div>" * 3000 + "]]>"),
    ("Script", "<![CDATA[<script>@everyone</script><style>p{}</style><p>visible</p>]]>"),
]  # fmt: skip


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def feed_case(rng: random.Random, n: int) -> FeedCase:
    """A feed with two or three good items among one to three bad ones, served hostile-ly."""
    fmt = rng.choice(["rss", "rss", "atom", "rdf", "json"])
    good: dict[str, str] = {}
    items: list[tuple[str, str, str, str]] = []  # (id, title, body xml-or-text, kind)
    for k in range(rng.randint(2, 3)):
        marker = f"mark{n}x{k}"
        hostile = rng.choice(INJECTIONS) if rng.random() < 0.6 else ""
        if fmt == "rss" and "<" in hostile:  # RSS titles/bodies are HTML: the escaped form is the text
            hostile = rng.choice([h for h in INJECTIONS if "<" not in h])
        title, body = dispatch(rng, marker, hostile)
        if rng.random() < 0.3 and fmt != "json":  # the quote after an unclosed embedded element
            opener = rng.choice(["embed src=v.swf", "object data=v.mp4", "svg", "math"])
            body = f"<p>Intro.</p><{opener}><p>{_xml_escape(body)}</p>"
            items.append((f"g{k}", title, body, "html"))
        else:
            items.append((f"g{k}", title, body, "text"))
        good[title] = marker
    for k in range(rng.randint(1, 3)):
        title, body = rng.choice(BAD_XML)
        items.insert(rng.randrange(len(items) + 1), (f"b{k}", title, body, "raw"))
    if fmt == "json":
        return _json_case(rng, n, items, good)
    body = _xml_feed(fmt, items).encode("utf-8", "surrogateescape")
    body = body.replace(b"RAW\xc3\xbf", b"\xff")  # the raw byte cases: bytes no decoder accepts
    for raw in (b"\xed\xa0\x80", b"\xc0\xaf"):
        body = body.replace(b"RAW" + raw.decode("latin-1").encode("utf-8"), raw)
    headers = {"Content-Type": rng.choice(FEED_TYPES)}
    if rng.random() < 0.2 and b"\xff" not in body and b"\xed" not in body and b"\xc0" not in body:
        body = body.replace(b'encoding="utf-8"', b'encoding="utf-16"').decode("utf-8").encode("utf-16")
    if rng.random() < 0.2:
        body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
    return FeedCase(f"{fmt} {headers['Content-Type']}", body, headers, good)


def _xml_feed(fmt: str, items: list[tuple[str, str, str, str]]) -> str:
    def text(value: str, kind: str) -> str:
        return value if kind == "raw" else _xml_escape(value)

    def body(value: str, kind: str) -> str:  # HTML in a feed is escaped like text
        return text(value, "text" if kind == "html" else kind)

    head = '<?xml version="1.0" encoding="utf-8"?>'
    if fmt == "atom":
        entries = "".join(
            f'<entry><id>urn:{i}</id><title type="text">{text(t, k)}</title>'
            f'<content type="{"html" if k == "html" else "text"}">{body(b, k)}</content></entry>'
            for i, t, b, k in items
        )
        return f'{head}<feed xmlns="http://www.w3.org/2005/Atom"><title>Hostile</title>{entries}</feed>'
    if fmt == "rdf":
        entries = "".join(
            f'<item rdf:about="https://news.example/{i}"><title>{text(t, k)}</title>'
            f"<link>https://news.example/{i}</link><description>{body(b, k)}</description></item>"
            for i, t, b, k in items
        )
        return (
            f'{head}<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
            f"<channel><title>Hostile</title></channel>{entries}</rdf:RDF>"
        )
    entries = "".join(
        f"<item><guid>{i}</guid><title>{text(t, k)}</title><description>{body(b, k)}</description></item>"
        for i, t, b, k in items
    )
    return f'{head}<rss version="2.0"><channel><title>Hostile</title>{entries}</channel></rss>'


_JSON_BAD: list[object] = [
    {"id": "b\ud800", "title": "Json \udc00 title", "content_text": "t \ud800 \x00"},
    {"id": {"an": "object"}, "title": 5, "content_html": "<svg><p>x"},
    "not an item",
    None,
    [1, 2],
    {"id": "deep", "extra": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]},
    {"id": "js", "url": "javascript:alert(1)", "title": "Js link", "content_text": "x"},
    {"id": "nul\x00", "title": "\x00", "content_text": "\x00"},
]


def _json_case(rng: random.Random, n: int, items: list[tuple[str, str, str, str]], good: dict[str, str]) -> FeedCase:
    out: list[object] = []
    for ident, title, body, kind in items:
        if kind == "raw":
            out.append(rng.choice(_JSON_BAD))
        else:
            key = "content_html" if kind == "html" else "content_text"
            out.append({"id": ident, "title": title, key: body})
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "Hostile \ud800", "items": out}
    ctype = rng.choice(["application/feed+json", "application/json", "text/plain", "application/octet-stream"])
    return FeedCase(f"json {ctype}", json.dumps(doc).encode(), {"Content-Type": ctype}, good)


# --------------------------------------------------------------------------- pages


@dataclass
class PageCase:
    name: str
    body: bytes
    headers: dict[str, str]
    marker: str


_ZH = "港口工人周一在码头集会，要求提高工资并改善夜班的安全条件。工会代表说，谈判将在本周继续进行。"


def page_case(rng: random.Random, n: int) -> PageCase:
    """An article whose quote paragraph carries ``marker``, among hostile markup."""
    marker = f"page{n}mark"
    title, story = dispatch(rng, marker, rng.choice(INJECTIONS) if rng.random() < 0.5 else "")
    paras = [_xml_escape(story)] + [
        _xml_escape(f"{words(rng, 12)} {rng.choice(INJECTIONS)} {words(rng, 10)}.") for _ in range(3)
    ]
    tricks = rng.sample(
        ["embed", "script", "stray", "cjk", "deep", "site", "comment", "xhtml", "latin1"], k=rng.randint(1, 3)
    )
    name = "+".join(tricks)
    if "cjk" in tricks:
        paras = [f"{_ZH}「我们守住了{marker}的承诺。」{_ZH}" for _ in range(3)]
    if "embed" in tricks:
        paras.insert(
            0, rng.choice(['<embed src="v.swf">', '<object data="v.mp4">', "<svg><circle r='1'/>", "<math><mi>x</mi>"])
        )
    if "script" in tricks:
        paras.insert(
            1, "<script>document.write('@everyone [x](http://evil.example)')</script><noscript>@here</noscript>"
        )
    if "comment" in tricks:
        paras.insert(1, "<!-- " + "-" * 5000 + " @everyone -->")
    html = "".join(p if p.startswith("<") else f"<p>{p}</p>" for p in paras)
    if "deep" in tricks:
        html = "<div>" * 200 + html + "</div>" * 200
    head = f"<title>{_xml_escape(title)} | Daily Quay</title>"
    if "site" in tricks:
        head += '<meta property="og:site_name" content="Daily Quay">'
    charset = "iso-8859-1" if "latin1" in tricks and "cjk" not in tricks else "utf-8"
    doc = (
        f'<!doctype html><html><head><meta charset="{charset}">{head}</head>'
        f"<body><article><h1>{_xml_escape(title)}</h1>{html}</article></body></html>"
    )
    body = doc.encode(charset, "xmlcharrefreplace")
    if "stray" in tricks:
        cut = body.rfind(b"<p>") + 3  # one byte no charset decodes, in the last paragraph
        body = body[:cut] + b"\xff" + body[cut:]
    ctype = (
        "application/xhtml+xml" if "xhtml" in tricks else rng.choice(["text/html", f"text/html; charset={charset}", ""])
    )
    headers = {"Content-Type": ctype} if ctype else {}
    return PageCase(name, body, headers, marker)


# --------------------------------------------------------------------------- markup


def markup_text(rng: random.Random) -> str:
    """A quote of words and injections; whitespace-joined as the renderers show a quote."""
    parts = [rng.choice(INJECTIONS) if rng.random() < 0.6 else words(rng, 2) for _ in range(rng.randint(2, 8))]
    return " ".join(" ".join(parts).split())


# --------------------------------------------------------------------------- what a platform acts on

_D_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")
_D_LINK = re.compile(r"\]\s*\(|[a-z][a-z0-9+.-]*://|<[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_D_PING = re.compile(r"@(everyone|here)|<@[!&]?\d+>", re.IGNORECASE)
#: A URL, a channel link, or a date token (``<!date^ts^format^link|text>`` can carry a link).
_S_LINK = re.compile(r"<(?:[a-z][a-z0-9+.-]*:|#C|!date\^)[^>]*>", re.IGNORECASE)
_S_PING = re.compile(
    r"<!(channel|here|everyone|subteam\^)[^>]*>|<@[UW][A-Z0-9]*>|(?<!\w)@(channel|here|everyone)\b", re.I
)
_S_FORMAT = re.compile(r"[`｀]|(?<![^\W_])[*_~＊＿]|[*_~＊＿](?![^\W_])")


def discord_live(text: str) -> tuple[int, int, int]:
    """(links, pings, markup) Discord would still act on in an embed text, escapes honoured."""
    bare = _D_ESCAPED.sub("E", text)
    markup = len(re.findall(r"[*_~|`]|^\s*(#|>|-|\+|\d+\.)", bare, re.MULTILINE))
    return len(_D_LINK.findall(bare)), len(_D_PING.findall(bare)), markup


def discord_reads(text: str) -> str:
    return _D_ESCAPED.sub(lambda m: m.group(0)[1], text).replace("\u200b", "")


def slack_live(text: str) -> tuple[int, int, int]:
    """(links, pings, markup) Slack's mrkdwn would act on in a source-text fragment."""
    markup = len(_S_FORMAT.findall(text)) + len(re.findall(r"(?m)^\s*(&gt;|＞)", text))
    return len(_S_LINK.findall(text)), len(_S_PING.findall(text)), markup


_BACK = {"\u2217": "*", "\ufe61": "＊", "\u02cd": "_", "\u2e0f": "＿", "\u223c": "~", "\u02cb": "`"}


def slack_reads(text: str) -> str:
    for lookalike, original in _BACK.items():
        text = text.replace(lookalike, original)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.replace("\u2060", "").replace("\u00ad", "")
