"""`wirebrief deliveries`: the deliveries given up for good (after their attempts, or dropped
because the channel went away), with their last error, and re-queuing them."""

from __future__ import annotations

import asyncio
from datetime import UTC
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.app import app
from bot.cli.engine import ConfigOpt, _print, _when, _with_services
from bot.config import load_settings

if TYPE_CHECKING:
    from bot.service_impl import StoreServices
    from bot.store.recovery import FailedDelivery

deliveries_app = typer.Typer(
    help="Deliveries given up for good: list them (--failed) and re-queue them (retry).",
    invoke_without_command=True,
)
app.add_typer(deliveries_app, name="deliveries")


@deliveries_app.callback()
def deliveries(
    ctx: typer.Context,
    failed: Annotated[bool, typer.Option("--failed", help="List the deliveries given up for good.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Deliveries by status; with --failed, each one given up for good and its last error."""
    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings(config)

    async def fetch(s: StoreServices) -> tuple[dict[str, int], list[FailedDelivery]]:
        return await asyncio.to_thread(s.store.delivery_counts), await s.failed_deliveries()

    counts, rows = _with_services(settings, fetch)
    if not failed:
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none yet"
        typer.echo(f"deliveries: {summary}")
        if rows:
            typer.echo(f"{len(rows)} given up for good: `wirebrief deliveries --failed` lists them")
        return
    if not rows:
        typer.echo("no failed deliveries")
        return
    _print(failed_table(rows))
    typer.echo("re-queue with `wirebrief deliveries retry ID...` or `wirebrief deliveries retry --all`")


@deliveries_app.command("retry")
def retry(
    ids: Annotated[list[int] | None, typer.Argument(metavar="[ID]...", help="Delivery ids (see --failed).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Re-queue every delivery given up for good.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Re-queue deliveries given up for good: the running bot (or the next `run`) posts them,
    looking first whether an earlier attempt reached the channel after all."""
    if not ids and not all_:
        typer.echo("wirebrief: error: give delivery ids (see `wirebrief deliveries --failed`) or --all", err=True)
        raise typer.Exit(2)
    settings = load_settings(config)

    async def go(s: StoreServices) -> list[int]:
        return await s.retry_deliveries(None if all_ else list(ids or []))

    done = _with_services(settings, go)
    missing = sorted(set(ids or []) - set(done)) if not all_ else []
    if done:
        typer.echo(f"re-queued {len(done)} deliver{'y' if len(done) == 1 else 'ies'}: {', '.join(map(str, done))}")
    if missing:
        typer.echo(f"not failed (or no such delivery): {', '.join(map(str, missing))}", err=True)
    if not done:
        if all_:
            typer.echo("no failed deliveries")
            return
        raise typer.Exit(1)


def failed_table(rows: list[FailedDelivery]) -> object:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Failed deliveries", title_justify="left")
    for col in ("id", "channel", "item", "attempts", "last try", "last error"):
        table.add_column(col)
    for row in rows:
        item = f"{row.headline}\n({row.source}{', ' + row.slot if row.slot != 'arrival' else ''})"
        status = "dropped" if row.status == "dropped" else str(row.attempts)
        table.add_row(
            str(row.id),
            Text(str(row.channel)),
            Text(item),
            status,
            _when(row.last_try.replace(tzinfo=UTC) if row.last_try else None),
            Text(row.error or "", style="red"),
        )
    return table
