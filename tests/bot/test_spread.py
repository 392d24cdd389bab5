"""Instances walk the due posts in orders of their own (few claim races), each channel's posts
in the order they were owed."""

from __future__ import annotations

from bot.domain import ChannelRef
from bot.spread import spread
from bot.store.types import Candidate


def owed(channels: int, per_channel: int) -> list[Candidate]:
    return [
        Candidate(digest_id=d, channel=ChannelRef("discord", str(c), "g"), slot="arrival", subscription_id=c)
        for d in range(per_channel)
        for c in range(channels)
    ]


def test_each_channels_posts_keep_their_order() -> None:
    due = owed(channels=20, per_channel=3)
    for salt in (b"instance-1", b"instance-2"):
        walked = spread(due, salt)
        assert sorted(walked, key=lambda c: (c.channel.channel, c.digest_id)) == sorted(
            due, key=lambda c: (c.channel.channel, c.digest_id)
        )
        for channel in {c.channel for c in due}:
            assert [c.digest_id for c in walked if c.channel == channel] == [0, 1, 2]


def test_two_instances_start_on_different_channels() -> None:
    due = owed(channels=100, per_channel=1)
    first, second = spread(due, b"instance-1"), spread(due, b"instance-2")
    assert [c.channel for c in first] != [c.channel for c in second]
    # the first tenth one instance walks shares little with the other's first tenth
    assert len({c.channel for c in first[:10]} & {c.channel for c in second[:10]}) <= 5
