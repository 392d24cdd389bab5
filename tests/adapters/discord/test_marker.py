"""The delivery marker in a Discord message: invisible to readers, read back from what the
REST API returns, and never pushing a message past Discord's 6,000 embed characters."""

from __future__ import annotations

import discord
from hypothesis import given
from hypothesis import strategies as st

from adapters.discord.marker import mark, markers_in, message_markers, visible


@given(st.from_regex(r"[de][0-9]{1,12}(\.[0-9]{1,3})?", fullmatch=True))
def test_a_marker_reads_back_and_shows_nothing(marker: str) -> None:
    embed = discord.Embed(title="Strike ends")
    embed.set_footer(text="Harbour Wire")
    marked = mark({"embed": embed}, marker)["embed"]
    assert markers_in(marked.footer.text) == {marker}
    assert visible(marked.footer.text) == "Harbour Wire"
    assert message_markers({"content": "", "embeds": [marked.to_dict()]}) == {marker}


def test_a_full_embed_gives_up_its_last_field_not_the_limit() -> None:
    embed = discord.Embed(title="t" * 256)
    embed.set_footer(text="Harbour Wire")
    for n in range(20):
        embed.add_field(name=f"Speaker {n}", value="q" * 60)
    embed.description = "d" * (5995 - len(embed))  # a renderer filled it to the limit
    assert len(embed) == 5995
    marked = mark({"embed": embed}, "d123456")["embed"]
    assert len(marked) <= 6000 and markers_in(marked.footer.text) == {"d123456"}
    assert 17 <= len(marked.fields) < 20 and len(embed.fields) == 20  # the copy made room; the original is untouched


def test_a_message_without_embeds_carries_it_in_its_text() -> None:
    kwargs = mark({"content": "**Morning edition**"}, "e7.0")
    assert visible(kwargs["content"]) == "**Morning edition**" and markers_in(kwargs["content"]) == {"e7.0"}
