"""A hostile national hub for the witness tests: the real hub (``node.wsgi:app``) behind a WSGI
middleware that, when told to, serves a log it has tampered with.

    Install(tmp_path / "hub", wsgi="tests.support.hostile_hub:app")

The middleware reads ``<instance>/hostile.json`` on every request. Absent or ``{}``: every
request goes to the real hub. Otherwise it reads the real log's entries (through the real app),
changes them as told, and answers the log's read endpoints (checkpoint, entries, inclusion and
consistency proofs) from that tree, built with ``federation.tlog`` and **signed with the hub's
own log key**, so the signatures check out and only the Merkle proofs can catch it. Cosignatures
of its forged checkpoints are accepted without a look; everything else (the inbox with its leaf
indices, the log key) stays honest.

- ``{"drop": [i, …]}``: leave out the real entries at those indices;
- ``{"swap": [i, j]}``: exchange two entries;
- ``{"rewrite": [i, …]}``: change one character inside each of those entries.

Which tree a group is shown is the test's choice: it writes the file before a group's worker
runs (the hub deciding by who asks, as a split view needs).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from werkzeug.test import Client
from werkzeug.wrappers import Response

from federation import keys as fkeys
from federation.tlog import Checkpoint, Ed25519Signer, MemoryTree, sign_checkpoint
from federation.tlog.note import b64encode
from node.wsgi import app as real_app

LOG = "/hub/log/"
READS = ("checkpoint", "entries", "proof/inclusion", "proof/consistency")


def _instance() -> Path:
    return Path(os.environ["COMMONGROUND_INSTANCE_PATH"])


def _mode() -> dict[str, Any]:
    path = _instance() / "hostile.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _tampered(entries: list[str], mode: dict[str, Any]) -> list[str]:
    out = list(entries)
    for i in mode.get("rewrite", []):
        head, payload, sig = out[i].split(".")
        middle = len(payload) // 2
        changed = "A" if payload[middle] != "A" else "B"
        out[i] = f"{head}.{payload[:middle]}{changed}{payload[middle + 1 :]}.{sig}"
    if "swap" in mode:
        i, j = mode["swap"]
        out[i], out[j] = out[j], out[i]
    dropped = set(mode.get("drop", []))
    return [entry for n, entry in enumerate(out) if n not in dropped]


class HostileHub:
    def __init__(self, app: Any) -> None:
        self.app = app

    def _real(self, environ: dict[str, Any], path: str) -> Response:
        base = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', 'localhost')}"
        return Client(self.app).get(path, base_url=base)

    def _entries(self, environ: dict[str, Any]) -> list[str]:
        entries: list[str] = []
        while True:
            page = self._real(environ, f"{LOG}entries?start={len(entries)}&limit=1000")
            if page.status_code != 200:
                return entries  # an empty log, or past its end
            items = page.get_json()["entries"]
            entries += [item["compact"] for item in items]
            if not items:
                return entries

    def _signer(self, environ: dict[str, Any]) -> Ed25519Signer:
        name = self._real(environ, LOG + "key").get_data(as_text=True).strip().split("+")[0]
        (key_file,) = (_instance() / "keys").glob("*/log.key")
        return Ed25519Signer(name, fkeys.load_private_key(key_file))

    def answer(self, environ: dict[str, Any], what: str, mode: dict[str, Any]) -> Response:
        entries = _tampered(self._entries(environ), mode)
        tree = MemoryTree()
        for entry in entries:
            tree.append(entry.encode("ascii"))
        query = {k: int(v[0]) for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            if what == "checkpoint":
                signer = self._signer(environ)
                note = sign_checkpoint(Checkpoint(signer.name, tree.size, tree.root()), signer)
                return Response(note, content_type="text/plain; charset=utf-8")
            if what == "entries":
                start, limit = query["start"], min(query.get("limit", 100), 1000)
                items = [{"index": i, "compact": c} for i, c in enumerate(entries)]
                doc: dict[str, Any] = {"entries": items[start : start + limit], "next": None}
            elif what == "proof/inclusion":
                index, size = query["index"], query["tree_size"]
                hashes = tree.inclusion_proof(index, size)
                doc = {
                    "hashes": [b64encode(h) for h in hashes],
                    "leaf_index": index,
                    "tree_size": size,
                }
            else:
                first, second = query["first"], query["second"]
                hashes = tree.consistency_proof(first, second)
                doc = {"hashes": [b64encode(h) for h in hashes], "first": first, "second": second}
        except (KeyError, ValueError) as exc:
            doc, status = {"error": "invalid", "detail": str(exc)}, 400
        else:
            status = 200
        return Response(json.dumps(doc), status=status, content_type="application/json")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        mode = _mode() if path.startswith(LOG) else {}
        what = path[len(LOG) :]
        if mode and environ["REQUEST_METHOD"] == "GET" and what in READS:
            return self.answer(environ, what, mode)(environ, start_response)
        if mode and environ["REQUEST_METHOD"] == "POST" and what == "cosignature":
            return Response("{}", status=202, content_type="application/json")(
                environ, start_response
            )
        return self.app(environ, start_response)


app = HostileHub(real_app)
