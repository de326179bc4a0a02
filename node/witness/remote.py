"""The hub's transparency-log endpoints as the witness reads them (protocol §14, "Contract").

Every answer is untrusted: shapes are checked here (a list of canonical base64 32-byte hashes,
integers echoed as asked) and anything else is a :class:`~federation.errors.BadResponse` — a
failed fetch, retried with back-off, never evidence. Evidence needs a signed checkpoint; the
proofs' *hashes* are judged by :mod:`node.witness.checks`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from federation.client import FederationClient, InboxResult
from federation.errors import BadResponse
from federation.tlog import NoteError
from federation.tlog.note import b64decode

MAX_NOTE_BYTES = 64 * 1024
MAX_PROOF_HASHES = 128
ENTRIES_PAGE = 1000


def _hashes(doc: Any, url: str) -> list[bytes]:
    if not isinstance(doc, dict) or not isinstance(doc.get("hashes"), list):
        raise BadResponse(f"{url[:200]}: no list of hashes")
    if len(doc["hashes"]) > MAX_PROOF_HASHES:
        raise BadResponse(f"{url[:200]}: too many hashes")
    out = []
    for item in doc["hashes"]:
        try:
            raw = b64decode(item) if isinstance(item, str) else b""
        except NoteError:
            raw = b""
        if len(raw) != 32:
            raise BadResponse(f"{url[:200]}: a hash is not base64 of 32 bytes")
        out.append(raw)
    return out


class HubLog:
    """One hub's log endpoints (``<hub URL>/hub/log/…``) over a federation client."""

    def __init__(self, client: FederationClient, hub_url: str) -> None:
        self.client = client
        self.base = hub_url.rstrip("/") + "/hub/log"

    def key(self) -> str:
        return self.client.fetch_text(self.base + "/key", 4096).strip()

    def checkpoint(self) -> str:
        return self.client.fetch_text(self.base + "/checkpoint", MAX_NOTE_BYTES)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        url = f"{self.base}/proof/inclusion?{urlencode({'index': index, 'tree_size': size})}"
        doc = self.client.fetch_json(url)
        if doc.get("leaf_index") != index or doc.get("tree_size") != size:
            raise BadResponse(f"{url[:200]}: the proof is for another leaf or size")
        return _hashes(doc, url)

    def consistency(self, first: int, second: int) -> list[bytes]:
        url = f"{self.base}/proof/consistency?{urlencode({'first': first, 'second': second})}"
        doc = self.client.fetch_json(url)
        if doc.get("first") != first or doc.get("second") != second:
            raise BadResponse(f"{url[:200]}: the proof is for other sizes")
        return _hashes(doc, url)

    def entries(self, start: int, limit: int = ENTRIES_PAGE) -> list[tuple[int, str]]:
        """Up to ``limit`` entries from ``start`` as (index, compact), in order."""
        url = f"{self.base}/entries?{urlencode({'start': start, 'limit': limit})}"
        doc = self.client.fetch_json(url, 16 * 1024 * 1024)
        items = doc.get("entries") if isinstance(doc, dict) else None
        if not isinstance(items, list) or len(items) > limit:
            raise BadResponse(f"{url[:200]}: no list of entries")
        out = []
        for expected, item in enumerate(items, start):
            if (
                not isinstance(item, dict)
                or item.get("index") != expected
                or not isinstance(item.get("compact"), str)
            ):
                raise BadResponse(f"{url[:200]}: entries out of order or malformed")
            out.append((expected, item["compact"]))
        return out

    def cosign(self, checkpoint_text: str, line: str) -> InboxResult:
        """POST our cosignature line of a checkpoint to the hub (it serves the checkpoint with
        it): the JSON body of protocol §14.8."""
        doc = json.dumps({"checkpoint": checkpoint_text, "cosignature": line.rstrip("\n")})
        return self.client.post_text(self.base + "/cosignature", doc, "application/json")


def peer_checkpoints(client: FederationClient, peer_url: str) -> list[str]:
    """The checkpoints a peer's node last verified (``/federation/witness/checkpoints``)."""
    url = peer_url.rstrip("/") + "/federation/witness/checkpoints"
    doc = client.fetch_json(url, 256 * 1024)
    items = doc.get("checkpoints") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items[:20]):
        raise BadResponse(f"{url[:200]}: no list of checkpoints")
    return [str(item) for item in items[:20]]
