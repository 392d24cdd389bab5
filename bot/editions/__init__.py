"""Editions: a scheduled subscription's round-up, one message per fire time and channel.

Beside delivery, not inside it: ``build`` chooses and ranks what an edition holds (pure),
``bot.store.editions`` claims each edition exactly once and keeps which digests it carried,
and each adapter renders it within its platform's limits (overflow in a thread).
"""

from bot.editions.build import EditionItem, build_edition

__all__ = ["EditionItem", "build_edition"]
