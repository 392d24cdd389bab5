"""Finding a post again on Discord without its nonce.

Discord de-duplicates a nonce (``enforce_nonce``) only "within the past few minutes", and a
fetched message carries no nonce at all. So a re-claimed post — an earlier process may have
posted it before dying, or before the store could mark it — is looked for in the channel's
recent messages by a marker of our own: the delivery's reference ("d123", "e45.0" for part 0 of
edition 45) written in zero-width characters at the end of the embed's footer (or the text,
when a message has no embed). Readers see nothing; the bot reads it back from history.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import discord

#: Four zero-width characters: two bits each. FRAME opens and closes a marker.
_DIGITS = ("\u200b", "\u200c", "\u200d", "\u2062")
_FRAME = "\u2060"
_FOUND = re.compile(f"{_FRAME}([{''.join(_DIGITS)}]+){_FRAME}")
#: Longest marker text we write (an id of 12 digits, a kind letter and a part).
MAX_MARKER = 20
#: The characters one marker takes in a footer or a message text.
MARKER_CHARS = 2 + 4 * MAX_MARKER
_CONTENT_LIMIT = 2000
_EMBED_TOTAL = 6000


def encode(marker: str) -> str:
    data = marker.encode("ascii")[:MAX_MARKER]
    return _FRAME + "".join(_DIGITS[(byte >> shift) & 3] for byte in data for shift in (6, 4, 2, 0)) + _FRAME


def markers_in(text: str | None) -> set[str]:
    out: set[str] = set()
    for found in _FOUND.findall(text or ""):
        if len(found) % 4:
            continue
        values = [_DIGITS.index(c) for c in found]
        data = bytes(
            (values[i] << 6) | (values[i + 1] << 4) | (values[i + 2] << 2) | values[i + 3]
            for i in range(0, len(values), 4)
        )
        out.add(data.decode("ascii", "replace"))
    return out


def visible(text: str | None) -> str:
    """The text as a reader sees it: markers removed."""
    return _FOUND.sub("", text or "")


def message_markers(message: dict[str, Any]) -> set[str]:
    """The markers of a message as the REST API returns it (text and embed footers)."""
    found = markers_in(message.get("content"))
    for embed in message.get("embeds") or []:
        found |= markers_in(((embed or {}).get("footer") or {}).get("text"))
    return found


def mark(kwargs: dict[str, Any], marker: str | None) -> dict[str, Any]:
    """``kwargs`` for ``send`` with the marker in the last embed's footer, else in the text."""
    if not marker:
        return kwargs
    code = encode(marker)
    embeds = list(kwargs.get("embeds") or ([kwargs["embed"]] if kwargs.get("embed") else []))
    if embeds:
        last = discord.Embed.from_dict(copy.deepcopy(embeds[-1].to_dict()))  # Embed.copy shares its fields
        _make_room(last, sum(len(e) for e in embeds))
        last.set_footer(text=(last.footer.text or "") + code, icon_url=last.footer.icon_url)
        embeds[-1] = last
        out = {k: v for k, v in kwargs.items() if k not in ("embed", "embeds")}
        return {**out, "embeds": embeds} if "embeds" in kwargs else {**out, "embed": last}
    content = str(kwargs.get("content") or "")[: _CONTENT_LIMIT - len(code)]
    return {**kwargs, "content": content + code}


def _make_room(embed: discord.Embed, total: int) -> None:
    """Keep the message within Discord's 6,000 embed characters with the marker added:
    the last fields give way (a renderer fills up to the limit only for long quote lists)."""
    while total + MARKER_CHARS > _EMBED_TOTAL and embed.fields:
        field = embed.fields[-1]
        total -= len(field.name or "") + len(field.value or "")
        embed.remove_field(len(embed.fields) - 1)
    if total + MARKER_CHARS > _EMBED_TOTAL and embed.description:
        embed.description = embed.description[: max(0, len(embed.description) - MARKER_CHARS)]
