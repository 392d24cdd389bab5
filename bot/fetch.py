"""HTTP fetching for untrusted URLs: an SSRF guard, a size cap, a deadline, conditional GET.

Every URL the bot fetches comes from someone else (a chat user's link, a feed's redirect),
so the fetcher assumes the worst:

* **Where it connects.** The guard sits in the *network backend* under httpx: when httpcore
  opens a TCP connection to ``host:port`` we resolve ``host`` ourselves (getaddrinfo in a
  thread), refuse the connection if ANY resolved address is not a public one, and then connect
  to the very address we checked. Because the check and the connect are the same call there
  is no window for DNS rebinding, and because the URL is untouched, the ``Host`` header, TLS
  SNI and certificate verification all still use the real host name (pinning an IP into the
  URL would need Host/SNI rewriting and would let a pooled TLS connection be reused for a
  different name on the same IP). Every redirect hop is a new request through the same
  backend, so each hop is checked too; redirects are followed by hand, never by httpx.
* **What it reads.** Bodies are read raw and decompressed here with ``max_length`` so the
  5 MB cap counts *decompressed* bytes and a gzip bomb stops at the cap with bounded memory.
* **How long it waits.** One deadline (``timeout_seconds``) covers the whole request: DNS,
  connect, every redirect and the last body byte, so a server dribbling a byte a second
  cannot hold us for longer than that.

``allow_private_addresses`` (tests only) allows *loopback* and nothing else: a test server on
127.0.0.1 can be reached, but a redirect from it to 10.0.0.1 or 169.254.169.254 is still
refused, so switching it on for tests never opens the metadata service or the LAN.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import ssl
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpcore
import httpx

from bot.allowlist import AllowList, parse_allow_list
from bot.config import FetchSettings
from bot.errors import FetchError

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Cloud metadata endpoints, named so the refusal message and the log say what was hit.
METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean...
        ipaddress.ip_address("fd00:ec2::254"),  # AWS IMDS over IPv6
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
        ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    }
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_URL_LENGTH = 2048
_warned_private = False


@dataclass(frozen=True)
class FetchResult:
    """One successful fetch. ``body`` is decompressed and at most ``max_bytes`` long."""

    url: str
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None


class HTTPStatusError(FetchError):
    """The server answered with an error status; ``status`` and ``retry_after`` let the poller
    tell "gone for good" (404/410) from "come back later" (429/503)."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__("http_status", message)
        self.status = status
        self.retry_after = retry_after


# --------------------------------------------------------------------------- address guard


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, Teredo client, NAT64), if any:
    those reach the IPv4 host, so the IPv4 rules must apply to them."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_refusal(ip: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why ``ip`` must not be fetched (a short phrase), or None when it is a public address.

    ``allow_loopback`` is the tests' escape hatch: it lets 127.0.0.0/8 and ::1 through and
    nothing else (not the LAN, not link-local, not cloud metadata) — and only in their own
    spelling: an IPv6 form that embeds 127.x (mapped, NAT64 ``64:ff9b::7f00:1``, 6to4
    ``2002:7f00:1::``, Teredo) reaches loopback through a translator or another host's stack,
    so it stays refused.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return address_refusal(inner, allow_loopback=False)
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "a carrier-grade NAT address"
    if ip.is_private:
        return "a private network address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved address"
    return None


