"""Casting a vote: read the form, check everything, then store who-voted and what-was-voted.

The two rows are written in one transaction and are not linked: :class:`Participation` has the
member, :class:`CastBallot` has the ranking and the hash of a receipt code that only the voter
sees. UNIQUE (ballot_id, member_id) on participations makes a second, simultaneous submission by
the same member fail as a whole (its paper is rolled back with it), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from node import clock
from node.ballots.electorate import has_voted, is_elector
from node.ballots.models import MOTION_CHOICES, Ballot, CastBallot, Participation
from node.errors import Conflict, Forbidden, Invalid
from node.extensions import db
from node.members.models import Member

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_code() -> str:
    """16 random characters (80 bits) in four groups, e.g. ``K7QF-2MZD-8XNE-WB4P``: a receipt,
    or a printed voting code (node.ballots.voting_links)."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def receipt_hash(code: str) -> str:
    """What is stored and published: sha256 of the receipt code exactly as shown (hex)."""
    return hashlib.sha256(code.strip().upper().encode("ascii")).hexdigest()


def _option_positions(ballot: Ballot) -> dict[str, int]:
    return {str(o.id): o.position for o in ballot.options}


def parse_vote(ballot: Ballot, form: Mapping[str, str], approvals: list[str]) -> list[int]:
    """The form as a list of 0-based option positions, or :class:`Invalid` saying why not.

    Ranked ballots send ``rank-<option id>`` = ``1``…``n`` or empty for "no preference";
    FPTP sends ``choice`` = option id; approval sends ``approve`` (repeated); motions ``choice``.
    """
    if ballot.is_motion:
        choice = (form.get("choice") or "").strip().lower()
        names = [c.lower() for c in MOTION_CHOICES]
        if choice not in names:
            raise Invalid("Choose Yes, No or Abstain.")
        return [names.index(choice)]
    positions = _option_positions(ballot)
    if ballot.method == "fptp":
        choice = form.get("choice") or ""
        if not choice:
            raise Invalid("Choose one candidate.")
        if choice not in positions:
            raise Invalid("That candidate is not on this ballot.")
        return [positions[choice]]
    if ballot.method == "approval":
        if not approvals:
            raise Invalid("Tick at least one candidate you approve of.")
        if any(a not in positions for a in approvals):
            raise Invalid("That candidate is not on this ballot.")
        if len(set(approvals)) != len(approvals):
            raise Invalid("A candidate was ticked twice.")
        return sorted(positions[a] for a in approvals)
    ranks: dict[int, int] = {}
    for key, value in form.items():
        if not key.startswith("rank-"):
            continue
        option = key[5:]
        if option not in positions:
            raise Invalid("That candidate is not on this ballot.")
        value = (value or "").strip()
        if not value:
            continue
        if not value.isdigit() or not 1 <= int(value) <= len(positions):
            raise Invalid(f"Rankings are numbers from 1 to {len(positions)}.")
        rank = int(value)
        if rank in ranks:
            raise Invalid(f"You gave two candidates the number {rank}; each number once only.")
        ranks[rank] = positions[option]
    if not ranks:
        raise Invalid("Number at least one candidate (1 for your first choice).")
    missing = [r for r in range(1, max(ranks) + 1) if r not in ranks]
    if missing:
        raise Invalid(f"Your numbers skip {missing[0]}: number your choices 1, 2, 3… in order.")
    return [ranks[r] for r in sorted(ranks)]


@dataclass(frozen=True)
class Receipt:
    code: str
    hash: str


def check_open(ballot: Ballot) -> None:
    """Refuse (:class:`Conflict`) unless ``ballot`` is taking votes now."""
    now = clock.utcnow_naive()
    if ballot.state == "draft" or (ballot.state == "open" and now < ballot.opens_at):
        raise Conflict("This ballot is not open yet.")
    if ballot.state != "open" or now >= ballot.closes_at:
        raise Conflict("This ballot has closed; votes are no longer accepted.")


def cast_vote(
    ballot: Ballot, member: Member, ranking: list[int], method: str = "signed_in"
) -> Receipt:
    """Store a vote, or refuse: not open, closed, not an elector, already voted.

    ``method`` (link, signed_in, code) goes on the participation row only, for the turnout audit.
    """
    check_open(ballot)
    if not is_elector(ballot, member):
        raise Forbidden("You are not on this ballot's electorate (it was fixed when it opened).")
    if has_voted(ballot, member):
        raise Conflict("You have already voted in this ballot; a vote cannot be changed.")
    code = new_code()
    digest = receipt_hash(code)
    db.session.add(
        Participation(
            group_id=ballot.group_id, ballot_id=ballot.id, member_id=member.id, method=method
        )
    )
    db.session.add(
        CastBallot(
            id=uuid.uuid4().hex,
            group_id=ballot.group_id,
            ballot_id=ballot.id,
            ranking=list(ranking),
            receipt_hash=digest,
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("You have already voted in this ballot; a vote cannot be changed.") from None
    return Receipt(code, digest)
