"""How common a word is in English at large: the prior that keeps a burst of one story from
making its own words look common.

Document frequencies seen in the stream are the natural weights, but a fresh bot (or a stream
that opens with ten articles on one story) has seen too little: every shared word looks
ordinary. ``wordfreq``'s general-English frequencies stand in for documents not yet seen, as
pseudo-counts (see ``cluster.StoryIndex``). Only its small list is loaded (~30k words, ~30 ms):
rarer words all count as rare, which is what matters here.
"""

from __future__ import annotations

import math
from functools import lru_cache

#: Words in a typical article, to turn a per-token frequency into a per-document chance.
_WORDS_PER_ARTICLE = 400.0
#: The frequency given to words the list does not know (names, rare words).
_FLOOR = 2e-9


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en", "small")


def document_chance(word: str) -> float:
    """The chance that an English article contains ``word`` (lowercase), in (0, 1)."""
    freq = _frequencies().get(word, 0.0) + _FLOOR
    return -math.expm1(-freq * _WORDS_PER_ARTICLE)


def is_common(word: str, above: float = 3e-5) -> bool:
    """A capitalised sentence opener this common ("Speaking", "Working") is not a name."""
    return _frequencies().get(word, 0.0) > above
