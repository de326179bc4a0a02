"""``commonground log verify HUB_URL``: check a hub's whole transparency log from scratch.

What anyone can run, with no install of their own (docs/protocol.md §14.8): fetch the log key
(or check it against ``--key``), the newest checkpoint and its signature, every entry from the
first to the checkpoint's size; rebuild the Merkle tree and compare its root with the
checkpoint's; check every entry's signature with the keys its group publishes on its own node,
and that each group's entries form its hash chain; then check each cosignature with the
witness's keys, learnt the same way (the group's discovery document and JWKS). One line per
fact; any failure ends with one sentence and a non-zero exit. An entry or cosignature whose
group's keys cannot be learnt (its node is down or gone) is reported as unchecked, not as a
failure: it proves nothing either way.

The signature check is what makes the log evidence of what the *groups* decided, not only of
what the hub says: the hub holds no group's key, so an entry it made up in a group's name fails
here even though the tree and the checkpoint (which the hub signs) agree with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import click

from federation import statements as fst
from federation.client import FederationClient
from federation.errors import DeliveryError, InvalidKeyError, StatementError
from federation.keys import load_public_jwk, thumbprint
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


def group_keys(client: FederationClient, group_id: str) -> list[dict[str, Any]] | None:
    """The public keys group ``group_id`` publishes on its own node (every key it ever had,
    docs/protocol.md §13), or None when its node cannot be asked or does not list it."""
    try:
        found = [g for g in client.discover(group_id).groups if g.id == group_id]
        return client.fetch_jwks(found[0].jwks_uri) if found else None
    except DeliveryError:
        return None


def _witness_verifiers(client: FederationClient, name: str) -> list[tcp.CosignatureVerifier]:
    """The cosignature verifiers of the group whose witness name is ``name``, from its node."""
    for scheme in ("https://", "http://"):
        jwks = group_keys(client, scheme + name)
        if jwks is None:
            continue
        verifiers = []
        for jwk in jwks:
            try:
                verifiers.append(tcp.CosignatureVerifier(name, load_public_jwk(jwk)))
            except InvalidKeyError:
                continue
        return verifiers
    return []


class EntryCheck:
    """Each entry, in order: a statement signed with a key its group publishes and has not
    rotated away, and the next link of that group's chain (the seq after, naming the hash of
    its group's entry before). A group's first entry may have any seq (the hub logs from when
    it first accepted one).

    A group need not keep its old keys published (docs/protocol.md §4.5: it MAY). An entry
    signed by a key its group no longer publishes is vouched for by the group's own chain: a
    later entry that verifies names the hash of the one before it, and so on back, and nobody
    but the group can make an entry that verifies. Such an entry fails only when no later entry
    of its group verifies. A key a verified ``key-rotation`` entry introduces is trusted from
    then on, as a follower would (it may not be published yet)."""

    def __init__(self, client: FederationClient) -> None:
        self.client = client
        self.keys: dict[str, dict[str, dict[str, Any]] | None] = {}  # issuer → {kid: JWK}
        self.last: dict[str, tuple[int, str]] = {}  # issuer → (seq, hash) of its newest entry
        self.retired: dict[str, dict[str, int]] = {}  # issuer → {kid: seq that retired it}
        self.signed = 0
        self.vouched = 0  # signed by a key no longer published, vouched for by the chain
        self.waiting: dict[str, list[tuple[int, str]]] = {}  # issuer → (index, who) to vouch for
        self.failure: LogFailure | None = None
        self.unchecked: dict[str, int] = {}  # issuer → entries whose signature went unchecked

    def _known(self, issuer: str) -> dict[str, dict[str, Any]] | None:
        if issuer not in self.keys:
            jwks = group_keys(self.client, issuer)
            self.keys[issuer] = None if jwks is None else {thumbprint(k): k for k in jwks}
        return self.keys[issuer]

    def _lookup(self, issuer: str, kid: str) -> fst.LookupResult:
        known = self.keys.get(issuer)
        return fst.UNKNOWN_ISSUER if known is None else known.get(kid, fst.UNKNOWN_KEY)

    def check(self, index: int, compact: str) -> None:
        """Check one entry; the first that is not its group's is kept in ``failure`` and the
        rest go unchecked (the tree is still rebuilt: a changed log is the first thing to say)."""
        if self.failure is None:
            try:
                self._check(index, compact)
            except LogFailure as exc:
                self.failure = exc

    def _check(self, index: int, compact: str) -> None:
        try:
            header, payload = fst.peek(compact)
        except StatementError as exc:
            raise LogFailure(f"entry {index} is not a statement ({exc.detail})") from None
        issuer, seq = payload["issuer"], payload.get("seq")
        if not (issuer.isascii() and issuer.isprintable()) or len(issuer) > 2048:
            raise LogFailure(f"entry {index} names an issuer that is not a group's address")
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise LogFailure(f"entry {index} ({issuer[:200]}) has no sequence number")
        who = f"entry {index} ({issuer[:200]}, seq {seq})"
        self._chain(who, issuer, seq, payload.get("prev"))
        self._rotation(who, issuer, header["kid"], payload)
        known = self._known(issuer)
        if known is None:
            self.unchecked[issuer] = self.unchecked.get(issuer, 0) + 1
        elif header["kid"] not in known:
            self.waiting.setdefault(issuer, []).append((index, who))
        else:
            try:
                fst.verify_signed(compact, self._lookup)
            except StatementError as exc:
                raise LogFailure(
                    f"{who} is not signed by a key its group publishes ({exc.detail})"
                ) from None
            self.signed += 1
            self.vouched += len(self.waiting.pop(issuer, []))
            self._learn(known, payload)
        self.last[issuer] = (seq, fst.statement_hash(compact))

    @staticmethod
    def _learn(known: dict[str, dict[str, Any]], payload: dict[str, Any]) -> None:
        """Trust the key a verified ``key-rotation`` entry introduces (its signer is retired)."""
        body = payload.get("body")
        new_key = body.get("new_key") if isinstance(body, dict) else None
        if payload.get("type") == "key-rotation" and isinstance(new_key, dict):
            try:
                known.setdefault(thumbprint(new_key), new_key)
            except (InvalidKeyError, KeyError, TypeError, ValueError):
                return  # not a key: an entry signed with it fails as unknown

    def _rotation(self, who: str, issuer: str, kid: str, payload: dict[str, Any]) -> None:
        """A key its group rotated away signs nothing after the rotation (docs/protocol.md
        §4.5); a ``key-rotation`` entry retires the key that signed it."""
        retired = self.retired.setdefault(issuer, {})
        if kid in retired:
            raise LogFailure(f"{who} is signed by a key its group retired at seq {retired[kid]}")
        if payload.get("type") == "key-rotation":
            retired[kid] = payload["seq"]

    def _chain(self, who: str, issuer: str, seq: int, prev: Any) -> None:
        before = self.last.get(issuer)
        if before is None:
            return
        if seq != before[0] + 1 or prev != before[1]:
            raise LogFailure(
                f"{who} does not follow its group's entry before it (seq {before[0]}) "
                "in the group's hash chain"
            )

    def facts(self) -> Iterator[Fact]:
        """What the entries showed; raises the first entry's failure, if one failed."""
        if self.failure is not None:  # checking stopped there: what waited was never vouched
            raise self.failure
        dangling = min((pending[0] for pending in self.waiting.values()), default=None)
        if dangling is not None:
            raise LogFailure(
                f"{dangling[1]} is signed by a key its group does not publish, and no later "
                "entry of the group vouches for it"
            )
        groups = len(self.last) - len(self.unchecked)
        yield Fact(
            True,
            f"signatures: {_count(self.signed, 'entry', 'entries')} of "
            f"{_count(groups, 'group', 'groups')} valid with the keys each group publishes; "
            "each group's entries form its chain",
        )
        if self.vouched:
            yield Fact(
                True,
                f"signatures: {_count(self.vouched, 'entry', 'entries')} signed by keys no "
                "longer published, vouched for by a later entry of the same group's chain",
            )
        for issuer, count in sorted(self.unchecked.items()):
            yield Fact(
                True,
                f"signatures: {_count(count, 'entry', 'entries')} of {issuer} unchecked "
                "(its keys are not found)",
            )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


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
    entries = EntryCheck(client)
    for index, compact in enumerate(_entries(client, base, cp.size)):
        frontier.append(merkle.leaf_hash(compact.encode("ascii")))
        entries.check(index, compact)
    if frontier.root() != cp.root:
        raise LogFailure(
            f"the {cp.size} entries the hub serves rebuild root "
            f"{note.b64encode(frontier.root())}, not the checkpoint's"
        )
    yield Fact(True, f"entries: {cp.size} fetched; the rebuilt tree has the checkpoint's root")
    yield from entries.facts()
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
