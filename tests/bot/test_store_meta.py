"""Once-only flags on both stores: the console samples are seeded once, never again after removal."""

from __future__ import annotations

from pathlib import Path

from bot.domain import ChannelRef
from bot.store import Store
from tests.bot.engine_harness import running_bot


def test_claim_flag_is_won_once_on_each_store(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        assert store.claim_flag("once") is True
        assert store.claim_flag("once") is False
        assert store.claim_flag("other") is True
    finally:
        store.close()


async def test_removed_samples_stay_removed_after_a_restart(tmp_path: Path, store_url: str) -> None:
    main = ChannelRef("console", "main")
    async with running_bot(tmp_path, store_url) as bot:
        assert await bot.services.seed_samples() is True
        for sub in reversed(await bot.services.subscriptions(main)):
            await bot.services.unsubscribe(main, str(sub.number))
    async with running_bot(tmp_path, store_url) as bot:  # a restart on the same store
        assert await bot.services.seed_samples() is False
        assert await bot.services.subscriptions(main) == []
