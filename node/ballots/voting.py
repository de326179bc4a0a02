"""Casting a vote: read the form, check everything, then store who-voted and what-was-voted.

The two rows are written in one transaction and are not linked: :class:`Participation` has the
member, :class:`CastBallot` has the ranking and the hash of a receipt code that only the voter
sees. UNIQUE (ballot_id, member_id) on participations makes a second, simultaneous submission by
the same member fail as a whole (its paper is rolled back with it), on SQLite and PostgreSQL.

The receipt code is chosen by the server when it shows the ballot paper (:func:`offer_receipt`)
and travels in the form with a check: an HMAC, under the app's secret key, of the ballot, the
member and the code. So a member cannot send a code of their own choosing (to collide with, or
pass for, another paper) nor reuse another member's, and when the same form arrives twice (a
reload, a lost reply) the code in it finds the paper it already made (:func:`recorded`): the
voter is shown the same receipt instead of "already voted". Only the code's hash is stored, on
the anonymous paper, as before; the member and the participation never see it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from node import clock
from node.ballots import vote_batch
from node.ballots.electorate import Standing, standing, voted_column
from node.ballots.models import MOTION_CHOICES, Ballot, CastBallot, Participation
from node.errors import Conflict, Forbidden, Invalid
from node.extensions import db
from node.i18n import N_
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
            raise Invalid(_("Choose Yes, No or Abstain."))
        return [names.index(choice)]
    positions = _option_positions(ballot)
    if ballot.method == "fptp":
        choice = form.get("choice") or ""
        if not choice:
            raise Invalid(_("Choose one candidate."))
        if choice not in positions:
            raise Invalid(_("That candidate is not on this ballot."))
        return [positions[choice]]
    if ballot.method == "approval":
        if not approvals:
            raise Invalid(_("Tick at least one candidate you approve of."))
        if any(a not in positions for a in approvals):
            raise Invalid(_("That candidate is not on this ballot."))
        if len(set(approvals)) != len(approvals):
            raise Invalid(_("A candidate was ticked twice."))
        return sorted(positions[a] for a in approvals)
    ranks: dict[int, int] = {}
    for key, value in form.items():
        if not key.startswith("rank-"):
            continue
        option = key[5:]
        if option not in positions:
            raise Invalid(_("That candidate is not on this ballot."))
        value = (value or "").strip()
        if not value:
            continue
        if not value.isdigit() or not 1 <= int(value) <= len(positions):
            raise Invalid(_("Rankings are numbers from 1 to %(max)s.", max=len(positions)))
        rank = int(value)
        if rank in ranks:
            raise Invalid(
                _("You gave two candidates the number %(rank)s; each number once only.", rank=rank)
            )
        ranks[rank] = positions[option]
    if not ranks:
        raise Invalid(_("Number at least one candidate (1 for your first choice)."))
    missing = [r for r in range(1, max(ranks) + 1) if r not in ranks]
    if missing:
        raise Invalid(
            _(
                "Your numbers skip %(number)s: number your choices 1, 2, 3… in order.",
                number=missing[0],
            )
        )
    return [ranks[r] for r in sorted(ranks)]


@dataclass(frozen=True)
class Receipt:
    code: str
    hash: str


# ----------------------------------------------------------------------------- receipt codes
RECEIPT_FIELD = "receipt"
CHECK_FIELD = "receipt_check"
_CODE_SHAPE = 19  # XXXX-XXXX-XXXX-XXXX
ALTERED = N_(
    "The receipt code on this ballot paper was changed or belongs to another paper, so your vote "
    "was not stored. Use the new ballot paper below and note its receipt code."
)


@dataclass(frozen=True)
class OfferedReceipt:
    """A receipt code shown on a ballot paper before the vote, and its check for the form."""

    code: str
    check: str

    @property
    def fields(self) -> dict[str, str]:
        return {RECEIPT_FIELD: self.code, CHECK_FIELD: self.check}


def _check(ballot: Ballot, member: Member, code: str) -> str:
    """HMAC-SHA256 of (ballot, member, code) under the app's secret key: only this server can
    make it, and it is good for this member's paper in this ballot only."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"ballot-receipt\n{ballot.id}\n{member.id}\n{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def posted_receipt(ballot: Ballot, member: Member, form: Mapping[str, str]) -> str | None:
    """The receipt code the form carries, once its check is verified; ``None`` when the form has
    none (a page from before receipts were offered: the vote then gets a fresh code and a repeat
    cannot be recognised). :class:`Invalid` for a code that was altered or is not this member's.
    """
    code = (form.get(RECEIPT_FIELD) or "").strip()
    check = (form.get(CHECK_FIELD) or "").strip()
    if not code and not check:
        return None
    if len(code) != _CODE_SHAPE or not hmac.compare_digest(
        _check(ballot, member, code).encode(), check.encode("ascii", "replace")
    ):
        raise Invalid(_(ALTERED), {RECEIPT_FIELD: _("Changed or not yours.")})
    return code


