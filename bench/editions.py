"""Edition rendering figures: a 40-story edition from 3 sources against every Discord and
Slack limit, and what it costs next to posting the same stories one by one (the baseline,
measured in the same run).

    .venv/bin/python bench/editions.py [--stories 40] [--rounds 200]

The stories are made to press the limits (long headlines and quotes, three outlets each,
mentions and markup to escape). Figures: messages per edition (the first in the channel,
the rest in its thread), the largest message against each limit, stories shown (must equal
the stories in), and rendering time per edition against 40 single-digest renders. Times are
CPU seconds of this process (the machine may be shared); compare the ratio.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from adapters.discord.edition import edition_parts
from adapters.discord.render import _embed_size, digest_embed
from adapters.slack.blocks import digest_message
from adapters.slack.edition import edition_messages
from bot.domain import ChannelRef, Edition, EditionStory, Link
from digests.model import Digest, Quote

OUTLETS = ("Harbour Herald", "Valley Wire", "Coast Courier")


def edition(n: int) -> Edition:
    stories = []
    for i in range(n):
        outlet = OUTLETS[i % 3]
        also = tuple(Link(o, f"https://{o.split()[0].lower()}.example/{i}?utm=feed") for o in OUTLETS if o != outlet)
        quote = Quote(
            f"@everyone **{i}** " + "we will keep the harbour open all winter, whatever it takes " * 8,
            f"Speaker {i} Longname",
            "chief executive of the regional port authority",
            0,
            1,
        )
        stories.append(
            EditionStory(
                headline=f"Story {i}: council votes on the harbour dredging plan " + "after months of debate " * 12,
                source=Link(outlet, f"https://{outlet.split()[0].lower()}.example/{i}"),
                also=also[: i % 3],
                quote=quote if i % 4 else None,
                story_id=i,
            )
        )
    channel = ChannelRef("bench", "c")
    return Edition(channel, datetime(2025, 11, 27, 6, tzinfo=UTC), "Europe/Kyiv", tuple(stories), 3, 1)


def digests(ed: Edition) -> list[Digest]:
    return [
        Digest(s.headline, None, (s.quote,) if s.quote else (), (0,) if s.quote else (), "", url=s.source.url)
        for s in ed.stories
    ]


def cpu(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    for _ in range(rounds):
        fn()
    return (time.process_time() - start) / rounds


def discord_figures(ed: Edition) -> dict[str, object]:
    parts = edition_parts(ed)
    embeds = [e for p in parts for e in p.embeds]
    return {
        "messages (1 in channel + thread)": len(parts),
        "embeds per message, max (limit 10)": max(len(p.embeds) for p in parts),
        "embed characters per message, max (limit 6000)": max(sum(_embed_size(e) for e in p.embeds) for p in parts),
        "message text, max (limit 2000)": max(len(p.content) for p in parts),
        "embed title, max (limit 256)": max(len(e.title or "") for e in embeds),
        "embed description, max (limit 4096)": max(len(e.description or "") for e in embeds),
        "stories shown / in": f"{len(embeds)} / {len(ed.stories)}",
    }


def slack_figures(ed: Edition) -> dict[str, object]:
    messages = edition_messages(ed)
    blocks = [b for m in messages for b in m["blocks"]]
    sections = [b for b in blocks if b["type"] == "section"]
    return {
        "messages (1 in channel + thread)": len(messages),
        "blocks per message, max (limit 50)": max(len(m["blocks"]) for m in messages),
        "section text, max (limit 3000)": max(len(b["text"]["text"]) for b in sections),
        "header, max (limit 150)": max(len(b["text"]["text"]) for b in blocks if b["type"] == "header"),
        "fallback text, max (limit 3000)": max(len(m["text"]) for m in messages),
        "stories shown / in": f"{len(sections)} / {len(ed.stories)}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    ed = edition(args.stories)
    print(f"edition: {args.stories} stories from 3 sources — {ed.header}")
    for platform, figures in (("discord", discord_figures(ed)), ("slack", slack_figures(ed))):
        print(f"\n{platform}")
        for name, value in figures.items():
            print(f"  {name:<48} {value}")
    singles = digests(ed)
    edition_cpu = cpu(lambda: (edition_parts(ed), edition_messages(ed)), args.rounds)
    single_cpu = cpu(lambda: [(digest_embed(d), digest_message(d)) for d in singles], args.rounds)
    messages = len(edition_parts(ed)) + len(edition_messages(ed))
    print("\nagainst posting each story on its own (the baseline, same run)")
    print(f"  messages, both platforms: edition {messages} vs one by one {2 * len(singles)}")
    print(
        f"  render CPU per edition, both platforms: {edition_cpu * 1000:.2f} ms vs {single_cpu * 1000:.2f} ms "
        f"one by one (ratio {edition_cpu / single_cpu:.2f})"
    )


if __name__ == "__main__":
    main()
