"""Credit lines: the name under a pull quote, as newsletters and round-ups print it.

    "We haven't seen anything like this before.
    Norman Avery, Institute for Policy Studies."

    "It needs to stop."
    — Mara Quist, Philadelphia.

The first form sits inside the marks, on the quote's last line: it is cut from the quote and
names its speaker. The second is a paragraph of its own that opens on a dash, right after a
paragraph that is all quote. Both read as "Name, what they are" with no verb, so a spoken line
that happens to start with a name ("Anna, come here.") is not taken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[A-Z][\w.’'\-]*(?:\s+(?:[A-Z][\w.’'\-]*|de|da|van|von|bin|al))*"
#: "Name, what they are." on a line of its own, optionally after a dash.
_CREDIT = re.compile(rf"^\s*(?:[-—–]{{1,2}}\s*)?(?P<name>{_NAME})\s*,\s+(?P<role>[^\n]{{2,140}}?)[.\s]*$")
#: "— Name" alone on a dash line (no role).
_DASH_NAME = re.compile(rf"^\s*[-—–]{{1,2}}\s*(?P<name>{_NAME})[.\s]*$")
#: Words that make the line a sentence someone says, not a credit.
_SPOKEN = frozenset({"i", "you", "we", "me", "us", "my", "your", "our", "is", "are", "was", "were", "will", "must"})
_LONGEST_ROLE_WORDS = 16


@dataclass(frozen=True)
class Credit:
    name: str
    role: str | None


def _credit(line: str, dash_only: bool) -> Credit | None:
    stripped = line.strip()
    if dash_only and stripped[:1] not in {"-", "—", "–"}:
        return None
    m = _CREDIT.match(line) or (_DASH_NAME.match(line) if dash_only else None)
    if m is None:
        return None
    name = m.group("name").strip()
    words = name.split()
    if not 2 <= len(words) <= 5 or any(w.lower() in _SPOKEN for w in words):
        return None
    role = (m.groupdict().get("role") or "").strip().rstrip(".").strip() or None
    if role is not None:
        role_words = re.findall(r"[\w’']+", role.lower())
        if len(role_words) > _LONGEST_ROLE_WORDS or any(w in _SPOKEN for w in role_words):
            return None
    return Credit(name, role)


def quote_credit(quote: str) -> tuple[int, Credit] | None:
    """A credit on the quote's last line: (length of the quote proper, the credit)."""
    cut = quote.rstrip().rfind("\n")
    if cut <= 0:
        return None
    credit = _credit(quote[cut + 1 :], dash_only=False)
    if credit is None:
        return None
    return len(quote[:cut].rstrip()), credit


def dash_credit(paragraph: str) -> Credit | None:
    """A paragraph that is only a dash and a credit ("— Mara Quist, Philadelphia.")."""
    if "\n" in paragraph.strip() or len(paragraph) > 200:
        return None
    return _credit(paragraph, dash_only=True)


def closing_credit(paragraph: str) -> Credit | None:
    """The credit line that closes a quote left open in the paragraph above, when wrapped copy
    puts it on a line of its own: 'Norman Avery, Institute for Policy Studies."'."""
    line = paragraph.strip()
    if "\n" in line or len(line) > 200 or not line.endswith(('"', "”")):
        return None
    return _credit(line.rstrip('"”').rstrip(), dash_only=False)
