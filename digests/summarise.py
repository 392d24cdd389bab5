"""Entry point of the core: ``summarise(dispatch) -> Digest``. (First slice; being replaced.)"""

from __future__ import annotations

import re

from digests.model import Digest, Dispatch, Quote

_QUOTE = re.compile(r"[\"“”„«»]([^\"“”„«»\n]{1,2000})[\"“”„«»]")


def summarise(dispatch: Dispatch) -> Digest:
    text = dispatch.text
    quotes = tuple(Quote(m.group(1), None, None, m.start(1), m.end(1)) for m in _QUOTE.finditer(text))
    first = text.strip().split("\n", 1)[0] if text.strip() else ""
    headline = dispatch.title or " ".join(first.split()[:12]) or "Untitled dispatch"
    return Digest(
        headline=headline,
        dateline=None,
        quotes=quotes,
        key_quotes=tuple(range(min(3, len(quotes)))),
        text=text,
        title=dispatch.title,
        url=dispatch.url,
        id=dispatch.id,
    )
