"""``commonground log verify HUB_URL``: check a hub's whole transparency log from scratch.

What anyone can run, with no install of their own (docs/protocol.md §14.8): fetch the log key
(or check it against ``--key``), the newest checkpoint and its signature, every entry from the
first to the checkpoint's size; rebuild the Merkle tree and compare its root with the
checkpoint's; then check each cosignature with the witness's keys, learnt from the witness's own
node (its discovery document and JWKS). One line per fact; any failure ends with one sentence
and a non-zero exit. A cosignature whose keys cannot be learnt is reported as unknown, not as a
failure: it proves nothing either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import click

from federation.client import FederationClient
from federation.errors import DeliveryError, InvalidKeyError
from federation.keys import load_public_jwk
from federation.tlog import checkpoint as tcp
from federation.tlog import merkle, note
from federation.tlog.errors import TlogError
from node.commands import fail

PAGE = 1000
MAX_PAGE_BYTES = 64 * 1024 * 1024


class LogFailure(Exception):
    """The log does not check out; the message is one sentence saying how."""


@dataclass(frozen=True)
class Fact:
    ok: bool
    text: str


def _witness_verifiers(client: FederationClient, name: str) -> list[tcp.CosignatureVerifier]:
    """The cosignature verifiers of the group whose witness name is ``name``, from its node."""
    for scheme in ("https://", "http://"):
        group_id = scheme + name
        try:
            found = [g for g in client.discover(group_id).groups if g.id == group_id]
            if not found:
                continue
            jwks = client.fetch_jwks(found[0].jwks_uri)
        except DeliveryError:
            continue
        verifiers = []
        for jwk in jwks:
            try:
                verifiers.append(tcp.CosignatureVerifier(name, load_public_jwk(jwk)))
            except InvalidKeyError:
                continue
        return verifiers
    return []


def _cosignature(client: FederationClient, text: str, sig: note.Signature) -> Fact:
    try:
        when = datetime.fromtimestamp(tcp.cosignature_timestamp(sig), UTC).isoformat()
    except (TlogError, OverflowError, ValueError):
        return Fact(False, f"cosignature by {sig.name}: INVALID (not a cosignature/v1 signature)")
    verifier = next(
        (v for v in _witness_verifiers(client, sig.name) if v.key_id == sig.key_id), None
    )
    if verifier is None:
        return Fact(True, f"cosignature by {sig.name} at {when}: unknown (its key is not found)")
    if not verifier.verify(text.encode(), sig.signature):
        return Fact(False, f"cosignature by {sig.name} at {when}: INVALID signature")
    return Fact(True, f"cosignature by {sig.name} at {when}: valid")


def _entries(client: FederationClient, base: str, size: int) -> Iterator[str]:
    """Entries 0 … size - 1 in order, page by page; anything else is a :class:`LogFailure`."""
    start = 0
    while start < size:
        url = f"{base}/entries?{urlencode({'start': start, 'limit': PAGE})}"
        doc: Any = client.fetch_json(url, MAX_PAGE_BYTES)
        items = doc.get("entries") if isinstance(doc, dict) else None
        if not isinstance(items, list):
            raise LogFailure(f"{url} did not return a list of entries")
        if not items:
            raise LogFailure(f"the hub serves {start} entries, fewer than its checkpoint's {size}")
        for item in items[: size - start]:
            if not isinstance(item, dict) or item.get("index") != start:
                raise LogFailure(f"entry {start} is missing or out of order in {url}")
            compact = item.get("compact")
            if not isinstance(compact, str) or not compact.isascii():
                raise LogFailure(f"entry {start} is not a compact statement")
            yield compact
            start += 1


def check_log(client: FederationClient, hub_url: str, pinned: str | None = None) -> Iterator[Fact]:
    """The facts of ``hub_url``'s log, in order; raises :class:`LogFailure`, a
    :class:`~federation.tlog.errors.TlogError` or a
    :class:`~federation.errors.DeliveryError` at the first thing that is wrong."""
    base = hub_url.rstrip("/") + "/hub/log"
    key = client.fetch_text(base + "/key", 4096).strip()
    if pinned is not None and key != pinned.strip():
        raise LogFailure(f"the hub's log key is {key}, not the pinned {pinned.strip()}")
    log = note.Ed25519Verifier.from_key(key)
    yield Fact(True, f"log key: {key}" + (" (pinned)" if pinned else " (as served by the hub)"))
    served = client.fetch_text(base + "/checkpoint", 256 * 1024)
    signed = tcp.open_checkpoint(served, log)
    cp = signed.checkpoint
    yield Fact(
        True,
        f"checkpoint: {cp.origin}, size {cp.size}, root {note.b64encode(cp.root)}, "
        "signed by the log key",
    )
    frontier = merkle.Frontier()
    for compact in _entries(client, base, cp.size):
        frontier.append(merkle.leaf_hash(compact.encode("ascii")))
    if frontier.root() != cp.root:
        raise LogFailure(
            f"the {cp.size} entries the hub serves rebuild root "
            f"{note.b64encode(frontier.root())}, not the checkpoint's"
        )
    yield Fact(True, f"entries: {cp.size} fetched; the rebuilt tree has the checkpoint's root")
    cosignatures = [s for s in signed.opened.unverified if s.name != log.name]
    if not cosignatures:
        yield Fact(True, "cosignatures: none")
    for sig in cosignatures:
        yield _cosignature(client, signed.opened.text, sig)


@click.command("verify")
@click.argument("hub_url")
@click.option("--key", "pinned", help="The log key as published out of band; refuse any other.")
def verify(hub_url: str, pinned: str | None) -> None:
    """Rebuild a hub's whole log and check its checkpoint and cosignatures."""
    client = FederationClient(allow_private=True)
    ok = True
    try:
        for fact in check_log(client, hub_url, pinned):
            click.echo(fact.text)
            ok = ok and fact.ok
    except LogFailure as exc:
        fail(f"The log does not check out: {exc}.")
    except TlogError as exc:
        fail(f"The log does not check out: {exc}.")
    except DeliveryError as exc:
        fail(f"Could not read the hub's log: {exc}.")
    finally:
        client.close()
    if not ok:
        fail("The log does not check out: a cosignature is invalid.")
    click.echo("log verified")


if __name__ == "__main__":
    verify()
