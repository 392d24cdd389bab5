"""Exactly once under crashes and a store outage, on the real `wirebrief run` process.

One bot process posts a fan-out (stories × channels) to the fake Discord AND the fake Slack,
on PostgreSQL reached through a loopback proxy (the shared server is never stopped):

* ``kill``: the process is killed with SIGKILL ten times during the fan-out and restarted.
  Odd rounds kill it while every channel holds its next post's answer (the post exists on
  the platform, the bot does not know it: the stale claim must find it there); even rounds
  kill at a random moment (often between the platform's answer and the store's mark: the
  journal must mark it).
* ``outage``: the proxy drops every connection to PostgreSQL and refuses new ones for 30 s
  in the middle of the fan-out.

Printed per scenario: posts expected, lost posts, second posts, re-sends that relied on a
nonce (Discord answered from its nonce memory), and the bot's ERROR and traceback lines.
Bounded: every wait has a deadline; all servers bind 127.0.0.1.

    .venv/bin/python bench/crash_fanout.py                 # both scenarios
    .venv/bin/python bench/crash_fanout.py --scenario kill --channels 20 --kills 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.discord.marker import message_markers  # noqa: E402
from tests.distinct import story  # noqa: E402
from tests.fakes.discord_fake import FakeDiscord  # noqa: E402
from tests.fakes.slack_fake import FakeSlack  # noqa: E402
from tests.fakes.tcp_proxy import CuttableProxy  # noqa: E402

PG = "host=127.0.0.1 port=5432 user={user} dbname={db} connect_timeout=5"
WIREBRIEF = [sys.executable, "-c", "from bot.cli import main; main()"]


class Run:
    def __init__(self, args: argparse.Namespace, root: Path) -> None:
        self.args = args
        self.root = root
        self.discord = FakeDiscord(channels=args.channels)
        self.slack = FakeSlack()
        self.slack_channels = [f"C{n:04d}" for n in range(args.channels)]
        self.proxy = CuttableProxy().start()
        self.schema = f"wb_bench_{uuid.uuid4().hex[:10]}"
        user = os.environ.get("WIREBRIEF_TEST_PG_USER", "postgres")
        db = os.environ.get("WIREBRIEF_TEST_PG_DB", "test")
        self.dsn = PG.format(user=user, db=db)
        self.url = f"postgresql+psycopg://{user}@127.0.0.1:{self.proxy.port}/{db}?options=-csearch_path%3D{self.schema}"
        self.logs: list[Path] = []
        self.proc: asyncio.subprocess.Process | None = None

    # -- set-up -------------------------------------------------------------------------------
    async def setup(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{self.schema}"')
        await self.discord.start()
        await self.slack.start()
        wire = self.root / "desk"
        wire.mkdir()
        for n in range(self.args.stories):
            path = wire / f"s{n:02d}.txt"
            path.write_text(story(n, f"Bench-{n:02d}"), encoding="utf-8")
            os.utime(path, (time.time() - 600, time.time() - 600))
        self.config = self.root / "wirebrief.toml"
        self.config.write_text(
            f'platforms = ["discord", "slack"]\n[store]\nurl = "{self.url}"\n'
            "[scheduler]\nclaim_timeout_seconds = 3\nwire_interval_seconds = 2\nwire_settle_seconds = 0\n"
            f'[wires]\ndesk = "{wire}"\n[console]\nsamples = false\n'
            f'[discord]\napi_base = "{self.discord.api_base}"\ngateway_url = "{self.discord.gateway_url}"\n'
            "guild_ready_timeout = 0.05\n"
            f'[slack]\napi_base = "{self.slack.api_base}"\nmode = "http"\nport = 0\n',
            encoding="utf-8",
        )
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("WIREBRIEF_")},
            "XDG_DATA_HOME": str(self.root / "data"),
            "WIREBRIEF_DISCORD_TOKEN": "bench-token",
            "WIREBRIEF_SLACK_BOT_TOKEN": "xoxb-bench",
            "WIREBRIEF_SLACK_SIGNING_SECRET": "bench-secret",
            "PYTHONUNBUFFERED": "1",
        }
        await self._subscribe()

    async def _subscribe(self) -> None:
        """Every channel on both platforms subscribes to the desk (in-process, one store)."""
        os.environ["XDG_DATA_HOME"] = str(self.root / "data")
        from bot.app import open_services
        from bot.config import load_settings
        from bot.domain import ChannelRef

        services = await open_services(load_settings(self.config))
        try:
            for cid in self.discord.channel_ids:
                ref = ChannelRef("discord", cid, self.discord.guild_id)
                await services.subscribe(ref, "desk", backfill=self.args.stories)
            for cid in self.slack_channels:
                await services.subscribe(ChannelRef("slack", cid, "T0TEST"), "desk", backfill=self.args.stories)
        finally:
            await services.aclose()

    async def close(self) -> None:
        await self.stop_bot(signal.SIGKILL)
        await self.discord.close()
        await self.slack.close()
        self.proxy.close()
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')

    # -- the bot --------------------------------------------------------------------------------
    async def start_bot(self) -> None:
        log = self.root / f"bot-{len(self.logs)}.err"
        self.logs.append(log)
        self.proc = await asyncio.create_subprocess_exec(
            *WIREBRIEF, "run", "--config", str(self.config),
            env=self.env, cwd=self.root, stdout=asyncio.subprocess.DEVNULL, stderr=log.open("w"),
        )  # fmt: skip

    async def stop_bot(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.send_signal(sig)
        try:
            await asyncio.wait_for(self.proc.wait(), 15)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()

    # -- what the platforms hold --------------------------------------------------------------
    def posted(self) -> int:
        discord = sum(len(self.discord.messages.get(c, [])) for c in self.discord.channel_ids)
        return discord + sum(len(v) for v in self.slack.messages.values())

    def expected(self) -> int:
        return 2 * self.args.channels * self.args.stories

    def tally(self) -> tuple[int, int]:
        """(lost, second posts): per channel, how often each story's token was posted."""
        counts: Counter[tuple[str, str, int]] = Counter()
        for cid in self.discord.channel_ids:
            for m in self.discord.messages.get(cid, []):
                text = str(m.get("embeds"))
                for n in range(self.args.stories):
                    counts[("discord", cid, n)] += f"Bench-{n:02d}" in text
        for cid in self.slack_channels:
            for m in self.slack.messages.get(cid, []):
                text = str(m.get("blocks")) + str(m.get("text"))
                for n in range(self.args.stories):
                    counts[("slack", cid, n)] += f"Bench-{n:02d}" in text
        keys = [(p, c, n) for p, cs in (("discord", self.discord.channel_ids), ("slack", self.slack_channels))
                for c in cs for n in range(self.args.stories)]  # fmt: skip
        lost = sum(1 for k in keys if counts[k] == 0)
        second = sum(counts[k] - 1 for k in keys if counts[k] > 1)
        return lost, second

    def markers_twice(self) -> int:
        """Messages carrying a delivery marker already seen (a second copy of one delivery)."""
        seen: Counter[str] = Counter()
        for cid in self.discord.channel_ids:
            for m in self.discord.messages.get(cid, []):
                seen.update(message_markers(m))
        for msgs in self.slack.messages.values():
            for m in msgs:
                payload = (m.get("metadata") or {}).get("event_payload") or {}
                if "delivery" in payload:
                    seen[f"s{payload['delivery']}"] += 1
        return sum(n - 1 for n in seen.values() if n > 1)

    def log_lines(self) -> tuple[int, int, list[str]]:
        """(ERROR lines, tracebacks, the first few of each) in every bot process's log."""
        errors = tracebacks = 0
        shown: list[str] = []
        for log in self.logs:
            lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
            for n, line in enumerate(lines):
                if " ERROR " in line or line.startswith("Traceback"):
                    errors += " ERROR " in line
                    tracebacks += line.startswith("Traceback")
                    if len(shown) < 6:
                        shown.append(line[:300] if " ERROR " in line else " | ".join(lines[n : n + 40])[-600:])
        return errors, tracebacks, shown

    def recoveries(self) -> tuple[int, int]:
        """(re-claimed posts found on the platform instead of posted again, posts marked sent
        from the journal): evidence the kills and the cut hit the window between post and mark."""
        found = marked = 0
        for log in self.logs:
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
                found += "not posting it again" in line
                if "journal: marked " in line:
                    marked += int(line.split("journal: marked ")[1].split()[0])
        return found, marked

    async def until(self, predicate, bound: float) -> bool:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            if predicate():
                return True
            if self.proc is not None and self.proc.returncode is not None:
                return predicate()
            await asyncio.sleep(0.05)
        return predicate()

    def hold_everything(self) -> list[asyncio.Event]:
        events = [self.discord.hold_next_message(cid) for cid in self.discord.channel_ids]
        events += [self.slack.hold_next_post(cid) for cid in self.slack_channels]
        return events


