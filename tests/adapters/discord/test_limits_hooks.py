"""The limiter's hooks on discord.py's HTTP session, against a real local HTTP server: a request
held up between its rate-limit moment and its connection takes a new moment, and a global 429
holds every instance for the body's ``retry_after``, not the header's whole seconds."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from adapters.discord.limits import LATE_OK, DiscordLimits
from bot.ratelimit import Limiter, TooLong
from tests.fakes.http_server import LocalServer, Reply

MESSAGES = "/api/v10/channels/1/messages"


def _session(limits: DiscordLimits, *before: Any) -> aiohttp.ClientSession:
    """A session whose requests pass ``limits``, as discord.py's do (its ``http_trace``);
    ``before``: hooks on connection creation that run before the limiter's."""
    trace = aiohttp.TraceConfig()
    for hook in before:
        trace.on_connection_create_start.append(hook)
    limits.attach(trace)
    return aiohttp.ClientSession(trace_configs=[trace])


@pytest.mark.parametrize("held_up", [0.0, 0.3])
async def test_a_request_held_up_past_its_moment_before_it_is_written_takes_a_new_moment(
    server: LocalServer, held_up: float
) -> None:
    server.route(MESSAGES, Reply(200, b"{}", {"Content-Type": "application/json"}))
    limiter = Limiter("test")
    limits = DiscordLimits(limiter, server.url("/api/v10"))

    async def slow_connection(*_: object) -> None:  # opening the connection takes this long
        await asyncio.sleep(held_up)

    async with _session(limits, slow_connection) as session, session.get(server.url(MESSAGES)) as answer:
        assert answer.status == 200
    assert limiter.replanned == (1 if held_up > LATE_OK else 0)
    assert len(server.hits(MESSAGES)) == 1


async def test_a_global_429_holds_every_request_for_the_bodys_retry_after(server: LocalServer) -> None:
    body = {"message": "You are being rate limited.", "retry_after": 0.1, "global": True}
    headers = {"Content-Type": "application/json", "Retry-After": "5", "X-RateLimit-Global": "true", "Via": "1.1"}
    server.route(MESSAGES, Reply(429, json.dumps(body).encode(), headers))
    limiter = Limiter("test")
    limits = DiscordLimits(limiter, server.url("/api/v10"))
    async with _session(limits) as session, session.get(server.url(MESSAGES)) as answer:
        assert answer.status == 429
        assert await answer.json() == body  # discord.py still reads the body after the hook
    # held for 0.1 s, not 5: the header's whole seconds would have cost the token 240 requests
    await limiter.acquire([limits.global_rate], max_wait=2.0)


async def test_a_global_429_without_a_readable_body_holds_for_the_header(server: LocalServer) -> None:
    headers = {"Content-Type": "text/html", "Retry-After": "5", "X-RateLimit-Global": "true", "Via": "1.1"}
    server.route(MESSAGES, Reply(429, b"<html>slow down</html>", headers))
    limiter = Limiter("test")
    limits = DiscordLimits(limiter, server.url("/api/v10"))
    async with _session(limits) as session, session.get(server.url(MESSAGES)) as answer:
        assert answer.status == 429
    with pytest.raises(TooLong):
        await limiter.acquire([limits.global_rate], max_wait=2.0)
