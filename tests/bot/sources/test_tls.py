"""HTTPS through the guard: the connection goes to the checked address, while SNI and
certificate verification still use the host name (the reason the guard lives in the network
backend rather than in a URL rewritten to an IP)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.errors import FetchError
from bot.fetch import SafeFetcher
from tests.bot.sources.conftest import loopback_settings

pytestmark = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="the openssl command is needed to mint a test CA"
)


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throw-away CA and a server certificate valid for DNS:localhost only (not for 127.0.0.1)."""
    d = tmp_path_factory.mktemp("pki")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
             "-days", "2", "-subj", "/CN=Wirebrief Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr",
             "-subj", "/CN=localhost", cwd=d)  # fmt: skip
    (d / "ext.cnf").write_text("subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "srv.pem", "-days", "2", "-extfile", "ext.cnf", cwd=d)  # fmt: skip
    return d


@pytest.fixture
def tls_server(pki: Path) -> Iterator[tuple[int, list[str]]]:
    sni: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = f"host={self.headers.get('Host')}".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pki / "srv.pem", pki / "srv.key")
    context.sni_callback = lambda sock, name, ctx: sni.append(name or "")  # type: ignore[func-returns-value]

    class TLSServer(ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self):  # type: ignore[no-untyped-def]
            sock, addr = super().get_request()
            return context.wrap_socket(sock, server_side=True), addr

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # handshake failures are what some tests provoke

    httpd = TLSServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd.server_address[1], sni
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def _client_context(pki: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(pki / "ca.pem"))


async def test_https_by_name_verifies_against_the_name(pki: Path, tls_server: tuple[int, list[str]]) -> None:
    port, sni = tls_server
    async with SafeFetcher(loopback_settings(), ssl_context=_client_context(pki)) as f:
        result = await f.get(f"https://localhost:{port}/")
    assert result.body == f"host=localhost:{port}".encode()
    assert sni == ["localhost"]  # SNI carries the name although we connected to 127.0.0.1


async def test_https_by_ip_fails_verification(pki: Path, tls_server: tuple[int, list[str]]) -> None:
    """The certificate names localhost only: reaching it as 127.0.0.1 must not verify."""
    port, _ = tls_server
    async with SafeFetcher(loopback_settings(), ssl_context=_client_context(pki)) as f:
        with pytest.raises(FetchError) as err:
            await f.get(f"https://127.0.0.1:{port}/")
    assert err.value.reason == "connection" and "TLS" in str(err.value)


async def test_https_with_an_untrusted_ca_fails(tls_server: tuple[int, list[str]]) -> None:
    port, _ = tls_server
    async with SafeFetcher(loopback_settings()) as f:  # system/certifi roots: our test CA is unknown
        with pytest.raises(FetchError) as err:
            await f.get(f"https://localhost:{port}/")
    assert err.value.reason == "connection"


async def test_https_to_loopback_refused_in_production(pki: Path, tls_server: tuple[int, list[str]]) -> None:
    port, sni = tls_server
    async with SafeFetcher(loopback_settings(allow_private_addresses=False), ssl_context=_client_context(pki)) as f:
        with pytest.raises(FetchError) as err:
            await f.get(f"https://localhost:{port}/")
    assert err.value.reason == "address_refused"
    assert sni == []  # no handshake was even started
