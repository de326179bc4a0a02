"""Deciding a motion: a sequence of ballots, or a meeting's decision.

An officer puts a motion on the agenda to the vote. Each amendment still pending is voted on
first, one yes/no ballot each, in the order proposed; the next ballot is created when the one
before has closed; a carried amendment changes the text (``node.motions.diffs.apply``; one that
no longer applies, because a carried one rewrote the same words, falls unvoted). Last comes the
motion, with the text as amended and the officer's quorum. :func:`advance` moves a motion on
when its ballot has closed; the periodic task ``motions`` runs it (and the room's lazy hook
from requests), one motion per ``node.scheduler`` item.

A carried motion that endorses one of the group's campaigns is an endorsement ballot, so its
decision is signed and published through the ballots room (``publish_decision`` →
``decision_published`` → a signed statement to the group's followers). If the node cannot sign
(federation not set up), the motion is carried all the same and the officers publish the
decision later from the ballot's page.

Decided at a meeting instead: the officer records carried or lost with the meeting's date and
minute; a carried endorsement is published as the campaigns room publishes any meeting
endorsement (``node.campaigns.sharing.endorse``).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from node import clock, scheduler
from node.audit import record
from node.ballots import decisions
from node.ballots import operations as ballot_ops
from node.ballots.models import Ballot
from node.ballots.spec import BallotSpec
from node.campaigns import sharing
from node.errors import Conflict, Invalid, OperationError
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member
from node.motions import diffs
from node.motions.amending import pending
from node.motions.models import Amendment, Motion
from node.motions.operations import campaign_of, clean_line, news

log = logging.getLogger(__name__)
TASK = "motions"
MAX_DAYS = 30
MAX_QUESTION = 5000
STILL_VOTING = ("draft", "open")


def _group(motion: Motion) -> Group:
    group = db.session.get(Group, motion.group_id)
    if group is None:
        raise Conflict(_("This motion's group is gone."))
    return group


def _ballot(
    group: Group,
    title: str,
    question: str,
    days: int,
    *,
    kind: str = "motion",
    quorum: int | None = None,
    campaign_id: int | None = None,
) -> Ballot:
    """A yes/no ballot, open now for ``days``, for every active member (the ballots room's
    electorate rule frozen today)."""
    now = clock.utcnow_naive().replace(microsecond=0)
    if len(question) > MAX_QUESTION:
        question = question[: MAX_QUESTION - 45] + "\n…(the full text is on the motion's page)"
    spec = BallotSpec(
        title=title[:200],
        question=question,
        kind=kind,
        method="motion",
        opens_at=now,
        closes_at=now + timedelta(days=days),
        freeze_on=now.date(),
        quorum=quorum,
        campaign_id=campaign_id,
    )
    ballot = ballot_ops.create_ballot(group, spec, None)
    ballot_ops.schedule_ballot(ballot, None, open_now=True)
    return ballot


# ----------------------------------------------------------------------------- to the vote
def put_to_vote(motion: Motion, days: int, quorum: int | None, actor: Member) -> None:
    """Start the sequence: the first pending amendment's ballot, or the motion's own."""
    if motion.state != "agenda":
        raise Conflict(
            _("Only a motion on the agenda (with its seconders) can be put to the vote.")
        )
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(
            _("Each ballot stays open 1 to %(days)s days.", days=MAX_DAYS), fields={"days": "1–30"}
        )
    if quorum is not None and quorum < 1:
        raise Invalid(_("The quorum is at least one member."), fields={"quorum": _("at least 1")})
    motion.state, motion.vote_days, motion.quorum = "voting", days, quorum
    group = _group(motion)
    record(
        group,
        actor,
        "motion-to-vote",
        f"motion #{motion.id}",
        f"{len(pending(motion))} amendments first",
    )
    news(motion, f"“{motion.title}” is put to the vote", actor)
    advance(motion)


def _current(motion: Motion) -> tuple[Amendment | None, Ballot | None] | None:
    """The step being voted on: an amendment (with its ballot) or the motion; None between."""
    for amendment in motion.amendments:
        if amendment.state == "voting":
            ballot = db.session.get(Ballot, amendment.ballot_id) if amendment.ballot_id else None
            return amendment, ballot
    if motion.final_ballot_id is not None:
        return None, db.session.get(Ballot, motion.final_ballot_id)
    return None


def advance(motion: Motion) -> int:
    """Finish the step whose ballot has closed and start the next; how many steps moved."""
    moved = 0
    while motion.state == "voting":
        step = _current(motion)
        if step is None:
            _start_next(motion)
            moved += 1
            continue
        amendment, ballot = step
        if ballot is not None and ballot.state in STILL_VOTING:
            break
        if amendment is not None:
            _finish_amendment(motion, amendment, ballot)
        else:
            _finish_motion(motion, ballot)
        moved += 1
    return moved


def _start_next(motion: Motion) -> None:
    group, days = _group(motion), motion.vote_days or 7
    for amendment in pending(motion):
        if diffs.apply(amendment.base_text, amendment.text, motion.text) is None:
            _fall(motion, amendment, "a carried amendment already changed the same words")
            continue
        amended = diffs.apply(amendment.base_text, amendment.text, motion.text) or ""
        question = _(
            "Amendment %(position)s to the motion “%(title)s”: should the motion read as follows?",
            position=amendment.position,
            title=motion.title,
        )
        question += f"\n\n{amended}"
        title = _(
            "Amendment %(position)s: %(title)s", position=amendment.position, title=motion.title
        )
        ballot = _ballot(group, title, question, days)
        amendment.state, amendment.ballot_id = "voting", ballot.id
        news(
            motion,
            _(
                "Ballot open on amendment %(position)s to “%(title)s”",
                position=amendment.position,
                title=motion.title,
            ),
            None,
        )
        return
    campaign = campaign_of(motion)
    question = _("Should the group adopt the motion “%(title)s”?", title=motion.title)
    question += f"\n\n{motion.text}"
    ballot = _ballot(
        group,
        _("Motion: %(title)s", title=motion.title),
        question,
        days,
        kind="endorsement" if campaign is not None else "motion",
        quorum=motion.quorum,
        campaign_id=campaign.id if campaign is not None else None,
    )
    motion.final_ballot_id = ballot.id
    news(motion, _("Ballot open on the motion “%(title)s”", title=motion.title), None)


def _fall(motion: Motion, amendment: Amendment, why: str) -> None:
    amendment.state, amendment.decided_at = "fell", clock.utcnow_naive()
    record(
        _group(motion),
        None,
        "amendment-fell",
        f"motion #{motion.id}",
        f"amendment {amendment.position}: {why}",
    )


def _publish_result(ballot: Ballot) -> bool:
    """Publish a closed ballot's result; True if it passed."""
    if ballot.state == "closed":
        ballot_ops.publish_result(ballot, None)
    return ballot.state == "published" and bool((ballot.result or {}).get("passed"))


