"""The engine's commands: run, subscribe, unsubscribe, subscriptions, status, db upgrade."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from bot.cli.app import app
from bot.config import Settings, load_settings
from bot.domain import ChannelRef, SourceInfo, SubscriptionInfo
from bot.errors import NotFoundError
from bot.filters import FILTER_HELP
from bot.schedules import SCHEDULE_HELP, format_local
from bot.subscription_grammar import EMPTY_HELP, read_line

if TYPE_CHECKING:
    from bot.service_impl import StoreServices

T = TypeVar("T")

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", "-c", help="TOML config (see config.example.toml).", show_default=False)
]
ChannelOpt = Annotated[str, typer.Option("--channel", help="PLATFORM:CHANNEL, e.g. console:main or slack:T1/C2.")]

#: Failed deliveries `status` shows (the rest: `wirebrief deliveries --failed`).
STATUS_FAILED = 10

db_app = typer.Typer(help="The store: migrations (upgrade) and retention (prune).", no_args_is_help=True)
app.add_typer(db_app, name="db")


class _ContextFormatter(logging.Formatter):
    """``time level logger: message key=value ...`` — the ``extra`` context made visible."""

    _skip = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extras = {k: v for k, v in record.__dict__.items() if k not in self._skip}
        if extras:
            text += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        return text


def _configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_ContextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    if settings.log.format == "json":
        from bot.ops.logs import json_formatter

        handler.setFormatter(json_formatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log.level)
    for noisy in ("apscheduler", "httpx", "httpcore", "alembic", "trafilatura", "discord", "slack_bolt", "slack_sdk"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def _with_services(settings: Settings, use: Callable[[StoreServices], Awaitable[T]]) -> T:
    async def go() -> T:
        from bot.app import open_services

        services = await open_services(settings)
        try:
            return await use(services)
        finally:
            await services.aclose()

    return asyncio.run(go())


@app.command()
def run(
    config: ConfigOpt = None,
    platform: Annotated[
        list[str] | None,
        typer.Option(
            "--platform", "-p", metavar="NAME", help="Platform to start (repeatable): console, discord, slack."
        ),
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="One pass (poll, post what is due) and exit.")] = False,
) -> None:
    """Run the bot: poll sources, post each new digest once, keep going on schedule until Ctrl-C."""
    settings = load_settings(config, platform)
    _configure_logging(settings)
    asyncio.run(_run(settings, once))


async def _run(settings: Settings, once: bool) -> None:
    from bot.app import Engine, load_platform, open_services
    from bot.ops.server import start_ops
    from digests.inflect import warm_up

    platforms = [load_platform(name, settings) for name in settings.platforms]
    services = await open_services(settings)
    engine = Engine(settings, services, platforms)
    ops = None
    try:
        if "console" in settings.platforms and settings.console.samples:
            await services.seed_samples()
        if once:
            await engine.run_pass()
            await _fail_if_every_source_failed(services)
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        ops = await start_ops(settings.ops, engine)  # before the platforms connect: /readyz says 503 meanwhile
        await engine.start()
        # The summariser's word tables (about a second of CPU) load beside the first poll, after the
        # platforms have connected; a digest that needs them first waits for this one load.
        threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
        _say(settings, "wirebrief: running — Ctrl-C to stop")
        await stop.wait()
        _say(settings, "wirebrief: stopping")
    finally:
        await engine.stop()
        if ops is not None:
            await ops.stop()
        await services.aclose()


def _say(settings: Settings, line: str) -> None:
    """A line for the operator: a log record when logs are JSON (every stderr line parses), else plain."""
    if settings.log.format == "json":
        logging.getLogger("wirebrief").info(line)
    else:
        typer.echo(line, err=True)


async def _fail_if_every_source_failed(services: StoreServices) -> None:
    """`run --once` in a cron job or CI: a pass in which every active source failed is a
    failure (one line, exit 1), not a quiet success that posted nothing."""
    active = [s for s in await services.all_sources() if not s.paused_reason]
    if active and all(s.last_error for s in active):
        first = " ".join((active[0].last_error or "").split())[:200]
        more = f" (and {len(active) - 1} more)" if len(active) > 1 else ""
        typer.echo(f"wirebrief: every source failed ({len(active)}): {active[0].label}: {first}{more}", err=True)
        raise typer.Exit(1)


@app.command(context_settings={"allow_interspersed_args": True})
def subscribe(
    source: Annotated[
        str, typer.Argument(metavar="SOURCE", help="A feed URL, a wire name from [wires], or a feed file path.")
    ],
    words: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[SETTINGS]...",
            help='Settings as in chat: daily 08:00, weekdays 08:00, tz Europe/Kyiv, filter "strike, -sport", max 5.',
            show_default=False,
        ),
    ] = None,
    channel: ChannelOpt = "console:main",
    schedule: Annotated[
        str | None,
        typer.Option(
            "--schedule",
            metavar="WHEN",
            help=f"{SCHEDULE_HELP}. Default: on arrival (one post per story; other outlets and updates in its "
            "thread). Any other schedule makes an edition subscription: one round-up per post time with every "
            "story from the channel's sources on that schedule.",
            show_default=False,
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", metavar="ZONE", help="IANA zone; default: the channel's.", show_default=False),
    ] = None,
    backfill: Annotated[int | None, typer.Option("--backfill", help="Latest items to post once now (0-10).")] = None,
    filters: Annotated[
        str | None, typer.Option("--filter", metavar="TERMS", help=f"Which items post: {FILTER_HELP}.")
    ] = None,
    max_per_hour: Annotated[
        int | None, typer.Option("--max-per-hour", metavar="N", help="At most N posts an hour (0: no cap).")
    ] = None,
    mention: Annotated[
        str | None, typer.Option("--mention", metavar="ID", help="Discord role id or Slack user-group id to ping.")
    ] = None,
    mention_when: Annotated[
        str | None, typer.Option("--mention-when", metavar="TERMS", help="Ping only for items matching this filter.")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", metavar="KIND:ID", help="Discord only: forum:<id> or thread:<id>.")
    ] = None,
    empty: Annotated[
        str | None, typer.Option("--empty", metavar="line|nothing", help=f"With --schedule: {EMPTY_HELP}.")
    ] = None,
    post_as: Annotated[
        str | None, typer.Option("--post-as", metavar="NAME", help="Discord only: the name posts show (a webhook).")
    ] = None,
    avatar: Annotated[
        str | None, typer.Option("--avatar", metavar="URL", help="Discord only: the avatar image posts show.")
    ] = None,
    no_check: Annotated[
        bool, typer.Option("--no-check", help="Do not fetch the feed first (it is checked at its first poll).")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Subscribe a channel to a source (a feed is fetched once for all its subscribers).

    A feed URL is fetched once first and refused, with the reason, when it is not a feed.
    On arrival (the default), each story is posted once and other outlets, updates and
    corrections of it go in its thread; any other schedule (daily 08:00, a cron) makes an
    edition subscription: one round-up per post time with every story from the channel's
    sources on that schedule."""
    settings = load_settings(config)
    ref = ChannelRef.parse(channel)
    said = read_line(words or [])
    info = _with_services(
        settings,
        lambda s: s.subscribe(
            ref,
            source,
            schedule if schedule is not None else said.schedule,
            timezone or said.timezone,
            backfill if backfill is not None else (said.backfill or 1),
            filters=filters if filters is not None else said.filters,
            max_per_hour=max_per_hour if max_per_hour is not None else said.max_per_hour,
            mention=mention if mention is not None else said.mention,
            mention_when=mention_when if mention_when is not None else said.mention_when,
            target=target,
            empty=empty if empty is not None else said.empty,
            post_as=post_as if post_as is not None else said.post_as,
            avatar=avatar if avatar is not None else said.avatar,
            allow_local=True,
            check=not no_check,
        ),
    )
    typer.echo(f"{info.channel} #{info.number}: {info.source.label} ({info.schedule}, backfill {info.backfill})")
    for line in info.options.describe():
        typer.echo(f"  {line}")
    if info.schedule.cron is not None:
        typer.echo(f"  editions: next {format_local(info.next_post, info.schedule.timezone)}")


