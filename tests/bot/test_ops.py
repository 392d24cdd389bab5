"""The operations endpoints and JSON logs of a real `wirebrief run` process: /healthz, /readyz
(503 until the platforms connect, 503 while the store is unreachable), /metrics counting the
polls the process made against a local feed server, and log lines that parse as JSON."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sqlite3
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.bot.proc import WIREBRIEF, Bot, cli_env, panels, wait_until, wirebrief
from tests.conftest import rss, write_config
from tests.fakes.http_server import LocalServer, Reply, feed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, str]:
    """Status and body of GET http://127.0.0.1:port/path (a 503 is an answer, not an error)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a /metrics page, parsed by prometheus_client's own parser."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _feed_config(tmp_path: Path, server: LocalServer, **extra: Any) -> tuple[Path, str]:
    items = [("ops-1", "Harbour reopens", 'The harbour reopened on Monday, "at last," said Ana Ruiz, the port chief.')]
    url = server.route("/feed.xml", feed(rss(items)))
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite3'}", **extra)
    sub = wirebrief(tmp_path, "subscribe", url, "--config", str(config), "--backfill", "1")
    assert sub.returncode == 0, sub.stderr
    return config, url


def _sent(store: Path) -> int:
    with contextlib.closing(sqlite3.connect(store)) as db:
        return db.execute("SELECT count(*) FROM deliveries WHERE status = 'sent'").fetchone()[0]


def test_endpoints_of_a_running_bot_count_its_poll_and_post(tmp_path: Path, server: LocalServer) -> None:
    config, _ = _feed_config(tmp_path, server)
    port = free_port()
    bot = Bot(tmp_path, "bot", "--config", str(config), WIREBRIEF_OPS_PORT=str(port))
    try:
        wait_until(lambda: len(panels(bot.text())) >= 1, what="the feed's post on the console")
        wait_until(lambda: len(server.hits("/feed.xml")) >= 2, what="a poll after the subscribe check")
        wait_until(lambda: _sent(tmp_path / "store.sqlite3") == 1, what="the post marked sent (posting comes first)")
        health = get(port, "/healthz")
        ready = get(port, "/readyz")
        status, page = get(port, "/metrics")
    finally:
        assert bot.interrupt() == 0, bot.err.read_text()
    assert health == (200, json.dumps({"status": "ok"}))
    assert ready[0] == 200 and json.loads(ready[1]) == {
        "store": "ok",
        "platforms": {"console": "connected"},
        "status": "ready",
    }
    assert status == 200
    got = samples(page)
    polls = {labels[0][1]: v for (name, labels), v in got.items() if name == "wirebrief_polls_total"}
    assert polls["news"] + polls["no_news"] >= 1 and polls["failed"] == 0
    assert got[("wirebrief_deliveries", (("status", "sent"),))] == 1
    assert got[("wirebrief_post_seconds_count", (("outcome", "ok"), ("platform", "console")))] == 1
    assert got[("wirebrief_outbox_queue_depth", (("platform", "console"),))] == 0
    assert got[("wirebrief_platform_connected", (("platform", "console"),))] == 1
    assert got[("process_resident_memory_bytes", ())] > 0


def test_a_failing_feed_counts_as_a_fetch_error_by_kind(tmp_path: Path, server: LocalServer) -> None:
    config, _ = _feed_config(tmp_path, server, scheduler={"poll_interval_seconds": 5})
    server.route("/feed.xml", Reply(500, b"down"))  # the feed breaks after the subscribe
    port = free_port()
    bot = Bot(tmp_path, "bot", "--config", str(config), WIREBRIEF_OPS_PORT=str(port))
    try:
        wait_until(lambda: "poll failed" in bot.err.read_text(), what="the failed poll")
        _, page = get(port, "/metrics")
    finally:
        assert bot.interrupt() == 0, bot.err.read_text()
    got = samples(page)
    assert got[("wirebrief_polls_total", (("result", "failed"),))] >= 1
    assert got[("wirebrief_fetch_errors_total", (("kind", "http_status"),))] >= 1


def test_json_logs_parse_line_by_line(tmp_path: Path, server: LocalServer) -> None:
    config, url = _feed_config(tmp_path, server)
    server.route("/feed.xml", Reply(503, b"busy"))
    bot = Bot(tmp_path, "bot", "--config", str(config), WIREBRIEF_LOG_FORMAT="json")
    try:
        wait_until(lambda: "poll failed" in bot.err.read_text(), what="the failed poll's log line")
    finally:
        assert bot.interrupt() == 0, bot.err.read_text()
    lines = [line for line in bot.err.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line, including "running" and "stopping"
    for record in records:
        assert {"timestamp", "level", "logger", "message"} <= set(record)
        assert datetime.fromisoformat(record["timestamp"]).utcoffset() == UTC.utcoffset(None)
    failed = next(r for r in records if r["message"] == "poll failed")
    assert failed["level"] == "WARNING" and failed["logger"] == "bot.polling" and failed["source"] == url
    assert [r["message"] for r in records][-2:] == ["wirebrief: stopping", "engine stopped"]


def test_console_log_format_unchanged_by_default(tmp_path: Path, server: LocalServer) -> None:
    config, _ = _feed_config(tmp_path, server)
    bot = Bot(tmp_path, "bot", "--config", str(config))
    assert bot.interrupt() == 0
    err = bot.err.read_text()
    assert "wirebrief: running — Ctrl-C to stop" in err and "INFO bot.engine: engine started" in err
    assert not any(line.startswith("{") for line in err.splitlines())


def test_ops_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite3'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = wirebrief(tmp_path, "run", "--config", str(config), WIREBRIEF_OPS_PORT=str(port))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"wirebrief: error: ops: cannot listen on 127.0.0.1:{port} (the port is in use); "
        "set [ops] port (WIREBRIEF_OPS_PORT)"
    )


