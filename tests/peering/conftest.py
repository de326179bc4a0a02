"""Fixtures for the node's federation room: two groups on one install (Host tenancy) that talk
to each other over HTTP through :class:`WsgiAdapter`, so following, pushing and pulling run the
real views and the real ``federation.client`` without sockets."""

from __future__ import annotations

import contextvars
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest
import requests
from requests.adapters import BaseAdapter

from federation import keys as fkeys
from federation import statements as fst
from federation.client import FederationClient

WALTON, SHEPPERTON = "http://walton.test", "http://shepperton.test"


class WsgiAdapter(BaseAdapter):
    """A ``requests`` transport that hands each request to a Flask app's test client.

    Hosts listed in ``down`` fail like a refused connection (to exercise retries). A URL
    (scheme://host/path, no query) in ``answers`` is answered with its ``(status, document)``
    instead — a JSON-able document or raw bytes: a hostile or broken peer on the same transport.
    """

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app
        self.down: set[str] = set()
        self.sent: list[tuple[str, str]] = []
        self.answers: dict[str, tuple[int, Any]] = {}

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        from urllib.parse import urlsplit

        parts = urlsplit(request.url or "")
        if parts.hostname in self.down:
            raise requests.ConnectionError(f"{parts.hostname} is down (test)")
        self.sent.append((request.method or "GET", request.url or ""))
        scripted = self.answers.get(f"{parts.scheme}://{parts.netloc}{parts.path}")
        if scripted is not None:
            status, doc = scripted
            data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
            return self._response(request, status, {"Content-Type": "application/json"}, data)
        path = parts.path + (f"?{parts.query}" if parts.query else "")

        def call() -> Any:
            result = self.app.test_client().open(
                path,
                method=request.method,
                headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
                data=request.body,
                base_url=f"{parts.scheme}://{parts.netloc}",
            )
            return result, result.get_data()

        # A fresh context: the peer's request must not see (or pop) the caller's Flask contexts.
        result, body = contextvars.Context().run(call)
        return self._response(request, result.status_code, dict(result.headers), body)

    @staticmethod
    def _response(
        request: requests.PreparedRequest, status: int, headers: dict[str, str], body: bytes
    ) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        response.raw = io.BytesIO(body)
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


A = TypeVar("A", bound=BaseAdapter)


@contextmanager
def routed_through(adapter: A) -> Iterator[A]:
    """Every federation client the node makes (``node.peering.net``) talks through ``adapter``."""
    from node.peering import net

    def factory() -> FederationClient:
        session = requests.Session()
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return FederationClient(session=session)

    previous = net.client_factory
    net.client_factory = factory
    try:
        yield adapter
    finally:
        net.client_factory = previous


@pytest.fixture
def wsgi(app: Any) -> Iterator[WsgiAdapter]:
    with routed_through(WsgiAdapter(app)) as adapter:
        yield adapter


@pytest.fixture
def walton(make_group: Any) -> Any:
    return make_group("Walton", slug="walton", url=WALTON)


@pytest.fixture
def shepperton(make_group: Any) -> Any:
    return make_group("Shepperton", slug="shepperton", url=SHEPPERTON)


def fingerprint(group: Any) -> str:
    from node.peering import keystore

    return keystore.current_key(group).kid


def publish(group: Any) -> Any:
    """``group`` endorses a candidate (a statement its followers get) and commits; returns the
    Statement row."""
    from node.extensions import db
    from node.peering import operations as ops

    row = ops.endorse_candidate(
        group,
        "Sam Ortiz",
        "County Council",
        "Walton South",
        "2025-05-01",
        ops.meeting_decision("2025-01-10", "GM/3", "Agreed"),
    )
    db.session.commit()
    return row


@pytest.fixture
def followed(app: Any, wsgi: WsgiAdapter, walton: Any, shepperton: Any) -> Any:
    """Walton follows Shepperton (fingerprint confirmed); returns the Peer row."""
    from node.extensions import db
    from node.peering.following import follow_peer

    preview = follow_peer(walton, SHEPPERTON, fingerprint(shepperton))
    db.session.commit()
    assert preview.pinned, preview
    assert preview.remote == "follow request accepted", preview.remote
    return preview.peer


def meeting_decision() -> dict[str, Any]:
    """The general meeting's decision a forged endorsement cites; a fresh dict each call, so a
    test that alters one statement's decision alters no other."""
    return {
        "method": "meeting",
        "electorate": None,
        "turnout": 12,
        "result": {"summary": "Agreed"},
        "ballots_hash": None,
        "decided_on": "2025-01-10",
        "minute": "GM/1",
    }


class Forger:
    """Signs statements as an issuer with any key, to attack an inbox."""

    def __init__(self, issuer: str, key: Any = None) -> None:
        self.issuer = issuer
        self.key = key or fkeys.generate_private_key()
        self.compacts: list[str] = []

    @property
    def jwk(self) -> dict[str, str]:
        return fkeys.public_jwk(self.key)

    def payload(self, seq: int | None = None, prev: Any = "auto", **body: Any) -> dict[str, Any]:
        seq = seq or len(self.compacts) + 1
        if prev == "auto":
            prev = fst.statement_hash(self.compacts[seq - 2]) if seq > 1 else None
        decision = meeting_decision()
        content = {
            "candidate": body.get("candidate", "Sam Ortiz"),
            "office": "County Council",
            "area": "Walton South",
            "election_date": "2025-05-01",
            "decision": decision,
        }
        return fst.build_payload(
            "candidate-endorsement",
            self.issuer,
            seq,
            prev,
            content,
            issued_at="2025-01-11T10:00:00Z",
        )

    def sign(self, payload: dict[str, Any]) -> str:
        return fst.sign_jws(payload, self.key, fst.TYP)

    def next(self, **body: Any) -> str:
        compact = self.sign(self.payload(**body))
        self.compacts.append(compact)
        return compact


def trust(group: Any, issuer: str, jwk: dict[str, Any], name: str = "Peer") -> Any:
    """Add ``issuer`` to ``group``'s allowlist directly (as a confirmed follow would)."""
    from node.extensions import db
    from node.peering.models import Peer

    peer = Peer(
        group_id=group.id,
        issuer=issuer,
        name=name,
        inbox=issuer + "/federation/inbox",
        outbox=issuer + "/federation/outbox",
        jwks_uri=issuer + "/federation/jwks.json",
        thumbprints=[jwk["kid"]],
        keys=[jwk],
        status="active",
        last_pulled_seq=0,
    )
    db.session.add(peer)
    db.session.commit()
    return peer
