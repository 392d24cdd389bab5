"""Text every layer can store and send: lone surrogates become U+FFFD and NULs go.

A feed can spell a lone surrogate (``&#xD800;``, ``"\\ud800"`` in JSON) and a batch line can
carry one; Python keeps such a string, but SQLite, PostgreSQL and UTF-8 output cannot, so
one character would otherwise cost the whole item. Kept free of heavy imports: the store
and the CLI use it too.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_code_points(text: str) -> str:
    """Lone surrogates to U+FFFD, NULs removed: what remains can be encoded and stored."""
    if not text:
        return text
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text.replace("\x00", "") if "\x00" in text else text
