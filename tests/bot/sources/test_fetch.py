"""SafeFetcher against a real HTTP server on 127.0.0.1: conditional GET, errors, caps, deadline, SSRF guard."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import tracemalloc
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import FetchSettings
from bot.errors import FetchError
from bot.fetch import HTTPStatusError, SafeFetcher, address_refusal, content_type_accepted
from tests.bot.sources.conftest import LocalServer, Reply, loopback_settings

MB = 2**20


# --------------------------------------------------------------------------- plain fetching


async def test_get_returns_body_and_validators(server: LocalServer, fetcher: SafeFetcher) -> None:
    url = server.route(
        "/a", Reply(body=b"hello", headers={"Content-Type": "text/plain", "ETag": '"v1"', "Last-Modified": "x"})
    )
    result = await fetcher.get(url)
    assert (result.status, result.body, result.etag, result.last_modified) == (200, b"hello", '"v1"', "x")
    assert result.url == url
    assert result.content_type == "text/plain"
    assert server.hits("/a")[0].headers["user-agent"].startswith("Wirebrief/")


async def test_conditional_get_sends_validators_and_returns_304(server: LocalServer, fetcher: SafeFetcher) -> None:
    def feed(seen):  # type: ignore[no-untyped-def]
        if seen.headers.get("if-none-match") == '"v1"':
            return Reply(304, b"", {"ETag": '"v1"'})
        return Reply(body=b"<rss/>", headers={"ETag": '"v1"', "Last-Modified": "Mon, 06 Jan 2025 10:00:00 GMT"})

    url = server.route("/feed", feed)
    first = await fetcher.get(url)
    second = await fetcher.get(url, etag=first.etag, last_modified=first.last_modified)
    assert first.status == 200 and first.body == b"<rss/>"
    assert second.status == 304 and second.body == b""
    sent = server.hits("/feed")[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Mon, 06 Jan 2025 10:00:00 GMT"


async def test_gzip_body_is_decompressed(server: LocalServer, fetcher: SafeFetcher) -> None:
    text = b"<p>compressed story</p>" * 100
    url = server.route("/gz", Reply(body=gzip.compress(text), headers={"Content-Encoding": "gzip"}))
    assert (await fetcher.get(url)).body == text
    assert "gzip" in server.hits("/gz")[0].headers["accept-encoding"]


async def test_raw_deflate_body_is_decompressed(server: LocalServer, fetcher: SafeFetcher) -> None:
    text = b"deflated " * 500
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    url = server.route("/d", Reply(body=raw.compress(text) + raw.flush(), headers={"Content-Encoding": "deflate"}))
    assert (await fetcher.get(url)).body == text


async def test_corrupt_gzip_is_malformed(server: LocalServer, fetcher: SafeFetcher) -> None:
    url = server.route("/bad", Reply(body=b"\x1f\x8b\x08\x00garbage" * 10, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError) as err:
        await fetcher.get(url)
    assert err.value.reason == "malformed"


async def test_server_error_is_http_status(server: LocalServer, fetcher: SafeFetcher) -> None:
    url = server.route("/500", Reply(500, b"boom"))
    with pytest.raises(HTTPStatusError) as err:
        await fetcher.get(url)
    assert err.value.reason == "http_status" and err.value.status == 500
    assert "HTTP 500" in str(err.value)


async def test_429_carries_retry_after(server: LocalServer, fetcher: SafeFetcher) -> None:
    url = server.route("/slow-down", Reply(429, b"", {"Retry-After": "120"}))
    with pytest.raises(HTTPStatusError) as err:
        await fetcher.get(url)
    assert err.value.status == 429 and err.value.retry_after == 120.0


async def test_content_type_is_checked_before_the_body(server: LocalServer, fetcher: SafeFetcher) -> None:
    url = server.route("/img", Reply(body=b"\x89PNG" + b"\0" * 1000, headers={"Content-Type": "image/png"}))
    with pytest.raises(FetchError) as err:
        await fetcher.get(url, accept="text/html, application/xhtml+xml")
    assert err.value.reason == "bad_content_type"
    assert "image/png" in str(err.value)


def test_content_type_matching() -> None:
    assert content_type_accepted("text/html; charset=utf-8", "text/html, application/xhtml+xml")
    assert content_type_accepted("application/xhtml+xml", "text/*, application/xhtml+xml")
    assert content_type_accepted(None, "text/html")
    assert content_type_accepted("image/png", "*/*")
    assert not content_type_accepted("image/png", "text/html")
    assert not content_type_accepted("text/html", "text/html;q=0, text/plain")
    # the most specific range decides (RFC 9110): anything but images
    assert content_type_accepted("text/rss+xml", "application/rss+xml, */*;q=0.1, image/*;q=0")
    assert not content_type_accepted("image/png", "application/rss+xml, */*;q=0.1, image/*;q=0")
    assert content_type_accepted("image/svg+xml", "*/*;q=0.1, image/*;q=0, image/svg+xml")


async def test_connection_refused_is_connection(fetcher: SafeFetcher) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError) as err:
        await fetcher.get(f"http://127.0.0.1:{port}/")
    assert err.value.reason == "connection"


# --------------------------------------------------------------------------- caps and deadline


async def test_slow_server_times_out(server: LocalServer) -> None:
    url = server.route("/slow", Reply(body=b"late", delay=3.0))
    async with SafeFetcher(loopback_settings(timeout_seconds=0.5)) as f:
        with pytest.raises(FetchError) as err:
            await f.get(url)
    assert err.value.reason == "timeout"


async def test_deadline_covers_the_whole_body_not_each_read(server: LocalServer) -> None:
    """A byte every 0.1 s never trips a per-read timeout; the whole-request deadline stops it."""
    url = server.route("/drip", Reply(body=(b"x" for _ in range(60)), chunk_delay=0.1))
    async with SafeFetcher(loopback_settings(timeout_seconds=1.0)) as f:
        with pytest.raises(FetchError) as err:
            await f.get(url)
    assert err.value.reason == "timeout"
    assert server.sent.get("/drip", 0) < 60


async def test_declared_oversize_body_is_refused_unread(server: LocalServer, fetcher: SafeFetcher) -> None:
    url = server.route("/big-declared", Reply(body=b"x" * 100, headers={"Content-Length": str(6 * MB)}))
    with pytest.raises(FetchError) as err:
        await fetcher.get(url)
    assert err.value.reason == "too_big"


async def test_50mb_stream_stops_at_the_cap(server: LocalServer, fetcher: SafeFetcher) -> None:
    chunk = b"y" * (64 * 1024)
    url = server.route("/50mb", Reply(body=(chunk for _ in range(50 * MB // len(chunk)))))
    with pytest.raises(FetchError) as err:
        await fetcher.get(url)
    assert err.value.reason == "too_big" and "5 MB" in str(err.value)
    assert server.finished["/50mb"].wait(5), "server kept writing after the client gave up"
    assert server.sent["/50mb"] < 25 * MB  # the cap plus socket buffers, not the whole body


async def test_gzip_bomb_stops_at_the_cap_with_bounded_memory(server: LocalServer, fetcher: SafeFetcher) -> None:
    bomb = gzip.compress(b"\0" * (50 * MB), compresslevel=9)
    assert len(bomb) < MB // 4
    url = server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/xml"}))
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as err:
            await fetcher.get(url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.reason == "too_big"
    assert peak < 20 * MB  # a whole-chunk inflate would allocate the full 50 MB at once


async def test_body_exactly_at_the_cap_is_accepted(server: LocalServer) -> None:
    url = server.route("/cap", Reply(body=gzip.compress(b"z" * 1000), headers={"Content-Encoding": "gzip"}))
    async with SafeFetcher(loopback_settings(max_bytes=1000)) as f:
        assert len((await f.get(url)).body) == 1000
    async with SafeFetcher(loopback_settings(max_bytes=999)) as f:
        with pytest.raises(FetchError) as err:
            await f.get(url)
    assert err.value.reason == "too_big"


# --------------------------------------------------------------------------- URLs and redirects


@pytest.mark.parametrize(
    "url", ["ftp://example.com/feed", "file:///etc/passwd", "javascript:alert(1)", "http://", "not a url", ""]
)
async def test_bad_urls(strict_fetcher: SafeFetcher, url: str) -> None:
    with pytest.raises(FetchError) as err:
        await strict_fetcher.get(url)
    assert err.value.reason == "bad_url"


async def test_credentials_in_url_are_refused(strict_fetcher: SafeFetcher) -> None:
    with pytest.raises(FetchError) as err:
        await strict_fetcher.get("http://user:secret@example.com/")
    assert err.value.reason == "bad_url"


async def test_redirects_are_followed_and_final_url_reported(server: LocalServer, fetcher: SafeFetcher) -> None:
    final = server.route("/final", Reply(body=b"done"))
    server.route("/hop2", Reply(301, b"", {"Location": "/final"}))
    start = server.route("/hop1", Reply(302, b"", {"Location": server.url("/hop2")}))
    result = await fetcher.get(start)
    assert result.body == b"done" and result.url == final


async def test_redirect_loop_is_cut(server: LocalServer) -> None:
    url = server.route("/loop", Reply(302, b"", {"Location": "/loop"}))
    async with SafeFetcher(loopback_settings(max_redirects=3)) as f:
        with pytest.raises(FetchError) as err:
            await f.get(url)
    assert err.value.reason == "http_status" and "redirected more than 3" in str(err.value)
    assert len(server.hits("/loop")) == 4


async def test_redirect_to_another_scheme_is_refused(server: LocalServer, fetcher: SafeFetcher) -> None:
    url = server.route("/to-file", Reply(302, b"", {"Location": "file:///etc/passwd"}))
    with pytest.raises(FetchError) as err:
        await fetcher.get(url)
    assert err.value.reason == "bad_url"


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/admin",
        "http://192.168.1.1/",
        "http://[fd00:ec2::254]/latest/",
        "http://[::ffff:169.254.169.254]/",
        "http://100.100.100.200/",
        "http://0.0.0.0:80/",
    ],
)
async def test_redirect_from_allowed_loopback_to_private_is_refused(
    server: LocalServer, fetcher: SafeFetcher, target: str
) -> None:
    """The tests' loopback switch is on, the first hop is allowed, and the redirect still is not."""
    url = server.route("/steer", Reply(302, b"", {"Location": target}))
    with pytest.raises(FetchError) as err:
        await fetcher.get(url)
    assert err.value.reason == "address_refused"
    assert len(server.hits("/steer")) == 1


