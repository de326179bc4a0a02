"""Amendments: any member proposes the text as they would have it; the mover may accept one as
friendly (the motion's text changes at once, in the audit log); the rest are voted on, in the
order proposed, before the motion itself (``node.motions.deciding``)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from node import clock
from node.audit import record
from node.errors import Conflict, Forbidden, Invalid
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member
from node.motions import diffs
from node.motions.models import MAX_REASON, MAX_TEXT, Amendment, Motion
from node.motions.operations import KIND, clean_text, news, require_active
from node.organising import follows

MAX_AMENDMENTS = 50


def pending(motion: Motion) -> list[Amendment]:
    """The amendments still to be decided, in the order they will be voted on."""
    return [a for a in motion.amendments if a.state == "proposed"]


def propose_amendment(motion: Motion, text: str, reason: str | None, actor: Member) -> Amendment:
    require_active(actor, _("Only active members can propose an amendment."))
    if not motion.is_open:
        raise Conflict(_("Amendments can be proposed only before the motion is put to the vote."))
    amended = clean_text(text, "text", _("The amended text"), MAX_TEXT)
    why = clean_text(reason, "reason", _("The reason"), MAX_REASON, required=False) or None
    if not diffs.changed(motion.text, amended):
        message = _("The amended text is the same as the motion's: change some words.")
        raise Invalid(message, fields={"text": message})
    last = db.session.scalar(
        select(func.max(Amendment.position)).where(Amendment.motion_id == motion.id)
    )
    if (last or 0) >= MAX_AMENDMENTS:
        raise Conflict(_("A motion takes at most %(limit)s amendments.", limit=MAX_AMENDMENTS))
    row = Amendment(
        group_id=motion.group_id,
        motion_id=motion.id,
        position=(last or 0) + 1,
        proposer_id=actor.id,
        base_text=motion.text,
        text=amended,
        reason=why,
        state="proposed",
    )
    motion.amendments.append(row)
    db.session.flush()
    group = db.session.get(Group, motion.group_id)
    if group is not None:
        follows.follow(group, actor, KIND, motion.id)
    record(group, actor, "propose-amendment", f"motion #{motion.id}", f"amendment {row.position}")
    news(
        motion,
        _(
            "%(name)s proposed amendment %(position)s to “%(title)s”",
            name=actor.name,
            position=row.position,
            title=motion.title,
        ),
        actor,
        f"amendment-{row.position}",
    )
    return row


def accept_friendly(amendment: Amendment, motion: Motion, actor: Member) -> None:
    """The mover takes the amendment into the motion: no vote on it."""
    if motion.proposer_id != actor.id:
        raise Forbidden(_("Only the mover can accept an amendment as friendly."))
    if not motion.is_open or amendment.state != "proposed":
        raise Conflict(_("This amendment can no longer be accepted."))
    new_text = diffs.apply(amendment.base_text, amendment.text, motion.text)
    if new_text is None:
        raise Conflict(
            _(
                "The motion's text has changed where this amendment changes it; "
                "its proposer can propose it again against the text as it stands."
            )
        )
    before = motion.text
    motion.text = new_text
    amendment.state = "accepted"
    amendment.decided_at = clock.utcnow_naive()
    group = db.session.get(Group, motion.group_id)
    record(
        group,
        actor,
        "accept-amendment",
        f"motion #{motion.id}",
        f"amendment {amendment.position} accepted as friendly; the text was: {before}"[:2000],
    )
    news(
        motion,
        _(
            "The mover accepted amendment %(position)s to “%(title)s”",
            position=amendment.position,
            title=motion.title,
        ),
        actor,
        f"amendment-{amendment.position}",
    )


def withdraw_amendment(amendment: Amendment, motion: Motion, actor: Member) -> None:
    if amendment.proposer_id != actor.id:
        raise Forbidden(_("Only its proposer can withdraw an amendment."))
    if amendment.state != "proposed" or not motion.is_open:
        raise Conflict(_("This amendment can no longer be withdrawn."))
    amendment.state = "withdrawn"
    amendment.decided_at = clock.utcnow_naive()
    group = db.session.get(Group, motion.group_id)
    record(
        group,
        actor,
        "withdraw-amendment",
        f"motion #{motion.id}",
        f"amendment {amendment.position}",
    )
