"""The one text rule for everything a source sends: text typed as text stays text, HTML typed
as HTML is reduced to its text, and neither may carry a code point the store cannot keep.

* :func:`plain_text` — a value the source *typed* as plain text (an RSS/Atom ``type="text"``
  title, a JSON Feed title or ``content_text``): nothing in angle brackets is a tag and no
  entity is decoded a second time (``List&lt;T&gt;`` stays literally that).
* :func:`html_to_text` — a value typed as HTML. Feed HTML is untrusted and often broken;
  lxml's HTML parser recovers from anything and never fetches or executes. Block elements
  become line breaks so paragraphs survive (the summariser finds quotes and sign-offs by
  paragraph); scripts and styles vanish. libxml2 parses HTML 4, so an unclosed ``<embed>``,
  ``<object>`` or ``<svg>`` swallows the rest of the fragment as its children; here they are
  undone the way an HTML5 browser reads them (an embed is void, an object shows its fallback
  content, a drawing ends where ordinary HTML starts), so the paragraph after an embedded
  video stays.
* :func:`clean_code_points` — lone surrogates (``&#xD800;`` in a feed, ``"\\ud800"`` in
  JSON) become U+FFFD and NULs go: neither SQLite nor PostgreSQL can store them, and one
  such character must not cost the item, let alone its neighbours.
"""

from __future__ import annotations

import html
import re

from lxml import etree
from lxml import html as lxml_html

from bot.codepoints import clean_code_points

__all__ = ["clean_code_points", "decode_lenient", "html_to_text", "normalise_space", "plain_text", "repair_embedded"]

#: Raw-text or never-shown elements: a browser does not render their content either, even
#: when the end tag is missing, so dropping them whole matches what a reader sees.
_DROP = ("script", "style", "noscript", "iframe", "template", "head", "param")
#: Void elements libxml2 does not know are void (what it nested inside them follows them),
#: and <object>, whose content is the fallback a browser shows when it cannot run the object
#: (which it never can for a feed's ActiveX or Flash): the element goes, its text stays.
_UNWRAP = ("embed", "source", "track", "object")
#: Drawings and formulas: their own text is not article text, but HTML5 closes them as soon
#: as ordinary HTML content starts (the "breakout" rule of foreign content).
_FOREIGN = ("svg", "math")
_INTEGRATION = frozenset({"foreignobject", "annotation-xml", "desc", "title"})
_BLOCKS = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
        "table", "section", "article", "header", "footer", "figure", "figcaption", "hr", "dd", "dt", "dl",
    }
)  # fmt: skip
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n\s*\n+")
_BREAKOUT = _BLOCKS | {
    "b", "big", "body", "center", "code", "em", "i", "img", "listing", "menu", "nobr", "ruby", "s", "small",
    "span", "strong", "strike", "sub", "sup", "tt", "u", "var",
}  # fmt: skip
_TAGGY = re.compile(r"<[a-zA-Z!/?]")
_REPLACEMENT_RUN = re.compile("\ufffd+")
#: huge_tree lifts libxml2's 256-level depth limit, past which hostile nesting silently
#: loses text; input size is already capped by the caller. no_network: never fetch a DTD.
_PARSER = lxml_html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True, no_network=True)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_lenient(body: bytes, codec: str) -> str | None:
    """``body`` decoded with ``codec``, a stray undecodable byte becoming U+FFFD; None when the
    codec is plainly wrong (more bad sequences than good non-ASCII characters) or unknown.

    A declared charset wins over a guess (browsers do the same): one stray byte in a UTF-8
    page must cost one character, not garble every other one through a guessed charset.
    """
    try:
        return body.decode(codec)
    except LookupError:
        return None
    except UnicodeDecodeError:
        pass
    text = body.decode(codec, errors="replace")
    try:
        genuine = body.count("\ufffd".encode(codec))
    except (UnicodeError, LookupError):
        genuine = 0
    replaced = text.count("\ufffd") - genuine
    bad = len(_REPLACEMENT_RUN.findall(text)) - genuine  # a bad sequence may give several U+FFFD
    good = len(text) - len(text.encode("ascii", "ignore")) - replaced - genuine
    return text if good >= bad else None


def plain_text(value: str) -> str:
    """A value the source typed as plain text, made storable and tidy, never parsed as markup."""
    return normalise_space(clean_code_points(value))


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
    fragment = clean_code_points(fragment)
    if not _TAGGY.search(fragment):
        return normalise_space(html.unescape(fragment))
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div", parser=_PARSER)
    except (etree.ParserError, ValueError):
        return _strip_tags(fragment)
    for bad in list(root.iter(*_DROP)):
        if bad.getparent() is not None:
            bad.drop_tree()
    repair_embedded(root)
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    text = normalise_space("".join(_texts(root)))
    return text or _strip_tags(fragment)


def repair_embedded(root: etree._Element) -> None:
    """Undo libxml2's HTML 4 nesting of unclosed ``<embed>``, ``<object>``, ``<svg>`` and
    ``<math>`` the way an HTML5 browser reads them, in place: the one rule for feed HTML and
    for web pages (which trafilatura would otherwise read with the same loss)."""
    for void in list(root.iter(*_UNWRAP)):
        if void.getparent() is not None:
            void.drop_tag()
    for foreign in list(root.iter(*_FOREIGN)):
        if foreign.getparent() is not None:
            _close_foreign(foreign)


def _close_foreign(element: lxml_html.HtmlElement) -> None:
    """Drop an <svg> or <math> but keep the HTML that an HTML5 parser would have
    put after it: from the first ordinary HTML element inside it (not inside an SVG/MathML
    integration point), everything to its end moves out, in order, then the rest goes."""
    first = next((d for d in element.iterdescendants() if _breaks_out(d, element)), None)
    if first is None:
        element.tail = " " + (element.tail or "")
        element.drop_tree()
        return
    moved = [first, *first.itersiblings()]
    node = first.getparent()
    while node is not element:  # climb: what follows each enclosing element follows too
        if node.tail:
            _append_tail(moved[-1], node.tail)
            node.tail = None
        moved.extend(node.itersiblings())
        node = node.getparent()
    _append_tail(moved[-1], element.tail or "")
    element.tail = " "  # the element took room on the page: the words around it stay apart
    anchor = element
    for item in moved:
        anchor.addnext(item)
        anchor = item
    element.drop_tree()


def _breaks_out(node: etree._Element, top: etree._Element) -> bool:
    if not isinstance(node.tag, str) or node.tag.lower() not in _BREAKOUT:
        return False
    for ancestor in node.iterancestors():
        if ancestor is top:
            return True
        if isinstance(ancestor.tag, str) and ancestor.tag.lower() in _INTEGRATION:
            return False
    return True


def _append_tail(element: etree._Element, text: str) -> None:
    element.tail = (element.tail or "") + text


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
