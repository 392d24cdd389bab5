"""The operations endpoints of `wirebrief run`, on aiohttp inside the bot's own event loop.

- ``/healthz`` — liveness: answered by the event loop itself, so a hung loop (the failure a
  restart cures) fails it, while a store or platform outage (which a restart does not cure) does not.
- ``/readyz`` — readiness: the store answers a query and every configured platform is started
  and connected; otherwise 503 with a JSON body naming what is not ready.
- ``/metrics`` — Prometheus text format (bot.ops.metrics).

Off unless ``[ops] port`` is set (see :class:`bot.config.OpsSettings` for why).
"""

from __future__ import annotations

import asyncio
import errno
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from bot.errors import ConfigError
from bot.ops import metrics
from bot.ops.store_stats import StoreStats
from bot.store.health import first_line

if TYPE_CHECKING:
    from bot.config import OpsSettings
    from bot.engine import Engine
    from bot.store import Store

log = logging.getLogger(__name__)

#: What the server answers (the container healthchecks' test checks against it).
ENDPOINTS = ("/healthz", "/readyz", "/metrics")
#: A store that has not answered ``SELECT 1`` within this many seconds is not ready.
STORE_PROBE_SECONDS = 2.0


class StoreProbe:
    """``SELECT 1`` in a worker thread, one at a time: a store that hangs (a black-holed
    PostgreSQL) costs one stuck thread, not one per probe."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._running: asyncio.Future[None] | None = None

    async def check(self) -> str | None:
        """None when the store answers; otherwise why not, in one line."""
        if self._running is None or self._running.done():
            self._running = asyncio.ensure_future(asyncio.to_thread(self._select_one))
        try:
            await asyncio.wait_for(asyncio.shield(self._running), STORE_PROBE_SECONDS)
        except TimeoutError:
            return f"no answer within {STORE_PROBE_SECONDS:g}s"
        except Exception as exc:
            return first_line(exc)
        return None

    def _select_one(self) -> None:
        with self.store.read() as session:
            session.execute(text("SELECT 1"))


class OpsServer:
    def __init__(self, settings: OpsSettings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        store = engine.services.store
        self.probe = StoreProbe(store)
        self.stats = StoreStats(store)
        self._runner: web.AppRunner | None = None
        self._unregister: Any = None
        self.port: int | None = None

    def app(self) -> web.Application:
        app = web.Application()
        for path, handler in zip(ENDPOINTS, (self.healthz, self.readyz, self.metrics_page), strict=True):
            app.router.add_get(path, handler)
        return app

    async def start(self) -> None:
        """Listen on ``[ops] host:port``; a port in use is one line for the operator."""
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            self._runner = None
            where = f"{self.settings.host}:{self.settings.port}"
            why = "the port is in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
            raise ConfigError(f"ops: cannot listen on {where} ({why}); set [ops] port (WIREBRIEF_OPS_PORT)") from None
        self._unregister = metrics.register(metrics.EngineCollector(self.engine, self.stats))
        self.port = self._runner.addresses[0][1] if self._runner.addresses else self.settings.port
        log.info("ops endpoints listening", extra={"url": f"http://{self.settings.host}:{self.port}/"})

    async def stop(self) -> None:
        if self._unregister is not None:
            self._unregister()
            self._unregister = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(self, _request: web.Request) -> web.Response:
        store_error = await self.probe.check()
        platforms = self.engine.platforms_ready()
        body: dict[str, Any] = {
            "store": "ok" if store_error is None else f"unreachable: {store_error}",
            "platforms": {name: "connected" if ok else "not connected" for name, ok in platforms.items()},
        }
        ready = store_error is None and all(platforms.values())
        body["status"] = "ready" if ready else "not ready"
        return web.json_response(body, status=200 if ready else 503)

    async def metrics_page(self, _request: web.Request) -> web.Response:
        await self.stats.refresh()
        body = generate_latest(metrics.REGISTRY)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def start_ops(settings: OpsSettings, engine: Engine) -> OpsServer | None:
    """The endpoint server, listening; None when ``[ops] port`` is 0 (off)."""
    if not settings.port:
        return None
    server = OpsServer(settings, engine)
    await server.start()
    return server
