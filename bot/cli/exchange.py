"""Commands around subscribing: `preview` a feed before subscribing to it (and, once they land
here, a channel's subscriptions exported and imported)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.app import app
from bot.cli.engine import ChannelOpt, ConfigOpt, _with_services
from bot.config import load_settings
from bot.domain import ChannelRef, FeedPreview
from bot.filters import FILTER_HELP
from digests.model import Digest


@app.command()
def preview(
    url: Annotated[str, typer.Argument(metavar="URL", help="A feed URL (or a link to an article).")],
    filters: Annotated[
        str | None, typer.Option("--filter", metavar="TERMS", help=f"Try a filter on the items: {FILTER_HELP}.")
    ] = None,
    channel: ChannelOpt = "console:main",
    config: ConfigOpt = None,
) -> None:
    """Show what subscribing to a feed would bring: its latest items as they would post, and which
    of them a filter lets through. Fetched once, nothing stored."""
    settings = load_settings(config)
    found = _with_services(settings, lambda s: s.preview(ChannelRef.parse(channel), url, filters))
    if isinstance(found, FeedPreview):
        _show_feed(found)
    else:
        _show_digest(found)


def _show_feed(found: FeedPreview) -> None:
    plural = "s" if found.total != 1 else ""
    typer.echo(f"{found.title} ({found.host}): {found.total} item{plural}")
    if not found.posts:
        typer.echo("  none yet; subscribed, it would post each new item as it arrives")
        return
    typer.echo(f"the latest {len(found.posts)}, as they would post:")
    for n, (post, passes) in enumerate(zip(found.posts, found.passes, strict=True), start=1):
        mark = "" if passes else "  [filtered out]"
        typer.echo(f"{n}.{mark}")
        _show_digest(post.digest, indent="   ")
    if found.filters:
        typer.echo(f"with filter {found.filters!r}: {sum(found.passes)} of {len(found.posts)} would post")


def _show_digest(digest: Digest, indent: str = "") -> None:
    typer.echo(f"{indent}{' '.join((digest.headline or digest.title or 'Untitled').split())}")
    if digest.dateline:
        typer.echo(f"{indent}{digest.dateline}")
    for quote in digest.key[:3]:
        who = ", ".join(p for p in (quote.speaker or "unattributed", quote.role) if p)
        typer.echo(f"{indent}  “{' '.join(quote.text.split())}” — {who}")
