"""Commands around subscribing: `preview` a feed before subscribing to it, and a channel's
subscriptions exported to and imported from OPML or JSON (bot/exchange.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.app import app
from bot.cli.engine import ChannelOpt, ConfigOpt, _with_services
from bot.config import load_settings
from bot.domain import ChannelRef, FeedPreview
from bot.errors import UserInputError
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


@app.command("export")
def export_(
    channel: Annotated[str, typer.Option("--channel", help="PLATFORM:CHANNEL whose subscriptions to export.")],
    fmt: Annotated[str, typer.Option("--format", metavar="opml|json", help="OPML (any feed reader) or JSON.")] = "opml",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of standard output.", show_default=False)
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Write a channel's subscriptions as OPML (feeds, with Wirebrief's settings alongside) or JSON."""
    settings = load_settings(config)
    text = _with_services(settings, lambda s: s.export_subscriptions(ChannelRef.parse(channel), fmt))
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"{channel}: wrote {out}", err=True)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="An OPML file (any feed reader's) or Wirebrief JSON.")],
    channel: ChannelOpt = "console:main",
    no_check: Annotated[
        bool, typer.Option("--no-check", help="Do not fetch each feed first (checked at its first poll).")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Subscribe a channel to every feed in a file; each is checked as if typed, and one that
    fails is skipped with its reason. Nothing is backfilled: new items post from now on."""
    from bot.exchange import MAX_FILE_BYTES

    settings = load_settings(config)
    try:
        with file.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise UserInputError(f"{file}: no such file") from None
    except IsADirectoryError:
        raise UserInputError(f"{file} is a directory, not an OPML or JSON file") from None
    ref = ChannelRef.parse(channel)
    report = _with_services(settings, lambda s: s.import_subscriptions(ref, data, allow_local=True, check=not no_check))
    typer.echo(f"{ref}: {report.summary()}")
    if report.skipped and not (report.added or report.updated):
        raise typer.Exit(code=1)