def _finish_amendment(motion: Motion, amendment: Amendment, ballot: Ballot | None) -> None:
    amendment.decided_at = clock.utcnow_naive()
    if ballot is None or ballot.state == "cancelled":
        _fall(motion, amendment, "its ballot was cancelled")
        return
    if not _publish_result(ballot):
        amendment.state = "lost"
        news(
            motion,
            _(
                "Amendment %(position)s to “%(title)s” was lost",
                position=amendment.position,
                title=motion.title,
            ),
            None,
        )
        return
    amended = diffs.apply(amendment.base_text, amendment.text, motion.text)
    if amended is None:
        _fall(motion, amendment, "a carried amendment already changed the same words")
        return
    motion.text, amendment.state = amended, "carried"
    record(
        _group(motion),
        None,
        "amendment-carried",
        f"motion #{motion.id}",
        f"amendment {amendment.position}",
    )
    news(
        motion,
        _(
            "Amendment %(position)s to “%(title)s” was carried",
            position=amendment.position,
            title=motion.title,
        ),
        None,
    )


def _finish_motion(motion: Motion, ballot: Ballot | None) -> None:
    group = _group(motion)
    if ballot is None or ballot.state == "cancelled":  # back to the agenda, to be put again
        motion.state, motion.final_ballot_id = "agenda", None
        record(group, None, "motion-vote-cancelled", f"motion #{motion.id}")
        return
    carried = _publish_result(ballot)
    motion.state = "carried" if carried else "lost"
    motion.decided_how, motion.decided_at = "ballot", clock.utcnow_naive()
    record(group, None, f"motion-{motion.state}", f"motion #{motion.id}", f"ballot #{ballot.id}")
    if carried:
        news(motion, _("The motion “%(title)s” was carried", title=motion.title), None)
    else:
        news(motion, _("The motion “%(title)s” was lost", title=motion.title), None)
    if carried and ballot.kind == "endorsement":
        _publish_endorsement(motion, ballot)


