"""A newsroom's first week, scripted: everything a user sees, printed in order.

    .venv/bin/python bench/first_week.py [--out first_week.txt]

Real Wirebrief (services on a temp SQLite store, the engine, the real Discord and Slack
adapters) against the local fake Discord and fake Slack, with 20 feeds on a local server:

* day 1 — desk editors subscribe 20 feeds (10 in Discord, 10 in Slack) with filters, caps,
  schedules in their zones and an opt-in breaking-news ping; the usual mistakes are refused;
* day 2 — news arrives: what posts where, which post pings whom, what a filter holds back;
* day 3 — 3 feeds break (moved away: 404; replaced by a web page; a server error): the notices;
* day 4 — 2 recover (the publisher fixes one, the desk follows the other to its new address):
  the replies, the posts, `status` everywhere; the third stays paused.

Each "day" is one or more real engine passes (poll every source, deliver what is due), so
the run is bounded by count, not by the clock; the whole script has a wall-clock bound too.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import logging
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.discord import create_platform as discord_platform  # noqa: E402
from adapters.discord.marker import visible  # noqa: E402
from adapters.slack import create_platform as slack_platform  # noqa: E402
from bot.app import Engine, open_services  # noqa: E402
from bot.config import load_settings  # noqa: E402
from tests.adapters.slack.conftest import ADMIN, CREATOR, SIGNING_SECRET, SlackClientSide  # noqa: E402
from tests.conftest import rss  # noqa: E402
from tests.distinct import story  # noqa: E402
from tests.fakes.discord_fake import AttachmentOption, ChannelOption, FakeDiscord, RoleOption  # noqa: E402
from tests.fakes.http_server import LocalServer, Reply, feed  # noqa: E402
from tests.fakes.slack_fake import FakeSlack  # noqa: E402

BOUND_SECONDS = 300
TITLES = [
    "Harbour Wire", "Culture Desk", "Wildlife Today", "Volcano Watch", "Labour Ledger", "Vine Report",
    "Coast Guard News", "Fisheries Bulletin", "Tunnel Times", "Dig Diary", "Chess Courier", "Cocoa Monitor",
    "Tram Tribune", "Temple Notes", "Olive Oil Post", "Lobster Line", "Glass Gazette", "Storm Desk",
    "Library Log", "Shipyard Signal",
]  # fmt: skip
WEB_PAGE = b"""<!doctype html><html><head><title>Cocoa Monitor has moved</title>
<link rel="alternate" type="application/rss+xml" href="/feeds/11-new.xml"></head>
<body><p>Our feed has a new home.</p></body></html>"""


COCOA = (
    "ABIDJAN, May 9 (Test Wire) - Cocoa farmers lifted their road blockades after the marketing board raised "
    'the farm-gate price.\n\n"We can finally sell our beans at a fair price," said Kouassi Yao, the growers\' '
    "union chairman.\n"
)
#: Platform time tokens, shown as a reader's client shows them (Slack: the fallback; Discord: the time).
_SLACK_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_DISCORD_TIME = re.compile(r"<t:(\d+):R>")


def as_seen(text: str) -> str:
    text = _SLACK_DATE.sub(r"\1", text)
    return _DISCORD_TIME.sub(lambda m: time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(m.group(1)))), text)


class Newsroom:
    """The fakes, the bot and the desk: every reply, post and notice is printed as it arrives."""

    def __init__(self, out: list[str]) -> None:
        self.out = out
        self.feeds = LocalServer()
        self.discord = FakeDiscord()
        self.slack = FakeSlack()
        self.items: dict[int, list[tuple[str, str, str]]] = {}
        self.seen_discord = 0
        self.seen_slack = 0
        self.counts = {"replies": 0, "posts": 0, "notices": 0, "pings": 0, "status lines": 0}

    def say(self, line: str = "") -> None:
        self.out.append(line)
        print(line, flush=True)

    # -- the world ---------------------------------------------------------------------------
    def url(self, n: int, suffix: str = "") -> str:
        return self.feeds.url(f"/feeds/{n}{suffix}.xml")

    def publish(self, n: int, guid: str, text: str, headline: str, suffix: str = "") -> None:
        self.items.setdefault(n, []).insert(0, (guid, headline, text))
        self.feeds.route(f"/feeds/{n}{suffix}.xml", feed(rss(self.items[n], title=TITLES[n])))

    async def start(self, tmp: Path) -> None:
        self.feeds.start()
        await self.discord.start()
        await self.slack.start()
        self.slack.add_user(ADMIN, admin=True)
        for channel in ("C1", "C2", "C3"):
            self.slack.add_channel(channel, creator=CREATOR)
        config = tmp / "wirebrief.toml"
        config.write_text(
            f"""platforms = ["discord", "slack"]
