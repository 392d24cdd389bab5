"""Subscribing a channel to every entry of an imported file (see :mod:`bot.exchange`), through
the same checks as a typed subscription: each feed fetched once, each setting parsed by the one
grammar. An entry that fails is skipped with its reason; the rest still go in."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.domain import ChannelRef
from bot.errors import WirebriefError
from bot.exchange import PLATFORM_BOUND, Entry, ImportReport

if TYPE_CHECKING:
    from bot.service_impl import StoreServices

#: Feeds checked at once during an import (each is one fetch with the usual deadline).
CONCURRENCY = 4


async def import_entries(
    services: StoreServices,
    channel: ChannelRef,
    entries: list[Entry],
    *,
    allow_local: bool = False,
    check: bool = True,
) -> ImportReport:
    """Subscribe ``channel`` to each entry; backfill 0, so an import never floods the channel.
    Platform-bound settings (mention, forum or thread) are kept only from the same platform."""
    report = ImportReport()
    existing = {s.source.url for s in await services.subscriptions(channel)}
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(entry: Entry) -> None:
        values = {k: v for k, v in entry.options.to_json().items()}
        if entry.platform != channel.platform and any(values.get(k) for k in PLATFORM_BOUND):
            report.dropped.append(entry.source)
            values = {k: v for k, v in values.items() if k not in PLATFORM_BOUND}
        text = {k: str(v) for k, v in values.items()}
        async with gate:
            try:
                info = await services.subscribe(
                    channel,
                    entry.source,
                    entry.cron,
                    entry.timezone,
                    0,
                    filters=text.get("filters"),
                    max_per_hour=text.get("max_per_hour"),
                    mention=text.get("mention"),
                    mention_when=text.get("mention_when"),
                    target=text.get("target"),
                    empty="line" if text.get("empty_line", "").lower() in ("true", "1", "line") else None,
                    post_as=text.get("post_as"),
                    avatar=text.get("avatar"),
                    allow_local=allow_local,
                    check=check,
                )
            except WirebriefError as exc:
                report.skipped.append((entry.source[:200], " ".join(str(exc).split())[:300]))
                return
        (report.updated if info.source.url in existing else report.added).append(info.source.label)

    await asyncio.gather(*(one(entry) for entry in entries))
    return report
