"""A large synthetic edition for rendering tests: ``n`` stories from three outlets, with
long headlines, long quotes with speakers and roles, several "also" outlets and hostile text
(mentions, markup) — to press every platform limit at once."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain import ChannelRef, Edition, EditionStory, Link
from digests.model import Quote

OUTLETS = ("Harbour Herald", "Valley Wire", "Coast Courier")


def big_edition(channel: ChannelRef, n: int = 40, edition_id: int | None = 7) -> Edition:
    stories = []
    for i in range(n):
        outlet = OUTLETS[i % 3]
        others = tuple(
            Link(name, f"https://{name.split()[0].lower()}.example/story/{i}?ref=feed&id={i * 7}")
            for name in OUTLETS
            if name != outlet
        )
        quote = Quote(
            f"Number {i + 1} @everyone <@&123> **bold** " + "we will keep the harbour open all winter " * 12,
            f"Speaker {i + 1} Surname-Longname",
            "chief executive of the regional port authority and chair of the harbour board",
            0,
            10,
        )
        stories.append(
            EditionStory(
                headline=f"Story {i + 1}: council votes on harbour dredging plan after months of " + "debate " * 30,
                source=Link(outlet, f"https://{outlet.split()[0].lower()}.example/story/{i}"),
                also=others[: i % 3],
                quote=quote if i % 5 else None,
                story_id=i + 1,
            )
        )
    return Edition(channel, datetime(2025, 11, 27, 6, 0, tzinfo=UTC), "Europe/Kyiv", tuple(stories), 3, edition_id)
