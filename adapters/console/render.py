"""A digest as a rich panel for the terminal: headline, dateline, quotes with speakers, source."""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from digests.model import Digest


def render_digest(digest: Digest, source: str | None = None, when: str | None = None) -> Panel:
    """Build the panel; every string from the dispatch is escaped (feeds are untrusted)."""
    parts: list[Text] = []
    if digest.dateline:
        parts.append(Text(str(digest.dateline), style="dim"))
    for quote in digest.key:
        who = quote.speaker or "unattributed"
        if quote.role:
            who = f"{who}, {quote.role}"
        line = Text()
        line.append("“" + quote.text.strip() + "”", style="italic")
        line.append("\n   — " + who, style="bold cyan")
        parts.append(line)
    if not digest.key:
        parts.append(Text("(no direct quotes in this dispatch)", style="dim"))
    footer = " · ".join(p for p in (source, digest.url, when) if p)
    return Panel(
        Group(*parts),
        title=Text(digest.headline, style="bold"),
        title_align="left",
        subtitle=escape(footer) if footer else None,
        subtitle_align="right",
        expand=False,
    )