def offer_receipt(
    ballot: Ballot, member: Member, form: Mapping[str, str] | None = None
) -> OfferedReceipt:
    """The receipt code for the ballot paper about to be shown: the one the posted ``form``
    already carries when it is genuine (a paper shown again with an error keeps the code the
    voter may have written down), otherwise a new one."""
    try:
        code = posted_receipt(ballot, member, form or {})
    except Invalid:
        code = None
    code = code or new_code()
    return OfferedReceipt(code, _check(ballot, member, code))


def recorded(
    ballot: Ballot, member: Member, code: str, voted: bool | None = None
) -> CastBallot | None:
    """The paper this member's earlier submission of ``code`` made, if any: a paper of this
    ballot with the code's hash, *and* a participation of the member (a code is only ever
    offered to one member, and its check proves the form is theirs). ``voted`` is whether the
    member has voted, when the request has just read it; ``None`` reads it here."""
    if voted is False:
        return None
    paper = select(CastBallot).where(
        CastBallot.ballot_id == ballot.id, CastBallot.receipt_hash == receipt_hash(code)
    )
    if voted is None:
        paper = paper.where(voted_column(ballot.id, member.id))
    return db.session.scalar(paper)


CLOSED = N_("This ballot has closed; votes are no longer accepted.")
ALREADY_VOTED = N_("You have already voted in this ballot; a vote cannot be changed.")


def check_open(ballot: Ballot) -> None:
    """Refuse (:class:`Conflict`) unless ``ballot`` is taking votes now."""
    now = clock.utcnow_naive()
    if ballot.taking_votes(now):
        return
    if ballot.state == "draft" or (ballot.state == "open" and now < ballot.opens_at):
        raise Conflict(_("This ballot is not open yet."))
    raise Conflict(_(CLOSED))


def check_elector(ballot: Ballot, member: Member, place: Standing | None = None) -> None:
    """Refuse (:class:`Forbidden`) unless ``member`` is on ``ballot``'s electorate (``place``:
    their standing, when the request has read it)."""
    if not (place or standing(ballot, member)).elector:
        raise Forbidden(_("You are not on this ballot's electorate (it was fixed when it opened)."))


def check_may_vote(ballot: Ballot, member: Member, place: Standing | None = None) -> None:
    """Refuse unless ``member`` may vote in ``ballot`` now: open, an elector, not voted yet."""
    check_open(ballot)
    place = place or standing(ballot, member)
    check_elector(ballot, member, place)
    if place.voted:
        raise Conflict(_(ALREADY_VOTED))


def cast_vote(
    ballot: Ballot,
    member: Member,
    ranking: list[int],
    method: str = "signed_in",
    receipt_code: str | None = None,
) -> Receipt:
    """Store a vote in the caller's session (flushed, not committed), or refuse: not open,
    closed, not an elector, already voted. For seeding and scripts; a submitted paper goes
    through :func:`submit_vote` and its batches instead.

    ``method`` (link, signed_in, code) goes on the participation row only, for the turnout audit.
    ``receipt_code`` is the verified code from the form (:func:`posted_receipt`); without one a
    fresh code is made.
    """
    check_may_vote(ballot, member)
    code = receipt_code or new_code()
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
    except IntegrityError:  # a member who voted meanwhile: the participation's unique key
        db.session.rollback()
        raise Conflict(_(ALREADY_VOTED)) from None
    return Receipt(code, digest)


@dataclass(frozen=True)
class Cast:
    """The answer to a submitted paper: its receipt and choices, and whether it was a repeat of a
    form already stored (nothing new was stored then)."""

    receipt: Receipt
    ranking: list[int]
    repeated: bool = False


def repeat_of(
    ballot: Ballot, member: Member, code: str | None, voted: bool | None = None
) -> Cast | None:
    """The earlier vote this member cast with ``code`` (a verified code), if any (``voted`` as
    for :func:`recorded`)."""
    paper = recorded(ballot, member, code, voted) if code else None
    if paper is None or code is None:
        return None
    return Cast(Receipt(code, paper.receipt_hash), list(paper.ranking), repeated=True)