def _literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses ``host`` resolves to (getaddrinfo runs in the loop's thread pool)."""
    literal = _literal_ip(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("connection", f"could not find the server {host} (DNS lookup failed)") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise FetchError("connection", f"could not find the server {host} (no addresses)")
    return addresses


def check_addresses(
    host: str, addresses: Iterable[IPAddress], *, allow_loopback: bool, allow: AllowList | None = None
) -> None:
    """Raise FetchError("address_refused") if any address is off limits.

    ANY, not all: a name resolving to one public and one private address could be steered
    to the private one, so a single bad address refuses the whole host. The user-facing
    message names the host but not the address (no mapping of internal DNS for chat users);
    the log has both. ``allow`` is the operator's ``[fetch] allow_private``: a private address
    of a listed host or network passes; nothing else changes.
    """
    for ip in addresses:
        why = address_refusal(ip, allow_loopback=allow_loopback)
        if why is not None and allow and allow.permits(host, ip):
            log.debug("fetch allowed by [fetch] allow_private: host=%s address=%s", host, ip)
            continue
        if why is not None:
            log.info("fetch refused: host=%s address=%s (%s)", host, ip, why)
            raise FetchError("address_refused", f"won't fetch from {host}: it points to {why}, not a public server")


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that resolves, checks and connects in one step.

    httpcore calls ``connect_tcp(host, port)`` for every new connection (every origin, every
    redirect hop that is not a pooled keep-alive to an origin already checked); TLS is then
    started on the returned stream with ``server_hostname=host``, so certificates are still
    verified against the name, not the address.
    """

    def __init__(self, *, allow_loopback: bool, allow: AllowList | None = None) -> None:
        self._allow_loopback = allow_loopback
        self._allow = allow
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port)
        check_addresses(host, addresses, allow_loopback=self._allow_loopback, allow=self._allow)
        last: Exception | None = None
        for ip in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(ip), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise FetchError("bad_url", "unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (request/response mapping, exception mapping) over a connection
    pool that uses :class:`GuardedBackend`. ``trust_env`` is off: an environment proxy would
    resolve names itself and bypass the guard."""

    def __init__(
        self,
        *,
        allow_loopback: bool,
        limits: httpx.Limits,
        ssl_context: ssl.SSLContext | None,
        allow: AllowList | None = None,
    ) -> None:
        super().__init__(trust_env=False, limits=limits, retries=0)
        if ssl_context is None:
            ssl_context = httpx.create_ssl_context(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            retries=0,
            network_backend=GuardedBackend(allow_loopback=allow_loopback, allow=allow),
        )


class _NoCookies(DefaultCookiePolicy):
    """Feeds and pages have no business setting state in the bot: keep no cookies at all."""

    def set_ok(self, cookie, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def return_ok(self, cookie, request) -> bool:  # type: ignore[no-untyped-def]
        return False


# --------------------------------------------------------------------------- body decoding


class _Decoder:
    """Content-Encoding decoder with a hard output budget (bounded memory on a gzip bomb).

    httpx would decompress each network chunk in full (a 64 KB chunk of a bomb can become
    64 MB at once), so the body is read raw and inflated here with ``max_length``.
    """

    def __init__(self, encoding: str) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FetchError("bad_content_type", f"the server used an unsupported content encoding ({encoding[:40]})")
        self._kind = codings[0] if codings else None
        self._started = False
        self._zlib: zlib._Decompress | None = None
        if self._kind in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self._kind == "deflate":
            self._zlib = zlib.decompressobj()  # zlib-wrapped; raw deflate is tried on a first-chunk error

    def decode(self, data: bytes, budget: int) -> bytes:
        """At most ``budget`` bytes of output; input not yet inflated stays in :attr:`backlog`."""
        if self._zlib is None:
            return data
        try:
            out = self._zlib.decompress(data, budget)
        except zlib.error:
            if self._kind == "deflate" and not self._started:
                self._kind = "raw-deflate"
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.decode(data, budget)
            raise FetchError("malformed", "the server sent a corrupt compressed body") from None
        self._started = True
        return out

    @property
    def backlog(self) -> bytes:
        return self._zlib.unconsumed_tail if self._zlib is not None else b""

    def finish(self) -> bytes:
        """What zlib still holds once all input was given (nothing, when it was not limited)."""
        if self._zlib is None:
            return b""
        try:
            return self._zlib.flush()
        except zlib.error:
            raise FetchError("malformed", "the server sent a corrupt compressed body") from None


# --------------------------------------------------------------------------- content type


def _media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def content_type_accepted(content_type: str | None, accept: str) -> bool:
    """Does the response's media type match the caller's Accept header with q > 0?

    As in HTTP content negotiation (RFC 9110 §12.5.1) the most specific matching range
    decides, so ``*/*;q=0.1, image/*;q=0`` takes anything but images. A missing
    Content-Type is accepted: the parsers sniff the body and refuse what they cannot read,
    and many small servers send none.
    """
    media = _media_type(content_type)
    if media is None:
        return True
    best: tuple[int, float] | None = None
    for item in accept.split(","):
        parts = [p.strip().lower() for p in item.split(";")]
        pattern = parts[0]
        if pattern == media:
            rank = 2
        elif pattern.endswith("/*") and media.startswith(pattern[:-1]):
            rank = 1
        elif pattern == "*/*":
            rank = 0
        else:
            continue
        if best is None or rank > best[0]:
            best = (rank, _quality(parts[1:]))
    return best is not None and best[1] > 0


def _quality(params: list[str]) -> float:
    for param in params:
        key, _, value = param.replace(" ", "").partition("=")
        if key == "q":
            try:
                return float(value)
            except ValueError:
                return 1.0
    return 1.0


# --------------------------------------------------------------------------- the fetcher


def _host_of(url: httpx.URL) -> str:
    return url.host or "the server"


def _parse_url(url: str) -> httpx.URL:
    """Only absolute http(s) URLs with a host and no credentials."""
    if not isinstance(url, str) or not url.strip():
        raise FetchError("bad_url", "no link given")
    url = url.strip()
    if len(url) > _MAX_URL_LENGTH:
        raise FetchError("bad_url", f"that link is over {_MAX_URL_LENGTH} characters long")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        detail = " ".join(str(exc).split())[:120]
        raise FetchError("bad_url", f"that does not look like a web address ({detail})") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError("bad_url", "only http:// and https:// links can be fetched")
    if not parsed.host:
        raise FetchError("bad_url", "that link has no host name")
    if parsed.userinfo:
        raise FetchError("bad_url", "links with a user name or password in them are not fetched")
    return parsed


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _transport_error(exc: httpx.TransportError, url: httpx.URL) -> FetchError:
    host = _host_of(url)
    if isinstance(exc, httpx.TimeoutException):
        return FetchError("timeout", f"{host} took too long to answer")
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, ssl.SSLError) or "SSL" in str(exc) or "certificate" in str(exc).lower():
        return FetchError("connection", f"could not make a secure (TLS) connection to {host}")
    if isinstance(exc, httpx.ConnectError):
        return FetchError("connection", f"could not connect to {host}")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchError("bad_url", "only http:// and https:// links can be fetched")
    return FetchError("connection", f"the connection to {host} failed while reading the answer")


class SafeFetcher:
    """One shared async HTTP client for feeds and pages; see the module docstring for the rules.

    Create one per process (it pools keep-alive connections) and ``await aclose()`` at exit.
    """

    def __init__(self, settings: FetchSettings, *, ssl_context: ssl.SSLContext | None = None) -> None:
        """``ssl_context``: tests pass one trusting their own CA; production uses certifi's."""
        global _warned_private
        self._settings = settings
        self._allow_loopback = bool(settings.allow_private_addresses)
        self._allow = parse_allow_list(settings.allow_private)
        if self._allow:
            log.info("[fetch] allow_private opens these private sources: %s", ", ".join(settings.allow_private))
        if self._allow_loopback and not _warned_private:
            _warned_private = True
            log.warning(
                "!!! [fetch] allow_private_addresses is ON: loopback addresses (127.0.0.0/8, ::1) can be fetched. "
                "This is for tests only; private, link-local and metadata addresses are still refused. !!!"
            )
        self._client = httpx.AsyncClient(
            transport=_GuardedTransport(
                allow_loopback=self._allow_loopback,
                allow=self._allow,
                limits=httpx.Limits(max_connections=64, max_keepalive_connections=32, keepalive_expiry=30),
                ssl_context=ssl_context,
            ),
            follow_redirects=False,
            timeout=httpx.Timeout(settings.timeout_seconds),
            cookies=CookieJar(policy=_NoCookies()),
            trust_env=False,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> SafeFetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "*/*",
        timeout: float | None = None,
    ) -> FetchResult:
        """GET ``url`` under the guard; 304 (with ``body == b""``) when a conditional GET matched.
        ``timeout`` (at most the configured one) shortens the deadline, e.g. for a failing feed.

        Raises FetchError with reason bad_url, address_refused, timeout, too_big, http_status
        (HTTPStatusError), connection, bad_content_type or malformed.
        """
        parsed = _parse_url(url)
        literal = _literal_ip(parsed.host)
        if literal is not None:  # refuse before the pool is even asked; the backend checks again
            check_addresses(parsed.host, [literal], allow_loopback=self._allow_loopback, allow=self._allow)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        limit = self._settings.timeout_seconds
        timeout = limit if timeout is None else max(0.1, min(limit, timeout))
        try:
            async with asyncio.timeout(timeout):
                return await self._follow(parsed, headers, accept)
        except TimeoutError:
            raise FetchError("timeout", f"{_host_of(parsed)} did not answer within {timeout:g} seconds") from None

    async def _follow(self, url: httpx.URL, headers: dict[str, str], accept: str) -> FetchResult:
        for _hop in range(self._settings.max_redirects + 1):
            try:
                async with self._client.stream("GET", url, headers=headers) as response:
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        url = self._next_hop(url, response.headers["location"])
                        continue
                    return await self._read(url, response, accept)
            except httpx.TransportError as exc:
                raise _transport_error(exc, url) from None
            except (httpx.InvalidURL, UnicodeError) as exc:
                # httpx builds the next request of any 3xx eagerly, even with redirects off, so a
                # Location it cannot parse (``http:10.0.0.1/``, ``http://xn--/``) raises here.
                detail = " ".join(str(exc).split())[:120]
                raise FetchError("bad_url", f"{_host_of(url)} redirected to an invalid address ({detail})") from None
        raise FetchError("http_status", f"{_host_of(url)} redirected more than {self._settings.max_redirects} times")

    def _next_hop(self, current: httpx.URL, location: str) -> httpx.URL:
        try:
            target = current.join(location.strip())
        except (httpx.InvalidURL, ValueError) as exc:
            detail = " ".join(str(exc).split())[:120]
            raise FetchError("bad_url", f"{_host_of(current)} redirected to an invalid address ({detail})") from None
        parsed = _parse_url(str(target))
        literal = _literal_ip(parsed.host)
        if literal is not None:
            check_addresses(parsed.host, [literal], allow_loopback=self._allow_loopback, allow=self._allow)
        log.debug("fetch redirect: %s -> %s", current, parsed)
        return parsed

    async def _read(self, url: httpx.URL, response: httpx.Response, accept: str) -> FetchResult:
        status = response.status_code
        content_type = response.headers.get("content-type")
        etag = response.headers.get("etag")
        last_modified = response.headers.get("last-modified")
        if status == 304:
            return FetchResult(str(url), 304, b"", content_type, etag, last_modified)
        if not 200 <= status < 300:
            reason = response.reason_phrase or ""
            raise HTTPStatusError(
                status,
                f"{_host_of(url)} answered HTTP {status}{' ' + reason if reason else ''}",
                _retry_after(response.headers.get("retry-after")),
            )
        if not content_type_accepted(content_type, accept):
            media = _media_type(content_type)
            raise FetchError("bad_content_type", f"{_host_of(url)} sent {media}, which is not something I can read")
        body = await self._read_body(url, response)
        return FetchResult(str(url), status, body, content_type, etag, last_modified)

    async def _read_body(self, url: httpx.URL, response: httpx.Response) -> bytes:
        cap = self._settings.max_bytes
        decoder = _Decoder(response.headers.get("content-encoding", ""))
        declared = response.headers.get("content-length", "")
        if not response.headers.get("content-encoding") and declared.isdigit() and int(declared) > cap:
            raise self._too_big(url)
        chunks: list[bytes] = []
        size = 0
        async for raw in response.aiter_raw():
            pending = raw
            while pending:
                out = decoder.decode(pending, cap - size + 1)
                size += len(out)
                if size > cap:
                    raise self._too_big(url)
                chunks.append(out)
                pending = decoder.backlog
        tail = decoder.finish()
        size += len(tail)
        if size > cap:
            raise self._too_big(url)
        chunks.append(tail)
        return b"".join(chunks)

    def _too_big(self, url: httpx.URL) -> FetchError:
        mb = self._settings.max_bytes / 2**20
        return FetchError("too_big", f"{_host_of(url)} sent more than {mb:g} MB; I stop reading there")
