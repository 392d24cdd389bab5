"""The console platform: the embedded default (prints each digest as a rich panel) and an
in-memory variant that records posts, for service and engine tests."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TextIO

from rich.console import Console

from adapters.console.render import render_edition, render_post, render_reply
from bot.domain import ChannelRef, Edition, Post, Reply
from bot.errors import ChannelGone, RateLimited
from bot.services import Services

log = logging.getLogger(__name__)


class ConsolePlatform:
    """Every console channel prints to the terminal, one panel at a time, in order."""

    name = "console"
    rate_per_second = 50.0
    concurrency = 1  # a terminal shows one panel at a time, oldest first

    def __init__(self, post_delay: float = 0.0, stream: TextIO | None = None) -> None:
        self._delay = post_delay
        self._stream = stream
        self._console: Console | None = None
        self.services: Services | None = None

    async def start(self, services: Services) -> None:
        self.services = services
        self._console = Console(file=self._stream or sys.stdout, highlight=False, soft_wrap=False)

    async def stop(self) -> None:
        self._flush()

    async def post(self, post: Post) -> str | None:
        if self._delay:
            await asyncio.sleep(self._delay)
        console = self._console or Console(file=self._stream or sys.stdout, highlight=False)
        console.print(render_post(post))
        self._flush()  # a post is printed the moment it counts as sent, even if we are killed next
        return None

    async def reply(self, reply: Reply) -> str | None:
        """A terminal has no threads: the reply is printed as an indented panel naming its story."""
        if self._delay:
            await asyncio.sleep(self._delay)
        console = self._console or Console(file=self._stream or sys.stdout, highlight=False)
        console.print(render_reply(reply))
        self._flush()
        return None

    async def edition(self, edition: Edition) -> str | None:
        """A terminal has no message limits: the whole edition is one panel."""
        if self._delay:
            await asyncio.sleep(self._delay)
        console = self._console or Console(file=self._stream or sys.stdout, highlight=False)
        console.print(render_edition(edition))
        self._flush()
        return None

    def _flush(self) -> None:
        stream = self._stream or sys.stdout
        try:
            stream.flush()
        except (OSError, ValueError):
            log.debug("console flush failed")


class MemoryPlatform:
    """Records posts instead of sending them; can be told a channel is gone or rate-limited,
    or to fail, so tests see what the engine does about it."""

    concurrency = 4

    def __init__(self, name: str = "console", rate_per_second: float = 1000.0, post_delay: float = 0.0) -> None:
        self.name = name
        self.rate_per_second = rate_per_second
        self.post_delay = post_delay
        self.posts: list[Post] = []
        self.replies: list[Reply] = []
        self.editions: list[Edition] = []
        self.gone: set[ChannelRef] = set()
        self.rate_limit_once: set[ChannelRef] = set()
        self.fail_times = 0
        self.started = False
        self.services: Services | None = None
        self._posted = asyncio.Event()

    async def start(self, services: Services) -> None:
        self.services = services
        self.started = True

    async def stop(self) -> None:
        self.started = False

    async def post(self, post: Post) -> str | None:
        await self._obstacles(post.channel)
        self.posts.append(post)
        self._posted.set()
        return f"m{len(self.posts)}"

    async def reply(self, reply: Reply) -> str | None:
        await self._obstacles(reply.channel)
        self.replies.append(reply)
        return f"r{len(self.replies)}"

    async def edition(self, edition: Edition) -> str | None:
        await self._obstacles(edition.channel)
        self.editions.append(edition)
        return f"e{len(self.editions)}"

    async def _obstacles(self, channel: ChannelRef) -> None:
        if self.post_delay:
            await asyncio.sleep(self.post_delay)
        if channel in self.gone:
            raise ChannelGone(f"{channel} was deleted")
        if channel in self.rate_limit_once:
            self.rate_limit_once.discard(channel)
            raise RateLimited(0.05)
        if self.fail_times > 0:
            self.fail_times -= 1
            raise ConnectionError("platform unreachable")

    def headlines(self, channel: ChannelRef | None = None) -> list[str]:
        return [p.digest.headline for p in self.posts if channel is None or p.channel == channel]
