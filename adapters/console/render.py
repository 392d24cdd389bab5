"""A digest as a rich panel for the terminal: headline, dateline, quotes with speakers, source."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.text import Text

from bot.domain import Edition, Post, Reply
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
    if footer:
        # inside the panel (not the subtitle) so a long link wraps instead of being cut off
        parts.append(Text(footer, style="dim"))
    return Panel(Group(*parts), title=Text(digest.headline, style="bold"), title_align="left", expand=False)


def render_post(post: Post) -> Panel:
    """A post as the console shows it: the digest panel, its source and when it was published;
    a notice about the source (e.g. paused) gets a yellow border instead."""
    when = post.published.strftime("%Y-%m-%d %H:%M UTC") if post.published else None
    source = post.source_name
    if post.channel.channel != "main":
        source = f"#{post.channel.channel} · {source}"
    if post.source_url and post.source_url != post.digest.url:
        source = f"{source} · {post.source_url}"
    if post.digest.extra.get("notice"):
        body = Group(Text(post.digest.text), Text(source, style="dim"))
        title = Text(post.digest.headline, style="bold")
        return Panel(body, title=title, title_align="left", expand=False, border_style="yellow")
    return render_digest(post.digest, source=source, when=when)


def render_reply(reply: Reply) -> Panel:
    """A reply in a story's thread: indented under the story's headline, saying who adds
    what (new quotes with speakers) or what an edit changed."""
    parts: list[Text] = []
    if reply.summary and reply.kind == "outlet":
        parts.append(Text(reply.summary, style="dim"))
    if reply.kind in ("followup", "edit", "correction"):
        parts.append(Text(reply.headline, style="bold"))
    for line in reply.changes:
        parts.append(Text("• " + line))
    for quote in reply.quotes:
        who = quote.speaker or "unattributed"
        if quote.role:
            who = f"{who}, {quote.role}"
        line = Text()
        line.append("“" + quote.text.strip() + "”", style="italic")
        line.append("\n   — " + who, style="bold cyan")
        parts.append(line)
    footer = " · ".join(p for p in (reply.source_url,) if p)
    if footer:
        parts.append(Text(footer, style="dim"))
    title = Text("↳ " + reply.title, style="bold")
    if reply.thread_title:
        title.append(" · re: " + reply.thread_title, style="dim")
    panel = Panel(Group(*parts), title=title, title_align="left", expand=False)
    if reply.kind == "correction":
        panel.border_style = "red"
    return panel


def render_edition(edition: Edition) -> Panel:
    """An edition: the header as the title, one numbered entry per story (headline, outlet
    and the others that carried it, the strongest attributed quote)."""
    parts: list[Text] = []
    for number, story in enumerate(edition.stories, start=1):
        entry = Text()
        entry.append(f"{number}. {story.headline}", style="bold")
        via = f"\n   via {story.source.name}"
        if story.also:
            via += " · also: " + ", ".join(link.name for link in story.also)
        entry.append(via, style="dim")
        if story.source.url:
            entry.append(f"\n   {story.source.url}", style="dim")
        if story.quote is not None:
            who = story.quote.speaker or "unattributed"
            if story.quote.role:
                who = f"{who}, {story.quote.role}"
            entry.append("\n   “" + story.quote.text.strip() + "”", style="italic")
            entry.append(" — " + who, style="cyan")
        parts.append(entry)
    title = Text(edition.header, style="bold")
    return Panel(Group(*parts), title=title, title_align="left", expand=False, border_style="blue")
