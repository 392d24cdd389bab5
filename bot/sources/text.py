"""HTML fragments (feed summaries, content:encoded) to plain text.

Feed HTML is untrusted and often broken; lxml's HTML parser recovers from anything and
never fetches or executes. Block elements become line breaks so paragraphs survive (the
summariser finds quotes and sign-offs by paragraph); scripts, styles and embeds vanish.
"""

from __future__ import annotations

import html
import re

from lxml import etree
from lxml import html as lxml_html

_DROP = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "math", "head")
_BLOCKS = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
        "table", "section", "article", "header", "footer", "figure", "figcaption", "hr", "dd", "dt", "dl",
    }
)  # fmt: skip
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n\s*\n+")
_TAGGY = re.compile(r"<[a-zA-Z!/?]")
#: huge_tree lifts libxml2's 256-level depth limit, past which hostile nesting silently
#: loses text; input size is already capped by the caller. no_network: never fetch a DTD.
_PARSER = lxml_html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True, no_network=True)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise_space(text: str) -> str:
    """Collapse runs of spaces, keep paragraph breaks, drop control characters."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, paragraphs separated by blank lines.

    Text without any tag is only unescaped (``&amp;`` in plain summaries), so plain feeds
    are not run through a parser that would eat a literal ``<`` in "a < b".
    """
    if not fragment or not fragment.strip():
        return ""
    if not _TAGGY.search(fragment):
        return normalise_space(html.unescape(fragment))
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div", parser=_PARSER)
    except (etree.ParserError, ValueError):
        return _strip_tags(fragment)
    for bad in list(root.iter(*_DROP)):
        if bad.getparent() is not None:
            bad.drop_tree()
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    text = normalise_space("".join(_texts(root)))
    return text or _strip_tags(fragment)


def _strip_tags(fragment: str) -> str:
    """Last resort when the parser kept nothing (e.g. nesting past libxml2's depth limit)."""
    without_code = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", fragment)
    return normalise_space(html.unescape(re.sub(r"<[^>]*>", " ", without_code)))


def _texts(root: etree._Element) -> list[str]:
    """Text and tails in document order, with breaks around block elements.

    Iterative (``iterwalk``), not recursive: hostile HTML may nest thousands deep.
    """
    parts: list[str] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        short = tag in ("br", "li", "tr", "dd", "dt")
        if event == "start":
            if tag in _BLOCKS:
                parts.append("\n" if short else "\n\n")
            if element.text:
                parts.append(element.text)
            continue
        if tag in _BLOCKS and tag != "br":
            parts.append("\n" if short else "\n\n")
        if element is not root and element.tail:
            parts.append(element.tail)
    return parts
