"""Wirebrief's core: a dispatch becomes a digest. Pure functions, no I/O."""

from digests.model import Dateline, Digest, Dispatch, Quote, Speaker
from digests.summarise import summarise

__all__ = ["Dateline", "Digest", "Dispatch", "Quote", "Speaker", "summarise"]
