"""GCRA buckets in this process's memory, and the types every bucket store shares.

GCRA keeps, per bucket, the theoretical arrival time (TAT) of the next request. A request
may go at ``TAT - tolerance`` (tolerance = ``(burst - 1) × interval``); reserving it moves the
TAT one interval past the later of that moment and the old TAT. A reservation therefore
spreads requests evenly instead of letting a window's worth through at once, which keeps
every one-second window under the limit even when requests reach the platform a few
milliseconds late or early.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    """One bucket: at most ``burst`` requests at once, then one per ``interval`` seconds."""

    key: str
    interval: float
    burst: int = 1

    @property
    def tolerance(self) -> float:
        return max(0, self.burst - 1) * self.interval


@dataclass(frozen=True)
class Reservation:
    """Seconds to wait before sending; ``reserved`` is False when the wait was longer than
    the caller accepts, in which case nothing was taken from any bucket."""

    wait: float
    reserved: bool


class MemoryBuckets:
    """The in-process store: a dict of TATs on a monotonic clock, pruned as it grows."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 50_000) -> None:
        self.clock = clock
        self.max_keys = max_keys
        self._tat: dict[str, float] = {}

    async def reserve(self, rates: Sequence[Rate], max_wait: float) -> Reservation:
        return self.reserve_now(rates, max_wait)

    def reserve_now(self, rates: Sequence[Rate], max_wait: float) -> Reservation:
        now = self.clock()
        tats = [max(self._tat.get(rate.key, now), now) for rate in rates]
        wait = max((tat - rate.tolerance - now for rate, tat in zip(rates, tats, strict=True)), default=0.0)
        wait = max(0.0, wait)
        if wait > max_wait:
            return Reservation(wait, False)
        send = now + wait
        for rate, tat in zip(rates, tats, strict=True):
            self._tat[rate.key] = max(tat, send) + rate.interval
        if len(self._tat) > self.max_keys:
            self._prune(now)
        return Reservation(wait, True)

    async def hold(self, rate: Rate, seconds: float) -> None:
        """No request in ``rate``'s bucket for ``seconds`` (the platform said so)."""
        now = self.clock()
        self._tat[rate.key] = max(self._tat.get(rate.key, now), now + seconds + rate.tolerance)

    def _prune(self, now: float) -> None:
        for key in [k for k, tat in self._tat.items() if tat < now]:
            del self._tat[key]

    async def close(self) -> None:
        return None
