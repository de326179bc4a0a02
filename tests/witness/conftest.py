"""Fixtures of the witness's unit tests: the group's real app, and a hub log faked with
``federation.tlog`` (an in-memory RFC 9162 tree, checkpoints signed with a real Ed25519 log
key) answering the contract's endpoints on ``http://hub.test`` through the same ``requests``
transport the peering tests use. The fake can lie the ways a hostile hub would (``view``: the
entries it builds its tree from), so only the witness's checks stand between it and a
cosignature. The real hub in real processes is tests/e2e/test_witness_hostile_hub.py.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.tlog import Checkpoint, Ed25519Signer, MemoryTree, sign_checkpoint
from federation.tlog.note import b64encode
from tests.peering.conftest import WsgiAdapter, routed_through

HUB = "http://hub.test"
ORIGIN = "hub.test/log"


def statement_id(compact: str) -> str:
    payload = compact.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["id"]


class FakeHub:
    """The hub's log endpoints over an in-memory tree; ``view`` (if set) is what it shows."""

    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.generate()
        self.signer = Ed25519Signer(ORIGIN, self.key)
        self.entries: list[str] = []
        self.view: list[str] | None = None
        self.served_key: str | None = None
        self.signer_override: Ed25519Signer | None = None
        self.cosignatures: list[str] = []
        self.log_answers = True  # the inbox's 202 carries "log"

    @property
    def shown(self) -> list[str]:
        return self.entries if self.view is None else self.view

    def tree(self) -> MemoryTree:
        tree = MemoryTree()
        for compact in self.shown:
            tree.append(compact.encode("ascii"))
        return tree

    def tree_text(self) -> str:
        tree = self.tree()
        return Checkpoint(ORIGIN, tree.size, tree.root()).text()

    def checkpoint(self) -> str:
        tree = self.tree()
        body = Checkpoint(ORIGIN, tree.size, tree.root())
        return sign_checkpoint(body, self.signer_override or self.signer)

    def answer(self, method: str, url: str, body: bytes | None) -> tuple[int, str, bytes]:
        try:
            return self._answer(method, url, body)
        except ValueError as exc:  # a proof for sizes this tree does not have: refused
            return 400, "application/json", json.dumps({"error": str(exc)}).encode()

    def _answer(self, method: str, url: str, body: bytes | None) -> tuple[int, str, bytes]:
        parts = urlsplit(url)
        query = {k: int(v[0]) for k, v in parse_qs(parts.query).items()}
        path = parts.path
        if method == "POST" and path == "/federation/inbox":
            text = (body or b"").decode()
            compacts = json.loads(text)["statements"] if text.startswith("{") else [text.strip()]
            placed = {}
            for compact in compacts:
                if compact not in self.entries:
                    self.entries.append(compact)
                placed[statement_id(compact)] = self.entries.index(compact)
            doc: dict[str, Any] = {"accepted": len(compacts)}
            if self.log_answers:
                doc["log"] = placed
            return 202, "application/json", json.dumps(doc).encode()
        if path == "/hub/log/key":
            key = self.served_key or self.signer.verifier.key
            return 200, "text/plain", key.encode()
        if path == "/hub/log/checkpoint":
            return 200, "text/plain", self.checkpoint().encode()
        if path == "/hub/log/proof/inclusion":
            hashes = self.tree().inclusion_proof(query["index"], query["tree_size"])
            doc = {"hashes": [b64encode(h) for h in hashes], "leaf_index": query["index"],
                   "tree_size": query["tree_size"]}  # fmt: skip
            return 200, "application/json", json.dumps(doc).encode()
        if path == "/hub/log/proof/consistency":
            hashes = self.tree().consistency_proof(query["first"], query["second"])
            doc = {"hashes": [b64encode(h) for h in hashes], "first": query["first"],
                   "second": query["second"]}  # fmt: skip
            return 200, "application/json", json.dumps(doc).encode()
        if path == "/hub/log/entries":
            start, limit = query["start"], query["limit"]
            items = [{"index": i, "compact": c} for i, c in enumerate(self.shown)][
                start : start + limit
            ]
            doc = {"entries": items, "next": None}
            return 200, "application/json", json.dumps(doc).encode()
        if method == "POST" and path == "/hub/log/cosignature":
            doc = json.loads(body or b"{}")
            assert doc["checkpoint"] == self.tree_text(), "cosigned another checkpoint"
            self.cosignatures.append(doc["cosignature"] + "\n")
            return 202, "application/json", b"{}"
        return 404, "application/json", b'{"error": "not-found"}'


class HubAndNodes(WsgiAdapter):
    """``http://hub.test`` answered by a :class:`FakeHub`; every other host by the app."""

    def __init__(self, app: Any, hub: FakeHub) -> None:
        super().__init__(app)
        self.hub = hub

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        parts = urlsplit(request.url or "")
        if f"{parts.scheme}://{parts.netloc}" != HUB:
            return super().send(request, **kwargs)
        if parts.hostname in self.down:
            raise requests.ConnectionError("hub.test is down (test)")
        body = request.body.encode() if isinstance(request.body, str) else request.body
        status, kind, data = self.hub.answer(request.method or "GET", request.url or "", body)
        return self._response(request, status, {"Content-Type": kind}, data)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "WITNESS_INTERVAL_SECONDS": 0}  # each run checks (tests call it)


@pytest.fixture
def hub() -> FakeHub:
    return FakeHub()


@pytest.fixture
def network(app: Any, hub: FakeHub) -> Iterator[HubAndNodes]:
    with routed_through(HubAndNodes(app, hub)) as adapter:
        yield adapter


def enrol(group: Any) -> None:
    """``group`` joined the hub: a hub link, and the hub follows it (deliveries go there)."""
    from node import clock
    from node.extensions import db
    from node.hub.models import HubLink
    from node.peering.models import Follower

    db.session.add(
        HubLink(
            group_id=group.id,
            hub_url=HUB,
            name="National Hub",
            keys=[],
            registry_url=HUB + "/hub/registry",
        )  # fmt: skip
    )
    db.session.add(
        Follower(
            group_id=group.id,
            actor=HUB,
            inbox=HUB + "/federation/inbox",
            kid="k",
            last_request_at=clock.utcnow_naive(),
            last_nonce="n" * 16,
        )  # fmt: skip
    )
    db.session.commit()


@pytest.fixture
def walton(make_group: Any, network: HubAndNodes) -> Any:
    group = make_group("Walton", slug="walton", url="http://walton.test")
    enrol(group)
    return group


def publish(group: Any, name: str = "Sam Ortiz") -> Any:
    from node.extensions import db
    from node.peering import operations as ops

    row = ops.endorse_candidate(
        group, name, "County Council", "Walton South", "2026-05-07",
        ops.meeting_decision("2026-05-03", "GM/3", "Agreed"),
    )  # fmt: skip
    db.session.commit()
    return row


def deliver() -> int:
    from node.peering import worker

    return worker.deliver_due()


def witness() -> int:
    from node.witness import worker

    return worker.run()


def evidence_kinds(group: Any) -> list[str]:
    from node.witness.evidence import all_evidence

    return sorted(row.kind for row in all_evidence(group.id))