async def scenario_kill(run: Run) -> dict[str, object]:
    kills = 0
    rng = random.Random(7)
    for round_ in range(run.args.kills):
        await run.start_bot()
        before = run.posted()
        step = max(2, run.expected() // (run.args.kills * 3))
        if not await run.until(lambda b=before, k=step: run.posted() >= b + k, 60):
            break  # the fan-out finished before this round
        if round_ % 2 == 0:
            events = run.hold_everything()
            held = run.posted()
            await run.until(lambda h=held: run.posted() >= h + 2, 5)  # posts made, answers held
        else:
            events = []
            await asyncio.sleep(rng.uniform(0.0, 0.4))
        await run.stop_bot(signal.SIGKILL)
        kills += 1
        for event in events:
            event.set()
        run.discord._holds.clear()
        run.slack._holds.clear()
    await run.start_bot()
    done = await run.until(lambda: run.posted() >= run.expected(), 120)
    await asyncio.sleep(4)  # sweeps and stale claims (timeout 3 s) once more: nothing twice
    await run.stop_bot()
    return {"kills": kills, "complete": done}


async def scenario_outage(run: Run) -> dict[str, object]:
    await run.start_bot()
    await run.until(lambda: run.posted() >= max(4, run.expected() // 5), 90)
    at = run.posted()
    run.proxy.cut()
    await asyncio.sleep(run.args.outage)
    run.proxy.restore()
    during = run.posted() - at
    done = await run.until(lambda: run.posted() >= run.expected(), 120)
    await asyncio.sleep(4)
    await run.stop_bot()
    return {"cut at posts": at, "posts during cut": during, "refused connections": run.proxy.cut_refused,
            "complete": done}  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=("kill", "outage", "both"), default="both")
    parser.add_argument("--channels", type=int, default=30, help="channels per platform")
    parser.add_argument("--stories", type=int, default=3)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--outage", type=float, default=30.0, help="seconds PostgreSQL is cut")
    args = parser.parse_args()
    for name in ("kill", "outage") if args.scenario == "both" else (args.scenario,):
        with tempfile.TemporaryDirectory(prefix=f"wb-{name}-") as tmp:
            run = Run(args, Path(tmp))
            started = time.monotonic()
            try:
                await run.setup()
                extra = await (scenario_kill(run) if name == "kill" else scenario_outage(run))
                lost, second = run.tally()
                errors, tracebacks, shown = run.log_lines()
                print(f"== {name}: {args.channels} Discord + {args.channels} Slack channels × {args.stories} stories")
                for key, value in extra.items():
                    print(f"  {key}: {value}")
                print(f"  posts expected: {run.expected()}  on the platforms: {run.posted()}")
                print(f"  lost posts: {lost}")
                print(f"  second posts: {second}  (deliveries posted twice by marker: {run.markers_twice()})")
                print(f"  re-sends that relied on a nonce: {run.discord.nonce_replays}")
                found, marked = run.recoveries()
                print(f"  re-claimed posts found on the platform: {found}  marked from the journal: {marked}")
                print(f"  ERROR lines: {errors}  tracebacks: {tracebacks}  (bot processes: {len(run.logs)})")
                print(f"  wall: {time.monotonic() - started:.0f} s")
                for line in shown:
                    print(f"    {line}")
            finally:
                await run.close()


if __name__ == "__main__":
    asyncio.run(main())
