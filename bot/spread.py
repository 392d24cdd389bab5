"""Several instances sharing one store walk the same list of due posts. In the same order,
every claim is a race: both try each candidate, one wins, and the loser's round trip to the
store is wasted (half of them, with two instances). Each instance walks the channels in an
order of its own instead (a per-process salted hash), so they meet rarely. The posts of one
channel keep their order: a story's first post before its replies, older digests first."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import TypeVar

from bot.store.types import Candidate

T = TypeVar("T", bound=Candidate)


def process_salt() -> bytes:
    return os.urandom(8)


def spread(candidates: Sequence[T], salt: bytes) -> list[T]:
    """``candidates`` ordered by a salted hash of their channel; stable, so each channel's
    candidates stay in the order given."""

    def key(candidate: T) -> bytes:
        return hashlib.blake2b(str(candidate.channel).encode(), key=salt, digest_size=8).digest()

    return sorted(candidates, key=key)
