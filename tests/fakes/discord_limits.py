"""Discord's rate limits, enforced by the fake Discord when a test switches them on.

Global: at most ``per_second`` requests per bot token in any one-second window (a sliding
window: stricter than any fixed-window count, so what passes here passes Discord). Over it,
Discord's answer: 429 with ``Retry-After``, ``X-RateLimit-Global: true``,
``X-RateLimit-Scope: global``, ``Via`` (discord.py treats a 429 without it as a ban) and the
body ``{"message": …, "retry_after": …, "global": true}``. Interaction callbacks and
webhooks are exempt, as on Discord.

Per route (optional): messages to one channel, ``limit`` per ``window`` seconds in fixed
windows, described on every answer by the ``X-RateLimit-*`` headers discord.py reads.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web

EXEMPT = ("/interactions/", "/webhooks/")
_MESSAGES = re.compile(r"/channels/(\d+)/messages")


@dataclass
class _Window:
    start: float
    used: int = 0


@dataclass
class FakeLimits:
    per_second: int = 50
    #: (limit, window seconds) for POST /channels/{id}/messages per channel; None: not enforced.
    channel_messages: tuple[int, float] | None = None
    #: 429s answered, by scope ("global" or "user").
    refused: dict[str, int] = field(default_factory=lambda: {"global": 0, "user": 0})
    _recent: dict[str, deque[float]] = field(default_factory=dict)
    _windows: dict[str, _Window] = field(default_factory=dict)

    def check(self, method: str, path: str, auth: str) -> web.Response | None:
        """A 429 if this request is over a limit; else None, and the request is counted."""
        if path.startswith(EXEMPT):
            return None
        now = time.monotonic()
        recent = self._recent.setdefault(auth, deque())
        while recent and recent[0] <= now - 1.0:
            recent.popleft()
        if len(recent) >= self.per_second:
            return self._refuse("global", recent[0] + 1.0 - now)
        window = self._route_window(method, path, now)
        if window is not None and window.used >= self.channel_messages[0]:  # type: ignore[index]
            return self._refuse("user", window.start + self.channel_messages[1] - now)  # type: ignore[index]
        recent.append(now)
        if window is not None:
            window.used += 1
        return None

    def headers(self, method: str, path: str) -> dict[str, str]:
        """The X-RateLimit-* headers of an answer on a limited route (after ``check``)."""
        window = self._route_window(method, path, time.monotonic())
        if window is None or self.channel_messages is None:
            return {}
        limit, length = self.channel_messages
        reset_after = max(0.0, window.start + length - time.monotonic())
        return {
            "X-RateLimit-Bucket": hashlib.sha1(b"channel-messages").hexdigest()[:16],
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - window.used)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        }

    def _route_window(self, method: str, path: str, now: float) -> _Window | None:
        match = _MESSAGES.fullmatch(path) if method == "POST" and self.channel_messages else None
        if match is None:
            return None
        window = self._windows.get(match.group(1))
        if window is None or now >= window.start + self.channel_messages[1]:  # type: ignore[index]
            window = self._windows[match.group(1)] = _Window(now)
        return window

    def _refuse(self, scope: str, retry_after: float) -> web.Response:
        self.refused[scope] += 1
        retry_after = max(0.001, retry_after)
        body = {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": scope == "global",
        }
        headers = {
            "Content-Type": "application/json",
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Scope": scope,
            "Via": "1.1 google",
        }
        if scope == "global":
            headers["X-RateLimit-Global"] = "true"
        return web.Response(status=429, body=json.dumps(body).encode(), headers=headers)
