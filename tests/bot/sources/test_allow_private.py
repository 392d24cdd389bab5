"""``[fetch] allow_private``: an operator opens a newsroom's own private hosts and networks, and
nothing else: every other SSRF rule holds for every resolved address and every redirect hop."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from bot.allowlist import parse_allow_list
from bot.config import FetchSettings, load_settings
from bot.errors import ConfigError, FetchError
from bot.fetch import SafeFetcher, check_addresses
from tests.bot.sources.conftest import LocalServer, Reply, loopback_settings

ALLOW = ["10.1.2.0/24", "cms.internal", "*.wires.corp", "fd12:3456::/48"]


def ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


def test_listed_networks_and_hosts_open_their_private_addresses_only() -> None:
    allow = parse_allow_list(ALLOW)
    check_addresses("feeds.lan", [ip("10.1.2.3")], allow_loopback=False, allow=allow)  # listed network
    check_addresses("cms.internal", [ip("192.168.7.7")], allow_loopback=False, allow=allow)  # listed host
    check_addresses("CMS.internal.", [ip("10.99.0.1")], allow_loopback=False, allow=allow)  # any spelling
    check_addresses("ap.wires.corp", [ip("172.16.0.9")], allow_loopback=False, allow=allow)  # wildcard
    check_addresses("x.lan", [ip("fd12:3456::1"), ip("::ffff:10.1.2.4")], allow_loopback=False, allow=allow)
    refused = [
        ("feeds.lan", "10.1.3.1"),  # outside the listed network
        ("wires.corp", "10.9.9.9"),  # the wildcard names subdomains, not the bare domain
        ("cms.internal", "127.0.0.1"),  # loopback is never opened
        ("cms.internal", "169.254.169.254"),  # cloud metadata is never opened
        ("cms.internal", "169.254.10.10"),  # nor link-local
        ("cms.internal", "0.0.0.0"),
        ("cms.internal", "64:ff9b::a01:203"),  # NAT64 of a listed address stays refused
    ]
    for host, address in refused:
        with pytest.raises(FetchError) as err:
            check_addresses(host, [ip(address)], allow_loopback=False, allow=allow)
        assert err.value.reason == "address_refused", (host, address)


def test_one_unlisted_address_still_refuses_a_listed_host() -> None:
    allow = parse_allow_list(["10.1.2.0/24"])
    with pytest.raises(FetchError):
        check_addresses("mixed.lan", [ip("10.1.2.3"), ip("10.7.7.7")], allow_loopback=False, allow=allow)


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("8.8.8.0/24", "not inside a private network"),
        ("0.0.0.0/0", "not inside a private network"),
        ("169.254.169.254", "not inside a private network"),
        ("127.0.0.1", "not inside a private network"),
        ("http://cms.internal/", "neither a host name"),
        ("cms internal", "neither a host name"),
    ],
)
def test_the_config_refuses_entries_that_would_open_more_than_a_lan(tmp_path: Path, entry: str, why: str) -> None:
    config = tmp_path / "wirebrief.toml"
    config.write_text(f'[fetch]\nallow_private = ["10.0.0.0/8", "{entry}"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(config)
    assert str(err.value).startswith("config: fetch.allow_private") and why in str(err.value)


def test_the_list_comes_from_the_file_or_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert FetchSettings().allow_private == []  # nothing is open by default
    config = tmp_path / "wirebrief.toml"
    config.write_text('[fetch]\nallow_private = ["cms.internal"]\n', encoding="utf-8")
    assert load_settings(config).fetch.allow_private == ["cms.internal"]
    monkeypatch.setenv("WIREBRIEF_FETCH_ALLOW_PRIVATE", '["10.1.2.0/24"]')
    assert load_settings(config).fetch.allow_private == ["10.1.2.0/24"]


async def test_a_listed_address_is_dialled_and_an_unlisted_one_refused(server: LocalServer) -> None:
    """Through the real fetcher: a listed private address gets past the guard (whatever the
    network then answers: nothing of ours listens there), an unlisted one is refused unread."""
    fetcher = SafeFetcher(FetchSettings(allow_private=["10.1.2.0/24"], timeout_seconds=1.0))
    try:
        with pytest.raises(FetchError) as listed:
            await fetcher.get("http://10.1.2.3:9/feed")
        assert listed.value.reason != "address_refused", listed.value
        with pytest.raises(FetchError) as unlisted:
            await fetcher.get("http://10.1.3.3:9/feed")
        assert unlisted.value.reason == "address_refused"
    finally:
        await fetcher.aclose()


async def test_every_redirect_hop_is_checked_against_the_list(server: LocalServer) -> None:
    to_unlisted = server.route("/to-unlisted", Reply(302, headers={"Location": "http://10.1.3.3:9/x"}))
    to_metadata = server.route("/to-metadata", Reply(302, headers={"Location": "http://169.254.169.254/x"}))
    to_listed = server.route("/to-listed", Reply(302, headers={"Location": "http://10.1.2.3:9/x"}))
    fetcher = SafeFetcher(loopback_settings(allow_private=["10.1.2.0/24"], timeout_seconds=1))
    try:
        for url in (to_unlisted, to_metadata):
            with pytest.raises(FetchError) as err:
                await fetcher.get(url)
            assert err.value.reason == "address_refused", url
        with pytest.raises(FetchError) as err:
            await fetcher.get(to_listed)
        assert err.value.reason != "address_refused", err.value
    finally:
        await fetcher.aclose()