# --- readiness against platforms and stores the test controls (asyncio: servers in this loop) ---


async def _start(tmp_path: Path, config: Path, port: int, **env: str) -> asyncio.subprocess.Process:
    """A `wirebrief run` process, once its /healthz answers (start-up bounded by 30 s)."""
    proc = await asyncio.create_subprocess_exec(
        *WIREBRIEF, "run", "--config", str(config),
        env=cli_env(tmp_path, WIREBRIEF_OPS_PORT=str(port), **env), cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL, stderr=(tmp_path / "bot.err").open("w"),
    )  # fmt: skip
    for _ in range(300):
        if proc.returncode is not None:
            raise AssertionError(f"bot exited: {(tmp_path / 'bot.err').read_text()}")
        with contextlib.suppress(OSError):
            if (await asyncio.to_thread(get, port, "/healthz"))[0] == 200:
                return proc
        await asyncio.sleep(0.1)
    proc.kill()
    await proc.wait()
    raise AssertionError("the bot's /healthz never answered")


async def _stop(proc: asyncio.subprocess.Process, tmp_path: Path) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, (tmp_path / "bot.err").read_text()[-2000:]


async def _ready(port: int, want: int) -> dict[str, Any]:
    """/readyz's body once it answers ``want`` (5 s bound)."""
    for _ in range(100):
        status, body = await asyncio.to_thread(get, port, "/readyz")
        if status == want:
            return json.loads(body)
        await asyncio.sleep(0.05)
    raise AssertionError(f"/readyz never answered {want}; last: {status} {body}")


async def test_readyz_is_503_until_slack_has_connected(tmp_path: Path) -> None:
    """Slack's auth.test is held: the process is alive (/healthz) but not ready (/readyz names slack)."""
    from aiohttp import web

    release = asyncio.Event()

    async def auth_test(_request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response({"ok": True, "team_id": "T0OPS", "user_id": "U0BOT"})

    app = web.Application()
    app.router.add_post("/api/auth.test", auth_test)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    slack_port = runner.addresses[0][1]
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite3'}", extra="[slack]\nport = 0\n")
    port = free_port()
    env = {
        "WIREBRIEF_PLATFORMS": "slack",
        "WIREBRIEF_SLACK_BOT_TOKEN": "xoxb-ops",
        "WIREBRIEF_SLACK_SIGNING_SECRET": "ops-secret",
        "WIREBRIEF_SLACK_API_BASE": f"http://127.0.0.1:{slack_port}/api/",
    }
    proc = await _start(tmp_path, config, port, **env)
    try:
        waiting = await _ready(port, 503)
        assert waiting == {"store": "ok", "platforms": {"slack": "not connected"}, "status": "not ready"}
        release.set()
        assert (await _ready(port, 200))["platforms"] == {"slack": "connected"}
    finally:
        release.set()
        await _stop(proc, tmp_path)
        await runner.cleanup()


class TcpProxy:
    """127.0.0.1:<port> → PostgreSQL, which the test can cut (every connection closed, new ones
    refused) and restore on the same port: the store becoming unreachable, as a network fault."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers -= {writer, up_writer}


async def test_readyz_is_503_while_the_store_is_unreachable(tmp_path: Path, pg_url: str) -> None:
    proxy = TcpProxy(("127.0.0.1", 5432))
    await proxy.start()
    config = write_config(tmp_path, pg_url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/"))
    port = free_port()
    proc = await _start(tmp_path, config, port)
    try:
        assert (await _ready(port, 200))["store"] == "ok"
        await proxy.cut()
        down = await _ready(port, 503)
        assert down["store"].startswith("unreachable: ") and down["platforms"] == {"console": "connected"}
        assert (await asyncio.to_thread(get, port, "/healthz"))[0] == 200  # alive: a restart would not help
        await proxy.start()  # the same port again
        assert (await _ready(port, 200))["store"] == "ok"
    finally:
        await _stop(proc, tmp_path)
        with contextlib.suppress(Exception):
            await proxy.cut()


@pytest.mark.parametrize(
    ("toml", "error"),
    [
        ("[ops]\nprot = 9464\n", "config: ops.prot: unknown key (did you mean 'port'?) (see config.example.toml)"),
        ("[ops]\nport = 70000\n", "config: ops.port: Input should be less than or equal to 65535"),
        ('[log]\nformat = "xml"\n', "config: log.format: Input should be 'console' or 'json'"),
    ],
)
def test_bad_ops_and_log_settings_are_one_line(tmp_path: Path, toml: str, error: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(toml, encoding="utf-8")
    done = wirebrief(tmp_path, "run", "--config", str(config))
    assert done.returncode == 2 and done.stderr.strip() == f"wirebrief: error: {error}"