async def test_redirect_via_hostname_to_loopback_is_refused_in_production(
    server: LocalServer, strict_fetcher: SafeFetcher
) -> None:
    """Production settings refuse a name that resolves to loopback, not only the literal."""
    with pytest.raises(FetchError) as err:
        await strict_fetcher.get(f"http://localhost:{server.port}/anything")
    assert err.value.reason == "address_refused"
    assert server.requests == []


# --------------------------------------------------------------------------- the address guard (no network)


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/",
        "http://127.0.0.1/",
        "http://127.1.2.3:8080/",
        "http://[::1]/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.0.10/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "http://2130706433/",  # 127.0.0.1 as a decimal integer: resolved, then refused
        "http://0x7f.0.0.1/",
        "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
        "http://[2002:a00:1::]/",  # 6to4 of 10.0.0.1
    ],
)
async def test_private_addresses_are_refused_by_default(strict_fetcher: SafeFetcher, url: str) -> None:
    with pytest.raises(FetchError) as err:
        await strict_fetcher.get(url)
    assert err.value.reason == "address_refused"
    assert "won't fetch" in str(err.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/",
        "http://169.254.169.254/",
        "http://[::ffff:169.254.169.254]/",
        "http://192.168.0.1/",
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1: loopback only in its own spelling
        "http://[2002:7f00:1::1]/",  # 6to4 of 127.0.0.1
        "http://[::ffff:127.0.0.1]/",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo whose client is 127.0.0.1
    ],
)
async def test_loopback_switch_allows_nothing_but_loopback(fetcher: SafeFetcher, url: str) -> None:
    with pytest.raises(FetchError) as err:
        await fetcher.get(url)
    assert err.value.reason == "address_refused"