[store]
url = "sqlite:///{tmp / "week.sqlite3"}"
[fetch]
allow_private_addresses = true  # the local feed server only; every other private address stays refused
timeout_seconds = 3
[scheduler]
failure_limit = 3
pause_after_seconds = 3600
[console]
samples = false
[discord]
api_base = "{self.discord.api_base}"
gateway_url = "{self.discord.gateway_url}"
guild_ready_timeout = 0.05
[slack]
mode = "http"
port = 0
""",
            encoding="utf-8",
        )
        os.environ.update(
            WIREBRIEF_DISCORD_TOKEN="week-token",
            WIREBRIEF_SLACK_BOT_TOKEN="xoxb-week",
            WIREBRIEF_SLACK_SIGNING_SECRET=SIGNING_SECRET,
            WIREBRIEF_SLACK_API_BASE=self.slack.api_base,
        )
        self.settings = load_settings(config)
        self.services = await open_services(self.settings)
        self.platforms = [discord_platform(self.settings), slack_platform(self.settings)]
        for platform in self.platforms:
            await platform.start(self.services)
        self.engine = Engine(self.settings, self.services, self.platforms)
        self.side = SlackClientSide(self.slack, "http", self.platforms[1].events_url)

    async def stop(self) -> None:
        await self.side.close()
        await self.engine.stop()
        await self.services.aclose()
        await self.discord.close()
        await self.slack.close()
        self.feeds.stop()

    # -- what users type -----------------------------------------------------------------------
    def channel_name(self, cid: str) -> str:
        if cid in self.discord.threads:
            return f"{self.channel_name(self.discord.threads[cid])} (thread)"
        return f"#news-{self.discord.channel_ids.index(cid) + 1}" if cid in self.discord.channel_ids else cid

    async def on_discord(self, channel: int, sub: str, **options: Any) -> str:
        cid = self.discord.channel_ids[channel]
        shown = " ".join(f"{k}:{_shown(v, self.discord)}" for k, v in options.items())
        reply = await self.discord.wait_reply(await self.discord.send_command(sub, options, channel_id=cid))
        text = reply.get("content") or ""
        if reply.get("embeds"):
            text += "\n" + "\n".join(f"[embed] {e.get('title', '')}" for e in reply["embeds"])
        for name, data in (reply.get("_files") or {}).items():
            text += f"\n[file {name}, {len(data):,} bytes]"
        self._reply(f"discord {self.channel_name(cid)}", f"/digest {sub} {shown}".strip(), text)
        return text

    async def on_slack(self, channel: str, text: str) -> str:
        reply = await self.side.command(text, channel=channel)
        shown = html.unescape(reply.get("text", ""))  # Slack shows &lt; as <
        self._reply(f"slack #{channel.lower()}", f"/digest {text}".strip(), shown)
        return reply.get("text", "")

    def _reply(self, where: str, typed: str, text: str) -> None:
        self.counts["replies"] += 1
        lines = text.splitlines() or [""]
        self.say(f"[{where}] {typed}")
        for line in lines:
            self.say(f"    ↳ {as_seen(line)}")
            if line.lstrip().startswith(("last fetch", "last error", "source paused", "⏸", "⚠")):
                self.counts["status lines"] += 1

    # -- what arrives --------------------------------------------------------------------------
    async def run_pass(self) -> None:
        await self.engine.run_pass()
        self._discord_posts()
        self._slack_posts()

    def _discord_posts(self) -> None:
        requests = self.discord.requests[self.seen_discord :]
        self.seen_discord = len(self.discord.requests)
        for r in requests:
            if r.kind != "http" or r.method != "POST" or r.status != 200 or not isinstance(r.body, dict):
                continue
            body, where = r.body, None
            if r.path.startswith("/channels/") and r.path.endswith("/messages"):
                where = f"discord {self.channel_name(r.path.split('/')[2])}"
            elif r.path == f"/channels/{self.discord.forum_id}/threads":
                where, body = f"discord forum #stories, new post {body['name']!r}", body["message"]
            elif r.path.startswith("/webhooks/") and "hook-" in r.path:
                hook = self.discord.webhooks.get(r.path.split("/")[2], {})
                place = f"new forum post {body['thread_name']!r}" if body.get("thread_name") else ""
                name = (
                    self.channel_name(hook.get("channel_id", ""))
                    if hook.get("channel_id") != self.discord.forum_id
                    else "forum #stories"
                )
                where = f"discord {name} {place} as {body.get('username', '?')!r} (webhook)".replace("  ", " ")
            if where is None:
                continue
            for embed in body.get("embeds") or []:
                self._post(where, body.get("content"), embed)

    def _post(self, where: str, ping: str | None, embed: dict[str, Any]) -> None:
        title = embed.get("title", "")
        if title.startswith("Wirebrief paused"):
            self.counts["notices"] += 1
            self.say(f"[{where}] NOTICE {title}")
            self.say(f"    {embed.get('description', '')}")
            self.say(f"    (title links to {embed.get('url') or 'nowhere'})")
            return
        self.counts["posts"] += 1
        self.counts["pings"] += bool(ping)
        role = f"<@&{self.discord.breaking_role_id}>"
        pinged = f" — pings {ping.replace(role, '@Breaking News')}" if ping else ""
        footer = visible(embed.get("footer", {}).get("text", ""))  # without the delivery's zero-width marker
        self.say(f"[{where}] post: {title} · {footer}{pinged}")

    def _slack_posts(self) -> None:
        calls = self.slack.calls("chat.postMessage")
        fresh, self.seen_slack = calls[self.seen_slack :], len(calls)
        for call in fresh:
            where = f"slack #{call.body['channel'].lower()}" + (" (thread)" if call.body.get("thread_ts") else "")
            blocks = call.body.get("blocks") or []
            texts = [b["text"]["text"] for b in blocks if b.get("type") in ("header", "section") and "text" in b]
            if texts and texts[0].startswith("Wirebrief paused"):
                self.counts["notices"] += 1
                buttons = [e.get("url") for b in blocks if b["type"] == "actions" for e in b["elements"]]
                self.say(f"[{where}] NOTICE {texts[0]}")
                self.say(f"    {texts[1] if len(texts) > 1 else ''}")
                self.say(f"    (button: {buttons[0] if buttons else 'none'})")
                continue
            ping = texts[0] if texts and texts[0].startswith("<!subteam^") else None
            head = next((t for t in texts if not t.startswith("<!subteam^")), call.body.get("text", ""))
            self.counts["posts"] += 1
            self.counts["pings"] += bool(ping)
            self.say(f"[{where}] post: {head.splitlines()[0]}" + (f" — pings {ping}" if ping else ""))


def headline(text: str) -> str:
    """An item title as a feed would give it: the lead's clause ("ferry operators cancelled …")."""
    lead = text.split(" - ", 1)[1].split(" on Monday")[0]
    return lead.split(", ", 1)[1][0].upper() + lead.split(", ", 1)[1][1:]


