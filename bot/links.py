"""The link path: a URL someone pasted becomes a digest (fetch under the guard, extract, summarise).

``digest_link`` is what services call (one shared fetcher); ``digest_url`` is the
synchronous wrapper the ``wirebrief digest URL`` command uses.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.config import load_settings
from bot.fetch import SafeFetcher
from bot.sources.pages import fetch_article
from digests import Digest, summarise


async def digest_link(fetcher: SafeFetcher, url: str) -> Digest:
    """Fetch, extract and summarise; the summariser is CPU-bound, so it runs in a thread.

    Raises FetchError (``reason`` says why) for anything about the page.
    """
    dispatch = await fetch_article(fetcher, url)
    return await asyncio.to_thread(summarise, dispatch)


def digest_url(url: str, config: Path | None) -> Digest:
    """Synchronous link path for the CLI; settings (timeouts, caps, the test-only loopback
    switch) come from ``config`` and the environment."""
    settings = load_settings(config)

    async def run() -> Digest:
        async with SafeFetcher(settings.fetch) as fetcher:
            return await digest_link(fetcher, url)

    return asyncio.run(run())