def _publish_endorsement(motion: Motion, ballot: Ballot) -> None:
    """Sign the endorsement the motion carried; if the node cannot, leave it to the officers."""
    try:
        with db.session.begin_nested():
            decisions.publish_decision(ballot, decisions.Details(), None)
    except OperationError as exc:
        record(_group(motion), None, "motion-endorsement-held", f"motion #{motion.id}", str(exc))
        return
    motion.endorsement_published = True


# ----------------------------------------------------------------------------- at a meeting
def record_meeting(
    motion: Motion, carried: bool, meeting_date: date | None, minute: str, actor: Member
) -> None:
    """The group decided the motion at a meeting: the result, the meeting's date and minute."""
    if not motion.is_open:
        raise Conflict(_("This motion has been put to the vote or decided already."))
    if meeting_date is None or not 1900 <= meeting_date.year <= 2200:
        raise Invalid(
            _("Give the date of the meeting."), fields={"meeting_date": _("Give the date.")}
        )
    if meeting_date > clock.today():
        raise Invalid(
            _("The meeting's date is in the future."), fields={"meeting_date": _("Not yet.")}
        )
    ref = clean_line(minute, "minute", _("The minute reference"), 200)
    group = _group(motion)
    motion.state = "carried" if carried else "lost"
    motion.decided_how, motion.decided_at = "meeting", clock.utcnow_naive()
    motion.meeting_date, motion.minute = meeting_date, ref
    for amendment in pending(motion):
        amendment.state, amendment.decided_at = "fell", clock.utcnow_naive()
    record(
        group,
        actor,
        f"motion-{motion.state}",
        f"motion #{motion.id}",
        f"meeting {meeting_date}, minute {ref}",
    )
    news(motion, f"The motion “{motion.title}” was {motion.state} at a meeting", actor)
    campaign = campaign_of(motion)
    if carried and campaign is not None:
        sharing.endorse(group, campaign, actor, meeting_date.isoformat(), ref)
        motion.endorsement_published = True


# ----------------------------------------------------------------------------- the task
def _advance_one(motion_id: int) -> int:
    motion = db.session.get(Motion, motion_id)
    if motion is None:
        return 0
    moved = advance(motion)
    db.session.commit()
    return moved


def _waiting_on_a_ballot(motion: Motion) -> bool:
    step = _current(motion)
    return step is not None and step[1] is not None and step[1].state in STILL_VOTING


def due_items() -> list[scheduler.Item[int]]:
    """The motions being voted on whose current ballot has closed (or that have none yet)."""
    motions = db.session.scalars(
        select(Motion).where(Motion.state == "voting").order_by(Motion.id)
    ).all()
    return [
        scheduler.Item(
            f"motion-{m.id}", m.group_id, f"Votes on motion #{m.id} “{m.title}”"[:200], m.id
        )
        for m in motions
        if not _waiting_on_a_ballot(m)
    ]


def run_due() -> int:
    """Move every motion being voted on to its next ballot where the last one has closed."""
    return scheduler.each_item(TASK, due_items(), _advance_one)
