"""A real HTTP server on 127.0.0.1 (port 0) that tests script route by route, and the fetcher
settings that let tests reach it (loopback only; everything else stays refused)."""

from __future__ import annotations

import pytest

from bot.config import FetchSettings
from bot.fetch import SafeFetcher
from tests.fakes.http_server import LocalServer, Reply, Route, Seen

__all__ = ["LocalServer", "Reply", "Route", "Seen", "loopback_settings"]


def loopback_settings(**overrides: object) -> FetchSettings:
    """Tests reach 127.0.0.1 only through the explicit switch; short deadline keeps them fast."""
    values: dict[str, object] = {"allow_private_addresses": True, "timeout_seconds": 2.0}
    values.update(overrides)
    return FetchSettings(**values)


@pytest.fixture
async def fetcher() -> SafeFetcher:
    f = SafeFetcher(loopback_settings())
    yield f
    await f.aclose()


@pytest.fixture
async def strict_fetcher() -> SafeFetcher:
    """Production settings: nothing private, not even loopback."""
    f = SafeFetcher(FetchSettings(allow_private_addresses=False, timeout_seconds=2.0))
    yield f
    await f.aclose()


@pytest.fixture(autouse=True)
def _no_fetch_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment beats explicit settings; a developer's shell must not flip these tests."""
    for name in ("WIREBRIEF_ALLOW_PRIVATE_ADDRESSES", "WIREBRIEF_FETCH_ALLOW_PRIVATE_ADDRESSES"):
        monkeypatch.delenv(name, raising=False)
    for key in ("TIMEOUT_SECONDS", "MAX_BYTES", "MAX_REDIRECTS", "USER_AGENT"):
        monkeypatch.delenv(f"WIREBRIEF_FETCH_{key}", raising=False)
