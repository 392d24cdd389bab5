"""`wirebrief db prune`: remove what is older than the retention horizon now (the engine also
does it on its own every hour), or, with --dry-run, say what would go."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.engine import ConfigOpt, db_app
from bot.config import load_settings
from bot.errors import UserInputError


@db_app.command("prune")
def db_prune(
    config: ConfigOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would be removed; remove nothing.")] = False,
    days: Annotated[
        int | None,
        typer.Option("--days", min=1, help="Keep this many days, not [store] retention_days.", show_default=False),
    ] = None,
) -> None:
    """Remove digests, deliveries, editions and stories older than the retention horizon
    ([store] retention_days); item identities stay, so nothing already seen posts again."""
    from bot.store import Store
    from bot.store.retention import horizon

    settings = load_settings(config)
    keep_days = days if days is not None else settings.store.retention_days
    if keep_days <= 0:
        raise UserInputError("retention is off ([store] retention_days = 0, keep forever); pass --days N to prune once")
    store = Store.open(settings.store.resolved_url())
    try:
        report = store.prune(horizon(keep_days, settings.stories.thread_window_hours), dry_run=dry_run)
    finally:
        store.close()
    verb = "would remove" if dry_run else "removed"
    typer.echo(f"{verb}: {report.summary()}")
    typer.echo(f"older than {report.cutoff:%Y-%m-%d %H:%M} UTC ({keep_days} days)")
    if report.kept_active:
        typer.echo(f"kept: {report.kept_active} older digest(s) of stories still active since then")
    typer.echo("kept: every item's identity (guid, link, content hash), so an item seen before never posts again")