def submit_vote(
    ballot: Ballot,
    member: Member,
    form: Mapping[str, str],
    approvals: list[str],
    method: str = "signed_in",
    credential_id: int | None = None,
    place: Standing | None = None,
) -> Cast:
    """Cast and commit the vote a submitted paper carries, or recognise it as a repeat.

    The checks that only read (the receipt's check, a repeat, the choices, the electorate) come
    first; then the vote joins the next batch of :mod:`node.ballots.vote_batch`, which checks
    again as it writes (open, not voted, the voting link or code ``credential_id`` still unused,
    claiming it in the same transaction). A repeat is answered with the stored receipt whether
    it arrives after the first submission committed or races it (the loser is refused, then
    finds the winner's paper). Any other refusal (already voted with another paper, closed…) is
    raised; storage trouble is raised as the database's error, with nothing of the vote stored.
    ``place`` is the member's standing when the request has read it (a voting link's look-up).
    """
    code = posted_receipt(ballot, member, form)
    place = place or standing(ballot, member)
    earlier = repeat_of(ballot, member, code, place.voted)
    if earlier is not None:
        return earlier
    ranking = parse_vote(ballot, form, approvals)
    check_open(ballot)
    check_elector(ballot, member, place)  # not voted yet: the batch checks that as it writes
    code = code or new_code()
    vote = vote_batch.PendingVote(
        group_id=ballot.group_id,
        ballot_id=ballot.id,
        member_id=member.id,
        method=method,
        ranking=ranking,
        receipt_hash=receipt_hash(code),
        voted_at=clock.utcnow_naive(),
        credential_id=credential_id,
    )
    _commit_keeping_loaded()
    vote_batch.store(db.engine, vote)
    vote_batch.raise_error(vote)
    if vote.refusal is not None:
        earlier = repeat_of(ballot, member, code)
        if earlier is not None:
            return earlier
        raise Conflict(_(REFUSALS[vote.refusal]))
    return Cast(Receipt(code, vote.receipt_hash), ranking)


REFUSALS = {
    vote_batch.CLOSED: CLOSED,
    vote_batch.VOTED: ALREADY_VOTED,
    vote_batch.CREDENTIAL_USED: N_("This link or code has already been used to vote."),
}


def _commit_keeping_loaded() -> None:
    """Commit whatever the request's session holds before the vote is written on a connection
    of its own (on SQLite a write left open here would hold the lock the batch waits for),
    keeping the loaded ballot and member for the receipt page instead of reading them again."""
    session = db.session()  # the request's own Session, not its registry
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


# ----------------------------------------------------------------------------- the review step
@dataclass(frozen=True)
class Review:
    """A valid paper shown back to the voter before it is cast: nothing is stored. ``fields``
    are the form fields that cast exactly these choices with this receipt code."""

    ranking: list[int]
    offered: OfferedReceipt
    fields: list[tuple[str, str]]


def choice_fields(ballot: Ballot, ranking: list[int]) -> list[tuple[str, str]]:
    """The form fields that :func:`parse_vote` reads back as ``ranking``."""
    if ballot.is_motion:
        return [("choice", MOTION_CHOICES[ranking[0]].lower())]
    ids = {o.position: str(o.id) for o in ballot.options}
    if ballot.method == "fptp":
        return [("choice", ids[ranking[0]])]
    if ballot.method == "approval":
        return [("approve", ids[p]) for p in ranking]
    return [(f"rank-{ids[p]}", str(n)) for n, p in enumerate(ranking, 1)]


def review_vote(
    ballot: Ballot,
    member: Member,
    form: Mapping[str, str],
    approvals: list[str],
    place: Standing | None = None,
) -> Cast | Review:
    """Check a submitted paper as :func:`submit_vote` would, without storing anything: the
    review to show, or the stored receipt when this very paper was already cast (a reload)."""
    code = posted_receipt(ballot, member, form)
    place = place or standing(ballot, member)
    earlier = repeat_of(ballot, member, code, place.voted)
    if earlier is not None:
        return earlier
    ranking = parse_vote(ballot, form, approvals)
    check_may_vote(ballot, member, place)
    offered = offer_receipt(ballot, member, form)
    fields = choice_fields(ballot, ranking) + list(offered.fields.items())
    return Review(ranking, offered, fields)
