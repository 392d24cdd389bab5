"""The Slack replay class of ``bench/hostile_corpus.py``: signed requests to the real
slack-bolt app (HTTP mode) on a local fake Slack. Each genuine command or mention is sent
once, then perhaps replayed byte for byte, retried as Slack retries (``X-Slack-Retry-Num``) or
re-signed; every fourth request is forged (a malformed or stale timestamp, a bad or missing
signature). What the fake Slack received is what the app acted on."""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from hostile_cases import slack_live
from hostile_corpus import Tally


async def run_slack(count: int, seed: int) -> Tally:
    """Genuine requests (a command or a mention, every third) each sent 1-3 times, as a replay
    or a Slack retry, then forged ones; acts are read off the fake Slack."""
    from urllib.parse import urlencode

    import pytest  # only for its MonkeyPatch: the rig reads the platform's secrets from the env

    from tests.adapters.slack.conftest import close_rig, open_rig, sign
    from tests.fakes.slack_fake import FakeSlack, event_payload, mention_event, slash_payload

    rng = random.Random(seed)
    tally = Tally("Slack replay", cases=count, replays=0, good=sum(n % 4 != 3 for n in range(count)))
    fake = FakeSlack()
    await fake.start()
    fake.add_user("UADMIN", admin=True)
    fake.add_user("UREADER")
    fake.add_channel("C1", creator="UADMIN")
    patch = pytest.MonkeyPatch()
    with tempfile.TemporaryDirectory() as tmp:
        wire = Path(tmp) / "wire"
        wire.mkdir()
        rig = await open_rig(Path(tmp), fake, wire, patch, "http")
        try:
            genuine: list[tuple[str, str]] = []  # (kind, key)
            for n in range(count):
                forged = n % 4 == 3
                if n % 3 == 2:
                    ts = f"1700000000.{n:06d}"
                    body, ctype, key = (
                        json.dumps(event_payload(mention_event("hello", ts=ts), event_id=f"EvH{n}")),
                        "application/json",
                        ts,
                    )
                else:
                    key = f"h{n}"
                    body, ctype = urlencode(slash_payload(fake, "help", key=key)), "application/x-www-form-urlencoded"
                sends = _sends(rng, forged, ctype)
                if not forged:
                    genuine.append(("event" if ctype == "application/json" else "command", key))
                else:
                    genuine.append(("forged-" + ("event" if ctype == "application/json" else "command"), key))
                stamp = int(time.time())
                for how in sends:
                    status = await _send(rig, body, ctype, how, stamp, sign)
                    if status >= 500:
                        tally.crashes += 1
                        tally.note(f"r{n} {how}: HTTP {status}")
            assert "subscriptions" in (await rig.side.command("list"))["text"].lower()  # all handled by now
            await asyncio.sleep(0.2)
            for kind, key in genuine:
                if kind.endswith("event"):
                    acts = [r for r in fake.calls("chat.postMessage") if r.body.get("thread_ts") == key]
                else:
                    acts = fake.responses(key)
                if kind.startswith("forged"):
                    tally.replays += len(acts)
                else:
                    tally.replays += max(0, len(acts) - 1)
                    tally.lost += 0 if acts else 1
                    if not acts:
                        tally.note(f"{kind} {key}: never answered")
                if len(acts) > (0 if kind.startswith("forged") else 1):
                    tally.note(f"{kind} {key}: acted on {len(acts)} times")
            for rec in fake.requests:  # nothing Wirebrief sent may page a channel
                _, pings, _ = slack_live(json.dumps(rec.body) if rec.body is not None else "")
                tally.pings += pings
        finally:
            await close_rig(rig)
            patch.undo()
            await fake.close()
    return tally


def _sends(rng: random.Random, forged: bool, ctype: str) -> list[str]:
    if forged:
        return rng.sample(["bad-timestamp", "stale", "bad-signature", "no-signature"], k=2)
    copies = ["replay", "retry"] if ctype == "application/json" else ["replay", "resigned"]
    return ["first", *rng.sample(copies, k=rng.randint(0, 2))]


async def _send(rig: Any, body: str, ctype: str, how: str, stamp: int, sign: Any) -> int:
    side = rig.side
    if how in ("first", "replay"):  # byte for byte the same request, inside the 5-minute window
        return (await side.post_signed(body, ctype, timestamp=stamp, signature=sign(body, stamp)))[0]
    if how == "retry":  # Slack's own retry: new timestamp and signature, same event_id
        return (
            await side.post_signed(
                body, ctype, extra={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
            )
        )[0]
    if how == "resigned":  # the same body signed afresh a moment later (a replay by someone with the secret's output)
        return (await side.post_signed(body, ctype, timestamp=stamp + 1, signature=sign(body, stamp + 1)))[0]
    if how == "stale":
        old = stamp - 600
        return (await side.post_signed(body, ctype, timestamp=old, signature=sign(body, old)))[0]
    if how == "bad-timestamp":
        return await _raw(
            side, body, ctype, {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": sign(body, stamp)}
        )
    if how == "bad-signature":
        return (await side.post_signed(body, ctype, timestamp=stamp, signature="v0=" + "0" * 64))[0]
    return await _raw(side, body, ctype, {"X-Slack-Request-Timestamp": str(stamp)})


async def _raw(side: Any, body: str, ctype: str, headers: dict[str, str]) -> int:
    async with side._session.post(
        side.events_url, data=body.encode(), headers={"Content-Type": ctype, **headers}
    ) as resp:
        return resp.status
