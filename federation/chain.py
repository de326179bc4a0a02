"""Hash-chain rules, as pure functions.

Every issuer numbers its statements 1, 2, 3, ... and each statement's
``prev`` is the hash of the one before (null for seq 1). A receiver that
holds statements 1..N of an issuer can therefore classify any new verified
statement without trusting anyone: it extends the chain, repeats something
already held, skips ahead (we must backfill from the issuer's outbox), or
contradicts what we hold (a fork: the issuer signed two different histories,
which is evidence of key compromise or misbehaviour and needs a human).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from .errors import StatementError
from .keys import thumbprint
from .statements import KeyLookup, LookupResult, VerifiedStatement, peek, verify

__all__ = ["ChainState", "Verdict", "RunReport", "Problem", "classify", "verify_run"]

Kind = Literal["append", "duplicate", "gap", "fork", "behind"]


@dataclass(frozen=True)
class ChainState:
    """What a receiver holds for one issuer: the last seq (0 = nothing) and its hash."""

    last_seq: int = 0
    last_hash: str | None = None


@dataclass(frozen=True)
class Verdict:
    """Classification of one incoming statement against a :class:`ChainState`.

    ``kind``:
      - ``append``: seq = last + 1 and prev matches; store it.
      - ``duplicate``: we hold the identical statement; answer success, do nothing.
      - ``gap``: seq > last + 1; ``missing`` is the inclusive (first, last) range to backfill.
      - ``fork``: contradicts a held statement or the last hash; reject and alert.
      - ``behind``: seq <= last but that statement is not held (we started from an
        anchor), so it cannot be checked; ignore it.
    ``code`` is ``chain-gap`` / ``chain-fork`` for gap and fork, else None.
    """

    kind: Kind
    detail: str = ""
    missing: tuple[int, int] | None = None

    @property
    def code(self) -> str | None:
        return {"gap": "chain-gap", "fork": "chain-fork"}.get(self.kind)

    @property
    def ok(self) -> bool:
        return self.kind in ("append", "duplicate", "behind")

    def raise_for_error(self) -> None:
        """Raise the matching StatementError for gap/fork (with ``missing`` for gaps)."""
        if self.kind == "gap" and self.missing is not None:
            first, last = self.missing
            raise StatementError("chain-gap", self.detail, {"missing": {"from": first, "to": last}})
        if self.kind == "fork":
            raise StatementError("chain-fork", self.detail)


def _link_error(statement: VerifiedStatement) -> str | None:
    if statement.seq < 1:
        return "seq must be >= 1"
    if statement.seq == 1 and statement.prev is not None:
        return "seq 1 must have prev null"
    if statement.seq > 1 and statement.prev is None:
        return f"seq {statement.seq} must have a prev hash"
    return None


def classify(
    statement: VerifiedStatement,
    state: ChainState,
    held: Callable[[int], str | None],
) -> Verdict:
    """Classify ``statement`` given the receiver's ``state`` for its issuer.

    ``held(seq)`` returns the compact JWS we hold at ``seq`` or None.
    """
    problem = _link_error(statement)
    if problem:
        return Verdict("fork", problem)
    seq = statement.seq
    if seq <= state.last_seq:
        existing = held(seq)
        if existing is None:
            return Verdict("behind", f"seq {seq} predates what we hold")
        if existing == statement.compact:
            return Verdict("duplicate", f"seq {seq} already held")
        return Verdict("fork", f"a different statement is held at seq {seq}")
    if seq == state.last_seq + 1:
        expected = state.last_hash if state.last_seq else None
        if statement.prev != expected:
            return Verdict("fork", f"prev of seq {seq} does not match our seq {state.last_seq}")
        return Verdict("append")
    return Verdict(
        "gap",
        f"expected seq {state.last_seq + 1}, got {seq}",
        missing=(state.last_seq + 1, seq - 1),
    )


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a run: the seq (0 if unknown), an error code and detail."""

    seq: int
    code: str
    detail: str


@dataclass(frozen=True)
class RunReport:
    """Result of :func:`verify_run`: the good prefix and everything wrong after it."""

    ok: bool
    last_seq: int
    last_hash: str | None
    accepted: tuple[VerifiedStatement, ...]
    problems: tuple[Problem, ...] = field(default=())
    missing: tuple[tuple[int, int], ...] = field(default=())


def verify_run(
    items: Iterable[str | VerifiedStatement],
    key_lookup: KeyLookup | None = None,
    *,
    anchor: ChainState | None = None,
    issuer: str | None = None,
) -> RunReport:
    """Check a whole log (from seq 1, or continuing from ``anchor``).

    Compact strings are verified with ``key_lookup``; a ``key-rotation`` in
    the run makes its new key valid for the rest of the run (and retires the
    old one). Items are ordered by seq; exact repeats are ignored. The run is
    accepted up to the first gap or fork; later items are only reported.
    """
    state = anchor or ChainState()
    rotated: dict[tuple[str, str], dict[str, str]] = {}
    retired: set[tuple[str, str]] = set()
    problems: list[Problem] = []

    def lookup(iss: str, kid: str) -> LookupResult:
        if (iss, kid) in retired:
            raise StatementError("unknown-key", "key was retired by a key-rotation in this run")
        if (iss, kid) in rotated:
            return rotated[(iss, kid)]
        if key_lookup is None:
            raise TypeError("verify_run needs key_lookup to check compact statements")
        return key_lookup(iss, kid)

    pending = list(items)
    verified = [item for item in pending if isinstance(item, VerifiedStatement)]
    raw = [item for item in pending if not isinstance(item, VerifiedStatement)]
    # Verify compacts in peek-seq order so rotations apply to later statements.
    raw_with_seq = sorted(raw, key=_peek_seq)
    for compact in raw_with_seq:
        try:
            stmt = verify(compact, lookup)
        except StatementError as exc:
            problems.append(Problem(_peek_seq(compact), exc.code, exc.detail))
            continue
        verified.append(stmt)
        if stmt.type == "key-rotation":
            new_key = dict(stmt.body["new_key"])
            rotated[(stmt.issuer, thumbprint(new_key))] = new_key
            retired.add((stmt.issuer, stmt.kid))

    issuer = issuer or (verified[0].issuer if verified else None)
    by_seq: dict[int, str] = {}
    accepted: list[VerifiedStatement] = []
    missing: list[tuple[int, int]] = []
    stopped = False
    for stmt in sorted(verified, key=lambda s: s.seq):
        if stmt.issuer != issuer:
            problems.append(Problem(stmt.seq, "unknown-issuer", "statement from another issuer"))
            continue
        verdict = classify(stmt, state, by_seq.get)
        if verdict.kind == "duplicate" or (verdict.kind == "behind" and not stopped):
            continue
        if stopped or verdict.kind in ("gap", "fork", "behind"):
            if verdict.kind == "gap" and verdict.missing and not stopped:
                missing.append(verdict.missing)
            code = verdict.code or "chain-gap"
            problems.append(Problem(stmt.seq, code, verdict.detail or "after an earlier problem"))
            stopped = True
            continue
        accepted.append(stmt)
        by_seq[stmt.seq] = stmt.compact
        state = ChainState(stmt.seq, stmt.hash)
    problems.sort(key=lambda p: p.seq)
    return RunReport(
        ok=not problems,
        last_seq=state.last_seq,
        last_hash=state.last_hash,
        accepted=tuple(accepted),
        problems=tuple(problems),
        missing=tuple(missing),
    )


def _peek_seq(compact: str) -> int:
    try:
        seq = peek(compact)[1].get("seq")
    except StatementError:
        return 0
    return seq if isinstance(seq, int) else 0