@app.command("timezone")
def timezone_(
    zone: Annotated[str, typer.Argument(metavar="ZONE", help='IANA zone such as Europe/Kyiv, or "none" to clear.')],
    channel: ChannelOpt = "console:main",
    workspace: Annotated[
        bool, typer.Option("--workspace", help="Set it for the channel's whole workspace (guild, Slack team).")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Set the default time zone of a channel (or its workspace) for schedules that name none."""
    settings = load_settings(config)
    ref = ChannelRef.parse(channel)
    now = _with_services(settings, lambda s: s.set_timezone(ref, zone, workspace_wide=workspace))
    where = f"workspace {ref.workspace}" if workspace else str(ref)
    typer.echo(f"{where}: new schedules use {now}")


@app.command()
def unsubscribe(
    which: Annotated[str, typer.Argument(help="The subscription's number in `subscriptions`, or its source.")],
    channel: ChannelOpt = "console:main",
    config: ConfigOpt = None,
) -> None:
    """Remove a channel's subscription."""
    settings = load_settings(config)
    ref = ChannelRef.parse(channel)
    try:
        info = _with_services(settings, lambda s: s.unsubscribe(ref, which))
    except NotFoundError as exc:  # the services speak to a chat channel; name it here
        raise NotFoundError(str(exc).replace("this channel", str(ref), 1)) from None
    typer.echo(f"{info.channel}: unsubscribed from {info.source.name}")


@app.command()
def subscriptions(
    channel: Annotated[str | None, typer.Option("--channel", help="Only this channel.")] = None,
    config: ConfigOpt = None,
) -> None:
    """List subscriptions, numbered per channel."""
    settings = load_settings(config)
    ref = ChannelRef.parse(channel) if channel else None

    async def fetch(s: StoreServices) -> list[SubscriptionInfo]:
        return await (s.subscriptions(ref) if ref else s.all_subscriptions())

    infos = _with_services(settings, fetch)
    if not infos:
        typer.echo("no subscriptions")
        return
    _print(_subscriptions_table(infos))


@app.command()
def status(config: ConfigOpt = None) -> None:
    """Each source: last fetch, last error, next poll; each subscription: last and next post;
    deliveries given up for good, with their last error."""
    settings = load_settings(config)

    async def fetch(s: StoreServices) -> tuple[list[SourceInfo], list[SubscriptionInfo]]:
        return await s.all_sources(), await s.all_subscriptions()

    async def failed(s: StoreServices) -> list:  # type: ignore[type-arg]
        return await s.failed_deliveries()

    sources, infos = _with_services(settings, fetch)
    if not sources and not infos:
        typer.echo("no sources and no subscriptions yet: `wirebrief run` seeds the samples, or `wirebrief subscribe`")
        return
    _print(_sources_table(sources))
    _print(_subscriptions_table(infos))
    given_up = _with_services(settings, failed)
    if given_up:
        from bot.cli.deliveries import failed_table

        _print(failed_table(given_up[:STATUS_FAILED]))
        more = f"{len(given_up) - STATUS_FAILED} more: " if len(given_up) > STATUS_FAILED else ""
        typer.echo(f"{more}`wirebrief deliveries --failed` lists them; `wirebrief deliveries retry --all` re-queues")


@db_app.command("upgrade")
def db_upgrade(config: ConfigOpt = None) -> None:
    """Create or migrate the store's tables to the newest schema; recreate any table gone missing."""
    from bot.store import make_engine, migrate

    settings = load_settings(config)
    engine = make_engine(settings.store.resolved_url())
    try:
        repaired = migrate(engine, repair=True)
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    if repaired:
        typer.echo(f"store repaired: recreated table(s) {', '.join(repaired)} (empty; their old rows are gone)")
    typer.echo(f"store up to date: {where}")


def _print(renderable: object) -> None:
    from rich.console import Console

    Console().print(renderable)


def _when(value: datetime | None, zone: str = "UTC") -> str:
    """A moment in ``zone`` (a subscription's own, for its posts) and relative to now."""
    if value is None:
        return "—"
    delta = (value - datetime.now(UTC)).total_seconds()
    span = _span(abs(delta))
    rel = f"in {span}" if delta > 0 else f"{span} ago"
    return f"{format_local(value, zone)} ({rel})"


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def _sources_table(sources: list[SourceInfo]) -> object:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Sources", title_justify="left")
    for col in ("source", "kind", "last fetch", "last error", "next poll"):
        table.add_column(col)
    for src in sources:
        name = src.name if src.name == src.url else f"{src.name}\n{src.url}"
        error = src.last_error or ""
        if src.paused_reason:
            error = f"PAUSED: {src.paused_reason}"
        table.add_row(Text(name), src.kind, _when(src.last_fetch), Text(error, style="red"), _when(src.next_poll))
    return table


def _subscriptions_table(infos: list[SubscriptionInfo]) -> object:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Subscriptions", title_justify="left")
    for col in ("channel", "#", "source", "schedule", "last post", "next post", "paused"):
        table.add_column(col)
    for info in infos:
        table.add_row(
            Text(str(info.channel)),
            str(info.number),
            Text(info.source.label),
            Text("\n".join([str(info.schedule), *info.options.describe()])),  # settings under the schedule
            _when(info.last_post, info.schedule.timezone),
            _when(info.next_post, info.schedule.timezone),
            Text(info.paused_reason or "", style="yellow"),
        )
    return table
