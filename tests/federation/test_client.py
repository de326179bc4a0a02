"""FederationClient against a real HTTP server on a loopback port (no mocks)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation import keys
from federation.addresses import is_public_address
from federation.client import FederationClient
from federation.errors import (
    BadResponse,
    HTTPStatusError,
    ResponseTooLarge,
    TransportError,
    UnsafeURL,
)

from .conftest import make_chain


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(
        self,
        status: int,
        body: bytes | dict[str, Any],
        ctype: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        # the client may stop reading at its size limit, as the size tests want
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        base = self.server.base
        self.server.seen.append(("GET", self.path, dict(self.headers)))
        if parts.path == "/.well-known/commonground":
            self._send(
                200,
                {
                    "software": "commonground",
                    "version": "0.1.0",
                    "role": "node",
                    "groups": [
                        {
                            "id": f"{base}/g/walton",
                            "name": "Walton",
                            "jwks_uri": f"{base}/g/walton/jwks",
                            "outbox": f"{base}/g/walton/outbox",
                            "inbox": f"{base}/g/walton/inbox",
                        }
                    ],
                },
            )
        elif parts.path == "/g/walton/jwks":
            self._send(
                200,
                {
                    "keys": [
                        self.server.jwk,
                        {"kty": "RSA", "n": "x", "e": "AQAB"},
                        {**self.server.jwk, "d": "AAAA"},
                    ]
                },
            )
        elif parts.path == "/g/walton/outbox":
            q = parse_qs(parts.query)
            after, limit = int(q["after"][0]), int(q["limit"][0])
            items = [s.compact for s in self.server.chain if s.seq > after][:limit]
            more = items and items[-1] != self.server.chain[-1].compact
            nxt = (
                f"{base}/g/walton/outbox?after={after + len(items)}&limit={limit}" if more else None
            )
            self._send(200, {"items": items, "next": nxt})
        elif parts.path == "/slow":
            time.sleep(1.5)
            self._send(200, {})
        elif parts.path == "/big":
            self._send(200, b"[" + b"0," * (1024 * 1024) + b"0]")
        elif parts.path == "/big-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for _ in range(40):
                    self.wfile.write(b" " * 65536)
        elif parts.path == "/notjson":
            self._send(200, b"<html>", "text/html")
        elif parts.path == "/badschema":
            self._send(200, {"software": "x"})
        elif parts.path == "/redirect-ftp":
            self._send(302, b"", headers={"Location": "ftp://example.org/x"})
        elif parts.path.startswith("/status/"):
            self._send(
                int(parts.path.rsplit("/", 1)[1]), {"error": "x"}, headers={"Retry-After": "120"}
            )
        else:
            self._send(404, {"error": "not-found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        self.server.seen.append(
            ("POST", self.path, {"ctype": self.headers["Content-Type"], "body": body})
        )
        if self.path == "/inbox/ok":
            self._send(202, {"status": "accepted"})
        elif self.path == "/inbox/gap":
            self._send(
                409,
                {"error": "chain-gap", "detail": "expected seq 3", "missing": {"from": 3, "to": 4}},
            )
        elif self.path == "/inbox/badindex":
            self._send(400, {"index": "zz"})
        elif self.path == "/inbox/gap-at-1":
            self._send(409, {"error": "chain-gap", "detail": "seq 3", "index": 1})
        elif self.path == "/inbox/html400":
            self._send(400, b"<h1>bad</h1>", "text/html")
        elif self.path == "/inbox/503":
            self._send(503, b"", headers={"Retry-After": "30"})
        else:
            self._send(404, {"error": "not-found"})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    base: str
    jwk: dict[str, Any]
    chain: list[Any]
    seen: list[Any]


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server(("127.0.0.1", 0), Handler)
    srv.base = f"http://127.0.0.1:{srv.server_address[1]}"
    key: Ed25519PrivateKey = keys.generate_private_key()
    srv.jwk = keys.public_jwk(key)
    srv.chain = make_chain(key, 7, issuer=f"{srv.base}/g/walton")
    srv.seen = []
    thread = threading.Thread(target=srv.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def client() -> Iterator[FederationClient]:
    c = FederationClient(timeout=(1.0, 0.5), user_agent="cg-test/1", allow_private=True)
    yield c
    c.close()


def test_discover_and_jwks(server: Server, client: FederationClient) -> None:
    d = client.discover(server.base + "/some/page?x=1")
    assert d.role == "node" and d.groups[0].id == f"{server.base}/g/walton"
    assert server.seen[-1][1] == "/.well-known/commonground"
    assert server.seen[-1][2]["User-Agent"] == "cg-test/1"
    found = client.fetch_jwks(d.groups[0].jwks_uri)
    assert found == [server.jwk]  # RSA and private keys skipped


def test_discover_refuses_foreign_urls(server: Server, client: FederationClient) -> None:
    srv2 = Server(("127.0.0.1", 0), Handler)
    srv2.base = server.base  # advertises URLs on the *other* server's origin
    srv2.jwk, srv2.chain, srv2.seen = server.jwk, server.chain, []
    thread = threading.Thread(target=srv2.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        with pytest.raises(BadResponse, match="not at origin"):
            client.discover(f"http://127.0.0.1:{srv2.server_address[1]}")
    finally:
        srv2.shutdown()
        srv2.server_close()


def test_outbox_paging(server: Server, client: FederationClient) -> None:
    url = f"{server.base}/g/walton/outbox"
    page = client.fetch_outbox(url, after=0, limit=3)
    assert len(page.items) == 3 and page.next is not None
    collected = list(page.items)
    after = 3
    while page.next:
        page = client.fetch_outbox(url, after=after, limit=3)
        collected += page.items
        after += len(page.items)
    assert collected == [s.compact for s in server.chain]
    assert client.fetch_outbox(url, after=7).items == ()
    with pytest.raises(ValueError):
        client.fetch_outbox(url, limit=501)


def test_post_inbox(server: Server, client: FederationClient) -> None:
    one = server.chain[0].compact
    r = client.post_inbox(f"{server.base}/inbox/ok", [one])
    assert r.ok and r.status == 202 and r.error is None
    assert server.seen[-1][2] == {"ctype": "application/jose", "body": one.encode()}
    r = client.post_inbox(f"{server.base}/inbox/ok", [s.compact for s in server.chain[:3]])
    assert server.seen[-1][2]["ctype"] == "application/json"
    assert json.loads(server.seen[-1][2]["body"]) == {
        "statements": [s.compact for s in server.chain[:3]]
    }
    r = client.post_inbox(f"{server.base}/inbox/gap", [one])
    assert not r.ok and r.status == 409 and r.error == "chain-gap" and r.detail == "expected seq 3"
    assert r.body["missing"] == {"from": 3, "to": 4}
    r = client.post_inbox(f"{server.base}/inbox/gap-at-1", [one])
    assert r.index == 1 and r.error == "chain-gap"
    r = client.post_inbox(f"{server.base}/inbox/badindex", [one])  # a peer's nonsense: no index
    assert r.status == 400 and r.error == "http-400" and r.index is None
    r = client.post_inbox(f"{server.base}/inbox/html400", [one])
    assert r.status == 400 and r.error == "http-400"
    with pytest.raises(HTTPStatusError) as info:
        client.post_inbox(f"{server.base}/inbox/503", [one])
    assert info.value.retryable and info.value.status == 503 and info.value.retry_after == 30
    r = client.post_follow(f"{server.base}/inbox/ok", one)
    assert r.ok and server.seen[-1][2]["ctype"] == "application/jose"


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(500, True), (502, True), (429, True), (404, False), (410, False), (400, False)],
)
def test_status_retryability(
    server: Server, client: FederationClient, status: int, retryable: bool
) -> None:
    with pytest.raises(HTTPStatusError) as info:
        client.fetch_jwks(f"{server.base}/status/{status}")
    assert info.value.retryable is retryable and info.value.status == status
    if status == 429:
        assert info.value.retry_after == 120


def test_timeout_is_retryable(server: Server, client: FederationClient) -> None:
    with pytest.raises(TransportError) as info:
        client.fetch_jwks(f"{server.base}/slow")
    assert info.value.retryable


def test_connection_refused_is_retryable(client: FederationClient) -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(TransportError) as info:
        client.discover(f"http://127.0.0.1:{port}")
    assert info.value.retryable


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_size_cap(server: Server, client: FederationClient, path: str) -> None:
    with pytest.raises(ResponseTooLarge) as info:
        client.fetch_jwks(server.base + path)
    assert not info.value.retryable


def test_bad_responses(server: Server, client: FederationClient) -> None:
    with pytest.raises(BadResponse):
        client.fetch_jwks(f"{server.base}/notjson")
    with pytest.raises(BadResponse):
        client.fetch_jwks(f"{server.base}/badschema")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/x",
        "file:///etc/passwd",
        "http://user:pw@127.0.0.1/",
        "/relative",
        "javascript:alert(1)",
        "http://127.0.0.1:99999/",
    ],
)
def test_only_http_urls(client: FederationClient, url: str) -> None:
    with pytest.raises(UnsafeURL) as info:
        client.fetch_jwks(url)
    assert not info.value.retryable


def test_redirect_to_other_scheme_refused(server: Server, client: FederationClient) -> None:
    with pytest.raises(Exception) as info:
        client.fetch_jwks(f"{server.base}/redirect-ftp")
    from federation.errors import DeliveryError

    assert isinstance(info.value, DeliveryError) and not info.value.retryable


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
     "0.0.0.0", "224.0.0.1", "::1", "fd00::1", "fe80::1%eth0", "::ffff:127.0.0.1", "::",  # noqa: S104
     # IPv6 forms that reach an IPv4 host are judged by that host (issue 13):
     "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe",  # NAT64 well-known prefix
     "64:ff9b:1::808:808", "64:ff9b:1::7f00:1",  # NAT64 local-use prefix: never public
     "2002:7f00:1::", "2002:0a00:0001::", "2002:a9fe:a9fe::1", "2002:c0a8:101::",  # 6to4
     "::7f00:1", "::a00:1", "::a9fe:a9fe",  # IPv4-compatible
     "::ffff:a00:1", "::ffff:0:0"],  # IPv4-mapped
)  # fmt: skip
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "81.2.69.160", "2a00:1450:4009:81f::200e",
     "64:ff9b::808:808", "2002:808:808::1", "::ffff:808:808"],
)  # fmt: skip
def test_public_addresses(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_private_addresses_are_refused_before_a_request_is_sent(server: Server, host: str) -> None:
    guarded = FederationClient(timeout=(1.0, 0.5))  # the default: public addresses only
    seen = len(server.seen)
    port = server.base.rsplit(":", 1)[1]
    try:
        with pytest.raises(UnsafeURL, match="not a public address") as refused:
            guarded.discover(f"http://{host}:{port}/")
    finally:
        guarded.close()
    assert not refused.value.retryable
    assert len(server.seen) == seen  # not even the request line reached the server
