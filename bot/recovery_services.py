"""The services' part that keeps deliveries exactly once when the store or the process fails:
the journal of platform answers (bot.journal), its replay, the store outage state, and the
deliveries given up for good (`status`, `wirebrief deliveries`)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.config import default_data_dir
from bot.domain import SubscriptionInfo
from bot.journal import DELIVERY, Answer, Journal, journal_dir
from bot.store.outage import Outage, unavailable
from bot.store.recovery import FailedDelivery

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.store import Store

log = logging.getLogger(__name__)


class RecoveryServices:
    store: Store
    settings: Settings
    _journal: Journal | None = None
    _outage: Outage | None = None

    @property
    def outage(self) -> Outage:
        if self._outage is None:
            self._outage = Outage()
        return self._outage

    def journal(self) -> Journal:
        """This process's journal (made on first use: only `run` posts), with any a crashed
        process left adopted."""
        if self._journal is None:
            folder = journal_dir(self.settings.store.resolved_url(), default_data_dir())
            self._journal = Journal(folder)
            self._journal.adopt()
        return self._journal

    def close_journal(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    async def record_answer(self, answer: Answer) -> None:
        """Durably keep the platform's answer before the store is asked to mark it."""
        await asyncio.to_thread(self.journal().record, answer)

    async def answer_marked(self, answer: Answer) -> None:
        await asyncio.to_thread(self.journal().done, answer)

    async def replay_journal(self) -> int:
        """Mark in the store every post the journal holds; returns how many were marked.
        Raises what the store raises (the caller tells an outage from a bug)."""
        journal = self.journal()
        marked = 0
        for answer in journal.pending():
            if answer.kind == DELIVERY:
                await asyncio.to_thread(self.store.mark_recorded, answer.id, answer.message_id)
            else:
                await asyncio.to_thread(self.store.mark_edition_recorded, answer.id, answer.message_id)
            await asyncio.to_thread(journal.done, answer)
            marked += 1
        if marked:
            log.info("journal: marked %d post(s) sent from the platform's answers", marked)
        return marked

    async def store_reachable(self) -> bool:
        """Probe the store; True (and the outage ended) when it answers."""
        try:
            await asyncio.to_thread(self.store.ping)
        except Exception as exc:
            if not unavailable(exc):
                raise
            return False
        self.outage.back()
        return True

    async def claim_attempts(self, kind: str, ident: int) -> int:
        return await asyncio.to_thread(self.store.claim_attempts, kind, ident)

    async def mark_found(self, kind: str, ident: int, message_id: str | None) -> None:
        """A re-claimed post found on the platform: sent, without posting it again."""
        if kind == DELIVERY:
            await asyncio.to_thread(self.store.mark_recorded, ident, message_id)
        else:
            await asyncio.to_thread(self.store.mark_edition_recorded, ident, message_id)

    async def failed_deliveries(self) -> list[FailedDelivery]:
        return await asyncio.to_thread(self.store.failed_deliveries)

    async def retry_deliveries(self, ids: list[int] | None) -> list[int]:
        return await asyncio.to_thread(self.store.retry_deliveries, ids)

    async def with_failures(self, infos: list[SubscriptionInfo]) -> list[SubscriptionInfo]:
        """Each subscription with its deliveries given up for good and the last error."""
        if not infos:
            return infos
        failures = await asyncio.to_thread(self.store.failures_by_subscription)
        return [
            replace(i, failed_deliveries=failures[i.id][0], last_delivery_error=failures[i.id][1])
            if i.id in failures
            else i
            for i in infos
        ]
