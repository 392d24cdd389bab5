"""A channel's subscriptions exported as OPML and JSON and imported elsewhere, with every
setting kept where it means something, and hostile or foreign files read safely."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.domain import ChannelRef
from bot.errors import UserInputError
from bot.exchange import MAX_ENTRIES, read_entries
from tests.bot.engine_harness import running_bot
from tests.conftest import rss
from tests.distinct import story
from tests.fakes.http_server import LocalServer, Reply, feed

DESK = ChannelRef("discord", "222", "111")
OTHER_DESK = ChannelRef("discord", "333", "111")
SLACK = ChannelRef("slack", "C1", "T1")
ROLE = "123456789012345678"


async def _desk(bot, server: LocalServer) -> list[str]:  # type: ignore[no-untyped-def]
    urls = [server.route(f"/f{n}.xml", feed(rss([(f"g{n}", f"Item {n}", story(n))], f"Feed {n}"))) for n in range(3)]
    await bot.services.subscribe(
        DESK, urls[0], filters="strike, -sport", max_per_hour=5, mention=ROLE, mention_when="breaking"
    )
    await bot.services.subscribe(
        DESK, urls[1], "weekdays 08:00", "Europe/Kyiv", target="forum:987654321098765432", empty="line"
    )
    await bot.services.subscribe(DESK, urls[2])
    return urls


@pytest.mark.parametrize("fmt", ["opml", "json"])
async def test_export_then_import_keeps_every_setting_where_it_applies(
    tmp_path: Path, store_url: str, server: LocalServer, fmt: str
) -> None:
    async with running_bot(tmp_path, store_url) as bot:
        urls = await _desk(bot, server)
        exported = await bot.services.export_subscriptions(DESK, fmt)
        if fmt == "opml":
            assert exported.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml')
            assert f'type="rss" xmlUrl="{urls[0]}"' in exported and 'wirebrief:filters="strike, -sport"' in exported
        else:
            assert json.loads(exported)["subscriptions"][1]["schedule"] == "weekdays at 08:00 (Europe/Kyiv)"

        same_platform = await bot.services.import_subscriptions(OTHER_DESK, exported.encode())
        assert same_platform.summary() == "Imported 3 of 3: 3 new."
        theirs = {s.source.url: s for s in await bot.services.subscriptions(OTHER_DESK)}
        assert theirs[urls[0]].options == (await bot.services.subscriptions(DESK))[0].options
        assert theirs[urls[1]].schedule.cron == "0 8 * * 1-5" and theirs[urls[1]].schedule.timezone == "Europe/Kyiv"
        assert theirs[urls[1]].options.target == "forum:987654321098765432"
        assert theirs[urls[1]].options.empty_line is True

        other_platform = await bot.services.import_subscriptions(SLACK, exported.encode())
        assert other_platform.summary() == (
            "Imported 3 of 3: 3 new; 2 mention, forum or poster setting(s) from another platform left out."
        )
        slack = {s.source.url: s for s in await bot.services.subscriptions(SLACK)}
        kept = slack[urls[0]].options
        assert (kept.filters, kept.max_per_hour, kept.mention, kept.target) == ("strike, -sport", 5, None, None)
        again = await bot.services.import_subscriptions(SLACK, exported.encode())
        assert again.summary().startswith("Imported 3 of 3: 0 new, 3 already here")


async def test_an_import_skips_what_fails_with_the_reason_and_keeps_the_rest(
    tmp_path: Path, store_url: str, server: LocalServer
) -> None:
    good = server.route("/good.xml", feed(rss([("a", "A", story(0))])))
    page = server.route("/page", Reply(body=b"<html><body>hello</body></html>", headers={"Content-Type": "text/html"}))
    opml = f"""<?xml version="1.0"?><opml version="1.0"><head/><body>
      <outline text="News"><outline text="Good" xmlurl="{good}"/><outline text="Page" xmlUrl="{page}"/></outline>
      <outline text="Private" type="rss" xmlUrl="http://10.0.0.9/feed"/><outline text="just a folder"/>
    </body></opml>""".encode()
    async with running_bot(tmp_path, store_url) as bot:
        report = await bot.services.import_subscriptions(SLACK, opml)
        text = report.summary()
        assert text.startswith("Imported 1 of 3: 1 new; skipped 2: ")
        assert f"{page}: Can't subscribe to {page}: it is a web page, not a feed" in text
        assert "http://10.0.0.9/feed: Can't subscribe" in text and "private network address" in text
        assert [s.source.url for s in await bot.services.subscriptions(SLACK)] == [good]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "empty"),
        (b"not a list", "neither JSON nor OPML"),
        (b'{"subscriptions": [{"name": "x"}]}', '"source"'),
        (b"<rss/>", "not OPML"),
        (b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body/></opml>', "neither JSON nor OPML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<opml><body><outline xmlUrl="&e;"/></body></opml>',
            "neither JSON nor OPML",
        ),
        (json.dumps([f"https://n{n}.example/feed" for n in range(MAX_ENTRIES + 1)]).encode(), "at most 200"),
        (b"{" + b" " * (1024 * 1024) + b"}", "over 1024 KB"),
    ],
)
def test_hostile_or_foreign_files_are_refused_in_one_line(data: bytes, why: str) -> None:
    with pytest.raises(UserInputError) as err:
        read_entries(data)
    assert why in str(err.value) and "\n" not in str(err.value)
