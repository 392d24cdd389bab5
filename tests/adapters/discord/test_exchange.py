"""`/digest export` (a file only the caller sees) and `/digest import file:` (an attached OPML)
in Discord, through the real commands and the fake Discord."""

from __future__ import annotations

from tests.conftest import rss
from tests.distinct import story
from tests.fakes.discord_fake import FakeDiscord, RoleOption
from tests.fakes.http_server import LocalServer, feed


async def test_export_a_channel_and_import_the_file_into_another(fake: FakeDiscord, platform, server: LocalServer):
    one = server.route("/one.xml", feed(rss([("a", "A", story(0))], "Harbour Wire")))
    two = server.route("/two.xml", feed(rss([("b", "B", story(1))], "Culture Desk")))
    first, second = fake.channel_ids[0], fake.channel_ids[1]
    role = RoleOption(fake.breaking_role_id)
    for options in ({"source": one, "filter": "-sport", "mention": role}, {"source": two, "schedule": "daily 08:00"}):
        await fake.wait_reply(await fake.send_command("subscribe", options, channel_id=first))

    exported = await fake.wait_reply(await fake.send_command("export", {"format": "opml"}, channel_id=first))
    assert exported["ephemeral"] is True and exported["content"].startswith("This channel's subscriptions as OPML")
    ((name, data),) = exported["_files"].items()
    assert name == f"wirebrief-{first}.opml"
    assert f'xmlUrl="{one}"'.encode() in data and b'wirebrief:mention="' in data
    assert b'wirebrief:cron="0 8 * * *"' in data

    upload = fake.attach("subscriptions.opml", data)
    refused = await fake.wait_reply(
        await fake.send_command("import", {"file": upload}, channel_id=second, permissions=0)
    )
    assert "needs the Manage Channels permission" in refused["content"]
    imported = await fake.wait_reply(await fake.send_command("import", {"file": upload}, channel_id=second))
    assert imported["content"] == "Imported 2 of 2: 2 new."
    assert imported["ephemeral"] is False and imported["allowed_mentions"] == {"parse": []}
    listing = await fake.wait_reply(await fake.send_command("list", channel_id=second))
    text = listing["content"].replace("\\", "")
    assert "Harbour Wire" in text and "filter: -sport" in text and f"mention role {fake.breaking_role_id}" in text
    assert "daily at 08:00" in text

    nothing = await fake.wait_reply(await fake.send_command("import", {}, channel_id=second))
    assert nothing["content"].startswith("Attach an OPML or JSON file")