def _shown(value: Any, fake: FakeDiscord) -> str:
    if isinstance(value, AttachmentOption):
        return f"{value.filename} ({value.size:,} bytes)"
    if isinstance(value, ChannelOption):
        return "#stories (forum)" if value.id == fake.forum_id else f"#{value.id}"
    if isinstance(value, RoleOption):
        names = {fake.breaking_role_id: "@Breaking News", fake.guild_id: "@everyone"}
        return names.get(value.id, f"@{value.id}")
    return f'"{value}"' if isinstance(value, str) and " " in value else str(value)


async def week(room: Newsroom) -> None:
    role = RoleOption(room.discord.breaking_role_id)
    for n in range(20):
        room.publish(n, f"{n}-a", story(n), headline(story(n)))

    room.say("== Day 1: the desks look before they subscribe")
    await room.on_discord(0, "preview", url=room.url(0), filter="-sport")
    await room.on_slack("C1", f'preview {room.url(10)} filter "breaking"')
    room.say("")
    room.say("== Day 1: the desks subscribe (10 feeds in Discord, 10 in Slack)")
    await room.on_discord(0, "subscribe", source=room.url(0), mention=role, mention_when="breaking, urgent")
    await room.on_discord(0, "subscribe", source=room.url(1), filter="-crocodile*", max_per_hour=5)
    await room.on_discord(0, "subscribe", source=room.url(2), backfill=0)
    await room.on_discord(0, "subscribe", source=room.url(3))
    await room.on_discord(1, "subscribe", source=room.url(4), schedule="weekdays 08:00", timezone="Europe/Kyiv")
    await room.on_discord(1, "subscribe", source=room.url(5), schedule="daily 08:00,18:00", timezone="Europe/Kyiv")
    await room.on_discord(1, "subscribe", source=room.url(6), schedule="hourly", filter="headline:/festival|harvest/")
    await room.on_discord(2, "subscribe", source=room.url(7), filter='"tunnel engineers", -strike')
    forum = ChannelOption(room.discord.forum_id)
    await room.on_discord(2, "subscribe", source=room.url(8), post_in=forum, post_as="Tunnel Desk")
    await room.on_discord(2, "subscribe", source=room.url(9), max_per_hour=2)
    await room.on_slack("C1", f'subscribe {room.url(10)} mention <!subteam^S0BREAK|@breaking> when "breaking"')
    await room.on_slack("C1", f'subscribe {room.url(11)} filter "-sport, -cricket"')
    await room.on_slack("C1", f"subscribe {room.url(12)} max 3")
    await room.on_slack("C2", f"subscribe {room.url(13)} daily 08:00 tz Europe/Lisbon")
    await room.on_slack("C2", f"subscribe {room.url(14)} weekdays 07:30 tz Asia/Tokyo backfill 2")
    await room.on_slack("C2", f'subscribe {room.url(15)} filter "speaker:Banda, lobster*"')
    await room.on_slack("C3", f'subscribe {room.url(16)} cron "0 6 * * 1-5" tz Europe/Oslo')
    await room.on_slack("C3", f"subscribe {room.url(17)} on arrival backfill 0")
    await room.on_slack("C3", f"subscribe {room.url(18)} hourly")
    await room.on_slack("C3", f"subscribe {room.url(19)}")
    room.say("-- the usual first-day mistakes")
    page = room.feeds.route("/cocoa.html", Reply(body=WEB_PAGE, headers={"Content-Type": "text/html"}))
    await room.on_slack("C1", f"subscribe {page}")
    await room.on_discord(0, "subscribe", source="http://10.0.0.5/feed.xml")
    await room.on_slack("C2", f"subscribe {room.url(13)} daily 25:00")
    await room.on_slack("C2", f'subscribe {room.url(13)} filter "strike')
    await room.on_slack("C1", f"subscribe {room.url(10)} mention <!channel>")
    await room.on_discord(0, "subscribe", source=room.url(0), mention=RoleOption(room.discord.guild_id))
    room.say("-- the first pass: backfills post")
    await room.run_pass()

    room.say("")
    room.say("== Day 2: news arrives")
    room.publish(0, "0-b", story(20).replace("ended", "BREAKING: ended"), headline(story(20)))
    room.publish(1, "1-b", story(21), headline(story(21)))
    room.publish(10, "10-b", story(22).replace("opened", "BREAKING: opened"), headline(story(22)))
    room.publish(12, "12-b", story(23), headline(story(23)))
    await room.run_pass()
    await room.on_discord(0, "list")
    await room.on_discord(1, "edition")
    await room.on_slack("C2", "edition")

    room.say("")
    room.say("== Day 3: three feeds break (moved away: 404; replaced by a web page; server errors)")
    room.feeds.route("/feeds/3.xml", Reply(404, b"Not Found", {"Content-Type": "text/html"}))
    room.feeds.route("/feeds/11.xml", Reply(body=WEB_PAGE, headers={"Content-Type": "text/html"}))
    room.feeds.route("/feeds/17.xml", Reply(503, b"Service Unavailable"))
    for n in range(1, 4):
        room.say(f"-- poll {n} after the break")
        await room.run_pass()
    await room.on_discord(0, "status")
    await room.on_slack("C1", "status")
    await room.on_slack("C3", "status")

    room.say("")
    room.say("== Day 4: two recover (Volcano Watch fixes its feed; Cocoa Monitor moved), one stays down")
    room.publish(3, "3-b", story(3, "back"), "Volcano observatory lowers the alert level")
    await room.on_discord(0, "subscribe", source=room.url(3))
    room.publish(11, "11-n", COCOA, "Cocoa farmers lift their road blockades", suffix="-new")
    await room.on_slack("C1", f'subscribe {room.url(11, "-new")} filter "-sport, -cricket"')
    await room.on_slack("C1", f"unsubscribe {room.url(11)}")
    await room.run_pass()
    await room.on_discord(0, "status")
    await room.on_slack("C1", "status")
    await room.on_slack("C3", "status")

    room.say("")
    room.say("== Day 5: the night desk copies the morning desk's feeds")
    await room.on_slack("C1", "export opml")
    opml = await room.services.export_subscriptions(_slack_ref("C1"), "opml")
    url = room.feeds.route("/c1.opml", Reply(body=opml.encode(), headers={"Content-Type": "text/x-opml"}))
    await room.on_slack("C2", f"import {url}")
    await room.on_discord(0, "export", format="json")
    exported = await room.services.export_subscriptions(_discord_ref(room, 0), "json")
    await room.on_discord(2, "import", file=room.discord.attach("news-1.json", exported.encode()))
    await room.on_discord(2, "list")


def _slack_ref(channel: str):  # type: ignore[no-untyped-def]
    from bot.domain import ChannelRef
    from tests.fakes.slack_fake import TEAM_ID

    return ChannelRef("slack", channel, TEAM_ID)


def _discord_ref(room: Newsroom, n: int):  # type: ignore[no-untyped-def]
    from bot.domain import ChannelRef

    return ChannelRef("discord", room.discord.channel_ids[n], room.discord.guild_id)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="also write the transcript here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    out: list[str] = []
    room = Newsroom(out)
    start, cpu = time.monotonic(), time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        await room.start(Path(tmp))
        try:
            async with asyncio.timeout(BOUND_SECONDS):
                await week(room)
        finally:
            await room.stop()
    room.say("")
    room.say(
        "== Figures: "
        + ", ".join(f"{v} {k}" for k, v in room.counts.items())
        + f"; {time.monotonic() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU"
    )
    if args.out:
        args.out.write_text("\n".join(out) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
