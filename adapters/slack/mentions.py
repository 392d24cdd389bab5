"""Links in an `@Wirebrief` mention: Slack sends them as ``<https://x|label>`` or ``<https://x>``.

Only Slack-marked links count: a user, channel or broadcast mention (``<@U1>``, ``<#C1>``,
``<!here>``) is not a link, and bare text that merely looks like a URL was not linked by
Slack either, so the user did not see it as one.
"""

from __future__ import annotations

import re

MAX_LINKS = 3
MAX_URL = 2048

_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>", re.IGNORECASE)


def _decode(url: str) -> str:
    return url.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def extract_links(text: str | None, limit: int = MAX_LINKS) -> tuple[list[str], int]:
    """The first ``limit`` distinct links, in order, and how many more were left out."""
    found: list[str] = []
    for match in _LINK.finditer(text or ""):
        url = _decode(match.group(1))
        if len(url) <= MAX_URL and url not in found:
            found.append(url)
    return found[:limit], max(0, len(found) - limit)