def test_refusal_message_does_not_reveal_the_address() -> None:
    why = address_refusal(ipaddress.ip_address("10.9.8.7"))
    assert why == "a private network address"


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("93.184.216.34", True),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("198.18.0.1", False),  # benchmarking range
        ("240.0.0.1", False),  # reserved
        ("::ffff:8.8.8.8", True),
    ],
)
def test_address_refusal_table(address: str, allowed: bool) -> None:
    assert (address_refusal(ipaddress.ip_address(address)) is None) is allowed


_PRIVATE_V4 = st.one_of(
    st.integers(int(ipaddress.IPv4Address("10.0.0.0")), int(ipaddress.IPv4Address("10.255.255.255"))),
    st.integers(int(ipaddress.IPv4Address("172.16.0.0")), int(ipaddress.IPv4Address("172.31.255.255"))),
    st.integers(int(ipaddress.IPv4Address("192.168.0.0")), int(ipaddress.IPv4Address("192.168.255.255"))),
    st.integers(int(ipaddress.IPv4Address("169.254.0.0")), int(ipaddress.IPv4Address("169.254.255.255"))),
    st.integers(int(ipaddress.IPv4Address("100.64.0.0")), int(ipaddress.IPv4Address("100.127.255.255"))),
    st.integers(int(ipaddress.IPv4Address("127.0.0.0")), int(ipaddress.IPv4Address("127.255.255.255"))),
).map(ipaddress.IPv4Address)


@given(_PRIVATE_V4)
def test_private_ipv4_refused_in_every_disguise(ip: ipaddress.IPv4Address) -> None:
    mapped = ipaddress.IPv6Address(f"::ffff:{ip}")
    nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(ip))
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (int(ip) << 80) | 1)
    for form in (ip, mapped, nat64, sixtofour):
        why = address_refusal(form)
        assert why is not None, form
        if form is not ip or not ip.is_loopback:  # the switch opens 127.x itself, no disguise
            assert address_refusal(form, allow_loopback=True) is not None, form


