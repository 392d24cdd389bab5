"""Asides: lines inside a story that are not its prose — photo captions and credits, promo
lines ("READ ALSO: ..."), bylines. They name people (a photographer, another story's subject),
so read as prose they would break the chain from a speaker to the "he" that continues them, and
a caption opening a page would become the lead.
"""

from __future__ import annotations

import re

_AGENCIES = r"(?:Reuters|AP|AFP|EPA|Getty(?: Images)?|Bloomberg|Xinhua|ANP|dpa|PA|Shutterstock|Alamy|NurPhoto)"

_NAME = r"[A-Z][\w.'’-]+(?:\ [A-Z][\w.'’-]+){0,3}"

_ASIDE = re.compile(
    rf"""^\s*(?:
        (?i:(?:read|see|watch|listen|also\ read)(?:\ also|\ more)?)\s*[:\-—–|]      # READ ALSO: ...
      | (?i:related|recommended|advertisement|sponsored|more\ on\ this)\b[\s:\-—–]*  # Related: ...
      | (?i:(?:file\ )?photo|picture|pic|image|video|graphic|caption|credit|illustration)s?\s*[:/|]
      | (?i:by)\ {_NAME}(?:\s*(?:,|/|\||and)\s*{_NAME})?\.?$                        # By Jane Doe, Reuters
      | \(?{_NAME}\s*/\s*{_AGENCIES}\)?\.?$                                          # Gary Cameron/Reuters.
      | {_AGENCIES}\.?$                                                                # Getty.
    )""",
    re.VERBOSE,
)
_CREDIT = re.compile(rf"\((?:[A-Z]+ )?(?:Photo|Pool Photo|File Photo)\b[^)]*\)|/\s*{_AGENCIES}\)?\s*\.?\s*$")

#: Longest line read as an aside: a caption or promo is a line, not a paragraph of prose.
_MAX_ASIDE = 300


def is_aside(line: str) -> bool:
    """Is this paragraph a caption, credit, promo line or byline rather than the story's prose?"""
    line = line.strip()
    if not line or len(line) > _MAX_ASIDE:
        return False
    return bool(_ASIDE.match(line) or _CREDIT.search(line))
