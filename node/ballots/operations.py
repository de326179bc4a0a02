"""The ballot lifecycle: draft → open → closed → published, or cancelled (a draft or an open
ballot withdrawn by an officer: terminal, its papers destroyed uncounted). All state changes
live here.

Views and the CLI call these and commit; these functions never commit (the scheduler's task,
``node.ballots.scheduling``, commits one ballot at a time). State transitions are *claimed* with a
conditional ``UPDATE … WHERE state = 'draft'`` so a worker and a lazy on-request run, or two
workers, can never open (and mail) or close the same ballot twice.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, delete, func, insert, select, update

from node import clock
from node.audit import record
from node.ballots.electorate import (
    electorate_query,
    electorate_size,
    frozen_electorate_query,
)
from node.ballots.models import (
    Ballot,
    BallotOption,
    CastBallot,
    Elector,
    Participation,
    VotingCredential,
)
from node.ballots.results import build_blt, count_ballot
from node.ballots.spec import FIELDS, BallotSpec, describe_campaign, validate
from node.ballots.spec import to_london as to_london
from node.ballots.voting_links import opening_mails, reminder_mails
from node.errors import Conflict, Invalid
from node.extensions import db
from node.forms import reason_given
from node.groups.models import Group
from node.mail import MailLog, Outgoing, send_many
from node.members.models import Member

log = logging.getLogger(__name__)
REMIND_BEFORE = timedelta(days=1)


def reminder_due(opened_at: datetime | None, closes_at: datetime, now: datetime) -> bool:
    """The "closes soon" reminder goes a day before the close, but never before the ballot has
    run half its time: electors of a short ballot got their opening mail moments ago."""
    if now >= closes_at or now < closes_at - REMIND_BEFORE:
        return False
    return opened_at is None or now >= opened_at + (closes_at - opened_at) / 2


def _apply(ballot: Ballot, spec: BallotSpec, group: Group) -> None:
    if spec.campaign_id is not None and describe_campaign(group, spec.campaign_id) is None:
        message = _("That campaign is not one of this group's.")
        raise Invalid(message, fields={"campaign_id": message})
    for key in FIELDS:
        setattr(ballot, key, getattr(spec, key))
    ballot.title = ballot.title.strip()
    ballot.options = [
        BallotOption(group_id=ballot.group_id, position=i, name=name)
        for i, name in enumerate(spec.options)
    ]


def create_ballot(group: Group, spec: BallotSpec, actor: Member | None) -> Ballot:
    validate(spec, clock.utcnow_naive())
    ballot = Ballot(
        group_id=group.id,
        created_by_id=actor.id if actor else None,
        seed=secrets.randbelow(2**31),
        state="draft",
        scheduled=False,
        decision_ready=False,
    )
    _apply(ballot, spec, group)
    db.session.add(ballot)
    db.session.flush()
    record(group, actor, "create-ballot", f"ballot #{ballot.id}", ballot.title)
    return ballot


def update_ballot(ballot: Ballot, spec: BallotSpec, actor: Member | None) -> None:
    """Edit a draft; any edit un-schedules it, so the officer re-checks the electorate."""
    _require(ballot, "draft", _("This ballot has opened; it can no longer be changed."))
    validate(spec, clock.utcnow_naive())
    ballot.options.clear()
    db.session.flush()  # the old candidates' positions must be free before the new are written
    _apply(ballot, spec, ballot.group)
    ballot.scheduled = False
    record(ballot.group, actor, "edit-ballot", f"ballot #{ballot.id}")


def _require(ballot: Ballot, state: str, message: str) -> None:
    if ballot.state != state:
        raise Conflict(message)


# ----------------------------------------------------------------------------- opening
def schedule_ballot(ballot: Ballot, actor: Member | None, open_now: bool = False) -> None:
    """The officer has seen the electorate: open on time (or now). An empty electorate is refused."""
    _require(ballot, "draft", _("This ballot is not a draft any more."))
    if electorate_size(ballot) == 0:
        raise Invalid(
            _(
                "Nobody is on this ballot's electorate (no active member joined in time). "
                "Check the freeze date and the roster before opening."
            )
        )
    now = clock.utcnow_naive()
    if open_now and ballot.opens_at > now:
        ballot.opens_at = now
    if ballot.closes_at <= now:
        raise Invalid(_("The closing time has already passed; edit the ballot first."))
    ballot.scheduled = True
    record(ballot.group, actor, "schedule-ballot", f"ballot #{ballot.id}")
    if ballot.opens_at <= now:
        open_ballot(ballot, actor)


def unschedule_ballot(ballot: Ballot, actor: Member | None) -> None:
    _require(ballot, "draft", _("This ballot has opened; it can no longer be held back."))
    ballot.scheduled = False
    record(ballot.group, actor, "unschedule-ballot", f"ballot #{ballot.id}")


def _claim(ballot: Ballot, from_state: str, **values: Any) -> None:
    """Move ``ballot`` out of ``from_state`` unless someone else got there first."""
    done = db.session.scalar(
        update(Ballot)
        .where(Ballot.id == ballot.id, Ballot.state == from_state)
        .values(**values)
        .returning(Ballot.id)
        .execution_options(synchronize_session=False)
    )
    if done is None:
        raise Conflict(_("This ballot is no longer %(state)s.", state=from_state))
    for key, value in values.items():
        setattr(ballot, key, value)


def open_ballot(ballot: Ballot, actor: Member | None = None) -> int:
    """Freeze the electorate into ``ballot_electors``, open, and mail every elector with an
    address their personal voting link (node.ballots.voting_links)."""
    members = db.session.scalars(electorate_query(ballot)).all()
    if not members:
        raise Invalid(_("Refusing to open a ballot with an empty electorate."))
    now = clock.utcnow_naive()
    _claim(ballot, "draft", state="open", opened_at=now, electorate_size=len(members))
    db.session.execute(
        insert(Elector),
        [{"group_id": ballot.group_id, "ballot_id": ballot.id, "member_id": m.id} for m in members],
    )
    group = ballot.group
    send_many(group, opening_mails(ballot, group, list(members)))
    record(group, actor, "open-ballot", f"ballot #{ballot.id}", f"{len(members)} electors")
    return len(members)


def send_reminders(ballot: Ballot) -> int:
    """Remind the electors who have not voted yet, once, a day before the close (each with a
    fresh voting link: only hashes are stored, so the old link cannot be mailed again)."""
    done = db.session.scalar(
        update(Ballot)
        .where(Ballot.id == ballot.id, Ballot.state == "open", Ballot.reminded_at.is_(None))
        .values(reminded_at=clock.utcnow_naive())
        .returning(Ballot.id)
        .execution_options(synchronize_session=False)
    )
    if done is None:
        return 0
    voted = select(Participation.member_id).where(Participation.ballot_id == ballot.id)
    members = db.session.scalars(
        frozen_electorate_query(ballot).where(Member.id.not_in(voted), Member.email.is_not(None))
    ).all()
    group = ballot.group
    send_many(group, reminder_mails(ballot, group, list(members)))
    return len(members)


def mail_log_query(ballot: Ballot) -> Select[MailLog]:
    return (
        select(MailLog)
        .where(MailLog.group_id == ballot.group_id, MailLog.category.like(f"ballot-{ballot.id}-%"))
        .order_by(MailLog.sent_at.desc(), MailLog.id.desc())
    )


# ----------------------------------------------------------------------------- cancelling
CANCELLABLE = ("draft", "open")
MAX_REASON = 1000


def cancel_ballot(ballot: Ballot, actor: Member | None, reason: str) -> list[MailLog]:
    """Withdraw a draft or an open ballot for good: its papers are deleted uncounted, its voting
    links and codes die, the reason goes to the audit log and (if it had opened) to every elector
    with an address. Returns the send log rows, empty for a draft.

    ``cancelled`` is terminal: every other transition starts from another state, and the claim
    below moves the ballot only from the state it was read in, so a close racing a cancel loses.
    """
    reason = reason_given(
        reason, MAX_REASON, _("Say why the ballot is cancelled: the electors are told.")
    )
    if ballot.state not in CANCELLABLE:
        raise Conflict(_("Only a draft or an open ballot can be cancelled; this one has closed."))
    was_open = ballot.state == "open"
    _claim(ballot, ballot.state, state="cancelled", closed_at=clock.utcnow_naive(), scheduled=False)
    destroyed = db.session.scalar(select(func.count()).where(CastBallot.ballot_id == ballot.id))
    db.session.execute(delete(CastBallot).where(CastBallot.ballot_id == ballot.id))
    db.session.execute(
        update(VotingCredential)
        .where(
            VotingCredential.ballot_id == ballot.id,
            VotingCredential.used_at.is_(None),
            VotingCredential.revoked_at.is_(None),
        )
        .values(revoked_at=clock.utcnow_naive())
        .execution_options(synchronize_session=False)
    )
    ballot.result, ballot.blt, ballot.ballots_hash = None, None, None
    group = ballot.group
    detail = f"{destroyed} papers destroyed uncounted. Reason: {reason}" if was_open else reason
    record(group, actor, "cancel-ballot", f"ballot #{ballot.id}", detail)
    if not was_open:
        return []
    electors = db.session.scalars(
        frozen_electorate_query(ballot).where(Member.email.is_not(None))
    ).all()
    return send_many(group, cancel_mails(ballot, group, list(electors), reason))


def cancel_mails(
    ballot: Ballot, group: Group, members: list[Member], reason: str
) -> list[Outgoing]:
    return [
        Outgoing(
            m.email or "",
            _("Ballot cancelled: %(title)s", title=ballot.title),
            _(
                "Dear %(name)s,\n\nThe officers of %(group)s have cancelled the ballot "
                "“%(title)s”.\n\nTheir reason: %(reason)s\n\nNo votes will be counted: "
                "every ballot paper cast was destroyed unread, and your voting link no longer "
                "works. If the question is put again, you will get a new e-mail.\n",
                name=m.name,
                group=group.name,
                title=ballot.title,
                reason=reason,
            ),
            category=f"ballot-{ballot.id}-cancel",
        )
        for m in members
    ]


# ----------------------------------------------------------------------------- closing
def b64url_sha256(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _reshuffle(ballot: Ballot) -> list[CastBallot]:
    """Rewrite the ballot's papers under fresh random keys, in key order, in this transaction.

    On PostgreSQL this replaces the insertion order (and each row's inserting transaction id,
    which the voter's participation row shares) with the closing transaction's; see the docs.
    """
    papers = db.session.scalars(select(CastBallot).where(CastBallot.ballot_id == ballot.id)).all()
    rows = [(list(p.ranking), p.receipt_hash) for p in papers]
    db.session.execute(delete(CastBallot).where(CastBallot.ballot_id == ballot.id))
    fresh = sorted(
        (
            CastBallot(
                id=uuid.uuid4().hex,
                group_id=ballot.group_id,
                ballot_id=ballot.id,
                ranking=ranking,
                receipt_hash=receipt,
            )
            for ranking, receipt in rows
        ),
        key=lambda p: p.id,
    )
    for paper in papers:
        db.session.expunge(paper)
    db.session.add_all(fresh)
    db.session.flush()
    return fresh


def close_ballot(ballot: Ballot, actor: Member | None = None) -> dict[str, Any]:
    """Close, write the anonymised ballots as BLT, and count them exactly as ``tally`` would."""
    _claim(ballot, "open", state="closed", closed_at=clock.utcnow_naive())
    papers = _reshuffle(ballot)
    turnout = db.session.scalar(select(func.count()).where(Participation.ballot_id == ballot.id))
    if turnout != len(papers):  # cannot happen: both are written in one transaction
        log.error("ballot %s: %s participations but %s papers", ballot.id, turnout, len(papers))
    ballot.turnout = len(papers)
    ballot.blt = build_blt(ballot, [p.ranking for p in papers])
    ballot.ballots_hash = b64url_sha256(ballot.blt.encode("utf-8"))
    ballot.result = count_ballot(ballot)
    record(ballot.group, actor, "close-ballot", f"ballot #{ballot.id}", f"turnout {ballot.turnout}")
    return ballot.result


def is_decision(ballot: Ballot) -> bool:
    return ballot.kind in ("candidate-selection", "endorsement") and bool(
        (ballot.result or {}).get("passed")
    )


def publish_result(ballot: Ballot, actor: Member | None) -> None:
    """The officer confirms the result; a passed selection or endorsement becomes a decision."""
    _require(ballot, "closed", _("Only a closed ballot's result can be published."))
    _claim(ballot, "closed", state="published", published_at=clock.utcnow_naive())
    ballot.decision_ready = is_decision(ballot)
    record(ballot.group, actor, "publish-ballot", f"ballot #{ballot.id}")


def decision_summary(ballot: Ballot) -> dict[str, Any]:
    """What node.peering signs for a decision (small, stable, no personal data)."""
    result = ballot.result or {}
    small = {
        k: result.get(k)
        for k in ("passed", "quorum_met", "elected", "seats", "yes", "no", "abstain", "threshold")
        if k in result
    }
    return {
        "kind": ballot.kind,
        "title": ballot.title,
        "method": ballot.method,
        "electorate": ballot.electorate_size or 0,
        "turnout": ballot.turnout or 0,
        "result": small,
        "ballots_hash": ballot.ballots_hash,
        "decided_on": (ballot.published_at or ballot.closed_at or clock.utcnow_naive())
        .date()
        .isoformat(),
        "elected": list(result.get("elected") or []),
        "options": ballot.choice_names,
    }