def test_loopback_switch_opens_exactly_127_slash_8_and_ipv6_loopback() -> None:
    for allowed in ("127.0.0.1", "127.255.255.254", "::1"):
        assert address_refusal(ipaddress.ip_address(allowed), allow_loopback=True) is None
    for refused in ("64:ff9b::7f00:1", "2002:7f00:1::1", "::ffff:127.0.0.1", "::127.0.0.1", "0.0.0.0", "::"):
        assert address_refusal(ipaddress.ip_address(refused), allow_loopback=True) is not None, refused


def test_settings_default_is_strict() -> None:
    assert FetchSettings().allow_private_addresses is False


def test_one_private_address_among_public_ones_refuses_the_host() -> None:
    """A name with a public and a private address could be steered to the private one."""
    from bot.fetch import check_addresses

    public, private = ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.0.0.7")
    check_addresses("news.example", [public], allow_loopback=False)
    with pytest.raises(FetchError) as err:
        check_addresses("news.example", [public, private], allow_loopback=False)
    assert err.value.reason == "address_refused" and "10.0.0.7" not in str(err.value)


async def test_oversized_headers_are_a_connection_error(server: LocalServer, fetcher: SafeFetcher) -> None:
    url = server.route("/headers", Reply(body=b"x", headers={f"X-Junk-{n}": "j" * 1000 for n in range(200)}))
    with pytest.raises(FetchError) as err:
        await fetcher.get(url)
    assert err.value.reason == "connection"


async def test_redirect_without_location_is_an_http_error(server: LocalServer, fetcher: SafeFetcher) -> None:
    url = server.route("/nowhere", Reply(302, b""))
    with pytest.raises(HTTPStatusError) as err:
        await fetcher.get(url)
    assert err.value.status == 302


async def test_fetcher_serves_concurrent_requests(server: LocalServer) -> None:
    """Correctness under concurrency, not speed: the deadline is the 5 s test bound, since 30
    requests to a threaded test server on a loaded 2-core machine can take over 2 s."""
    import asyncio

    for n in range(30):
        server.route(f"/c{n}", Reply(body=str(n).encode()))
    async with SafeFetcher(loopback_settings(timeout_seconds=5.0)) as fetcher:
        results = await asyncio.gather(*(fetcher.get(server.url(f"/c{n}")) for n in range(30)))
    assert [r.body for r in results] == [str(n).encode() for n in range(30)]


async def test_cookies_are_never_kept(server: LocalServer, fetcher: SafeFetcher) -> None:
    set_url = server.route("/set", Reply(body=b"ok", headers={"Set-Cookie": "track=1; Path=/"}))
    check_url = server.route("/check", Reply(body=b"ok"))
    await fetcher.get(set_url)
    await fetcher.get(check_url)
    assert "cookie" not in server.hits("/check")[0].headers


async def test_environment_proxy_is_ignored(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy would resolve names itself, out of the guard's sight: the fetcher never uses one."""
    monkeypatch.setenv("HTTP_PROXY", "http://10.255.255.1:3128")
    monkeypatch.setenv("ALL_PROXY", "http://10.255.255.1:3128")
    url = server.route("/direct", Reply(body=b"direct"))
    async with SafeFetcher(loopback_settings()) as f:
        assert (await f.get(url)).body == b"direct"


@given(
    st.text(max_size=200)
    | st.text(max_size=100).map(lambda t: "http://" + t)
    | st.from_regex(r"https?://[^/]{0,40}/.{0,20}")
)
def test_any_text_as_a_url_is_accepted_or_refused_in_one_line(text: str) -> None:
    from bot.fetch import _parse_url

    try:
        parsed = _parse_url(text)
    except FetchError as exc:
        assert exc.reason == "bad_url"
        assert "\n" not in str(exc) and len(str(exc)) < 300
        return
    assert parsed.scheme in ("http", "https") and parsed.host


@pytest.mark.parametrize("location", ["http:10.0.0.1/", "http://xn--/", "http:///nohost", "https:evil.example"])
async def test_a_redirect_to_an_unparseable_address_is_a_one_line_bad_url(
    server: LocalServer, fetcher: SafeFetcher, location: str
) -> None:
    url = server.route("/hop", Reply(302, b"", {"Location": location}))
    with pytest.raises(FetchError) as err:
        await fetcher.get(url)
    assert err.value.reason in ("bad_url", "address_refused", "http_status"), err.value
    assert "\n" not in str(err.value)
