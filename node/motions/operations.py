"""Proposing, seconding and discussing a motion; the group's seconders setting.

State changes live here and in ``amending`` and ``deciding``; none of them commits (the views
and the periodic task do). Each writes the audit log and, where followers should hear of it,
the motion's news for their digest (``node.organising.follows``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from node import clock
from node.audit import record
from node.campaigns.models import Campaign
from node.errors import Conflict, Forbidden, Invalid
from node.extensions import db
from node.forms import multi_line_problem, single_line_problem
from node.groups.models import Group
from node.members.models import Member
from node.motions.models import (
    DEFAULT_SECONDERS,
    MAX_POST,
    MAX_REASON,
    MAX_TEXT,
    MAX_TITLE,
    Motion,
    MotionSettings,
    Post,
    Second,
)
from node.organising import follows

KIND = "motion"  # the follow kind
EDIT_WINDOW = timedelta(minutes=15)
MAX_SECONDERS = 50


def _refuse(name: str, message: str) -> Invalid:
    return Invalid(message, fields={name: message})


def clean_text(
    value: str | None, name: str, what: str, limit: int, *, required: bool = True
) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _refuse(name, _("%(what)s: write something.", what=what))
    if len(text) > limit:
        raise _refuse(
            name, _("%(what)s is at most %(limit)s characters.", what=what, limit=f"{limit:,}")
        )
    if problem := multi_line_problem(text):
        raise _refuse(name, _("%(what)s: %(problem)s", what=what, problem=problem))
    return text


def clean_line(value: str | None, name: str, what: str, limit: int) -> str:
    text = (value or "").strip()
    if not text or len(text) > limit:
        raise _refuse(
            name,
            _("%(what)s: one line of up to %(limit)s characters.", what=what, limit=f"{limit:,}"),
        )
    if problem := single_line_problem(text):
        raise _refuse(name, _("%(what)s: %(problem)s", what=what, problem=problem))
    return text


def require_active(member: Member, refusal: str) -> None:
    """Lapsed members can read the group's motions (what they were part of) but not take part."""
    if member.status != "active" or member.erased_at is not None:
        raise Forbidden(refusal)


def path(motion: Motion, anchor: str = "") -> str:
    return f"/motions/{motion.id}" + (f"#{anchor}" if anchor else "")


def news(motion: Motion, text: str, actor: Member | None, anchor: str = "") -> None:
    group = db.session.get(Group, motion.group_id)
    if group is not None:
        follows.record_news(group, KIND, motion.id, text, path(motion, anchor), actor=actor)


# ----------------------------------------------------------------------------- settings
def seconders_needed(group: Group) -> int:
    row = db.session.scalar(select(MotionSettings).where(MotionSettings.group_id == group.id))
    return row.seconders if row is not None else DEFAULT_SECONDERS


def set_seconders(group: Group, number: int, actor: Member) -> None:
    if not 0 <= number <= MAX_SECONDERS:
        raise _refuse("seconders", f"Choose between 0 and {MAX_SECONDERS} seconders.")
    row = db.session.scalar(select(MotionSettings).where(MotionSettings.group_id == group.id))
    if row is None:
        row = MotionSettings(group_id=group.id)
        db.session.add(row)
    row.seconders = number
    record(group, actor, "motion-settings", "motions", f"{number} seconders")


# ----------------------------------------------------------------------------- motions
def motion_query(group: Group, state: str = "") -> Select[Motion]:
    stmt = select(Motion).where(Motion.group_id == group.id)
    if state:
        stmt = stmt.where(Motion.state == state)
    return stmt.order_by(Motion.created_at.desc(), Motion.id.desc())


def campaign_of(motion: Motion) -> Campaign | None:
    if motion.campaign_id is None:
        return None
    campaign = db.session.get(Campaign, motion.campaign_id)
    return campaign if campaign is not None and campaign.group_id == motion.group_id else None


def campaign_choices(group: Group) -> list[tuple[int, str]]:
    """The group's own campaigns a motion can propose to endorse."""
    rows = db.session.execute(
        select(Campaign.id, Campaign.title)
        .where(Campaign.group_id == group.id, Campaign.received.is_(False))
        .order_by(Campaign.title)
    ).all()
    return [(cid, title) for cid, title in rows]


@dataclass
class Proposal:
    title: str
    text: str
    campaign_id: int | None = None


def propose(group: Group, proposal: Proposal, actor: Member) -> Motion:
    require_active(actor, _("Only active members can propose a motion."))
    title = clean_line(proposal.title, "title", _("The title"), MAX_TITLE)
    text = clean_text(proposal.text, "text", _("The motion"), MAX_TEXT)
    campaign_id = proposal.campaign_id or None
    if campaign_id is not None and campaign_id not in dict(campaign_choices(group)):
        raise _refuse("campaign_id", _("That campaign is not one of this group's."))
    motion = Motion(
        group_id=group.id,
        title=title,
        text=text,
        original_text=text,
        campaign_id=campaign_id,
        proposer_id=actor.id,
        state="proposed",
    )
    db.session.add(motion)
    db.session.flush()
    follows.follow(group, actor, KIND, motion.id)
    record(group, actor, "propose-motion", f"motion #{motion.id}", title)
    _check_agenda(group, motion, actor)
    return motion


def second(motion: Motion, actor: Member) -> None:
    require_active(actor, _("Only active members can second a motion."))
    if motion.state not in ("proposed", "agenda"):
        raise Conflict(_("This motion is no longer open for seconding."))
    if motion.proposer_id == actor.id:
        raise Invalid(_("The mover cannot also second the motion."))
    if any(s.member_id == actor.id for s in motion.seconds):
        raise Conflict(_("You have already seconded this motion."))
    motion.seconds.append(Second(group_id=motion.group_id, member_id=actor.id))
    db.session.flush()
    group = db.session.get(Group, motion.group_id)
    if group is None:
        raise Conflict(_("This motion's group is gone."))
    follows.follow(group, actor, KIND, motion.id)
    record(group, actor, "second-motion", f"motion #{motion.id}")
    _check_agenda(group, motion, actor)


def _check_agenda(group: Group, motion: Motion, actor: Member) -> None:
    if motion.state == "proposed" and len(motion.seconds) >= seconders_needed(group):
        motion.state = "agenda"
        motion.on_agenda_at = clock.utcnow_naive()
        record(group, actor, "motion-on-agenda", f"motion #{motion.id}")
        news(
            motion,
            _("“%(title)s” has its seconders and is on the agenda", title=motion.title),
            actor,
        )


def withdraw(motion: Motion, actor: Member) -> None:
    if motion.proposer_id != actor.id:
        raise Forbidden(_("Only the mover can withdraw a motion."))
    if not motion.is_open:
        raise Conflict(_("This motion can no longer be withdrawn: it has been put to the vote."))
    motion.state = "withdrawn"
    motion.decided_at = clock.utcnow_naive()
    record(db.session.get(Group, motion.group_id), actor, "withdraw-motion", f"motion #{motion.id}")
    news(motion, _("“%(title)s” was withdrawn by its mover", title=motion.title), actor)


# ----------------------------------------------------------------------------- discussion
def posts_of(motion: Motion) -> list[Post]:
    return list(
        db.session.scalars(
            select(Post).where(Post.motion_id == motion.id).order_by(Post.created_at, Post.id)
        )
    )


def threads(posts: list[Post]) -> list[tuple[Post, int]]:
    """The posts in thread order, each with its depth (replies under what they answer)."""
    children: dict[int | None, list[Post]] = {}
    for post in posts:
        children.setdefault(post.parent_id, []).append(post)
    out: list[tuple[Post, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for post in children.get(parent, []):
            out.append((post, depth))
            walk(post.id, depth + 1)

    walk(None, 0)
    return out


def post(motion: Motion, body: str, actor: Member, parent_id: int | None = None) -> Post:
    require_active(actor, _("Only active members can take part in the discussion."))
    if motion.state == "withdrawn":
        raise Conflict(_("This motion was withdrawn; its discussion is closed."))
    text = clean_text(body, "body", _("Your post"), MAX_POST)
    if parent_id is not None:
        parent = db.session.get(Post, parent_id)
        if parent is None or parent.motion_id != motion.id:
            raise _refuse("body", _("The post you reply to is not in this discussion."))
    count = db.session.scalar(select(func.count()).where(Post.motion_id == motion.id)) or 0
    if count >= 2000:
        raise Conflict(_("This discussion is full (2,000 posts)."))
    row = Post(
        group_id=motion.group_id, motion_id=motion.id, parent_id=parent_id, author_id=actor.id,
        body=text,
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    group = db.session.get(Group, motion.group_id)
    if group is not None:
        follows.follow(group, actor, KIND, motion.id)
    record(group, actor, "post-on-motion", f"motion #{motion.id}", f"post #{row.id}")
    news(
        motion,
        _("%(name)s wrote on “%(title)s”", name=actor.name, title=motion.title),
        actor,
        f"post-{row.id}",
    )
    return row


def can_edit(post_row: Post, member: Member | None) -> bool:
    return (
        member is not None
        and post_row.author_id == member.id
        and post_row.hidden_at is None
        and clock.utcnow_naive() < post_row.created_at + EDIT_WINDOW
    )


def edit_post(post_row: Post, body: str, actor: Member) -> None:
    if post_row.author_id != actor.id:
        raise Forbidden(_("Only its author can edit a post."))
    if not can_edit(post_row, actor):
        raise Conflict(
            _(
                "Posts can be edited for %(minutes)s minutes only.",
                minutes=EDIT_WINDOW.seconds // 60,
            )
        )
    post_row.body = clean_text(body, "body", _("Your post"), MAX_POST)
    post_row.edited_at = clock.utcnow_naive()
    group = db.session.get(Group, post_row.group_id)
    record(group, actor, "edit-motion-post", f"post #{post_row.id}")


def hide_post(post_row: Post, reason: str, actor: Member) -> None:
    """An officer hides a post; the page says it was hidden by an officer, and why."""
    why = clean_line(reason, "reason", _("The reason"), MAX_REASON)
    if post_row.hidden_at is not None:
        raise Conflict(_("This post is already hidden."))
    post_row.hidden_at = clock.utcnow_naive()
    post_row.hidden_reason = why
    group = db.session.get(Group, post_row.group_id)
    record(group, actor, "hide-motion-post", f"post #{post_row.id}", why)


def unhide_post(post_row: Post, actor: Member) -> None:
    """An officer shows a hidden post again (a post hidden by mistake, or after a correction)."""
    if post_row.hidden_at is None:
        raise Conflict(_("This post is not hidden."))
    post_row.hidden_at = None
    post_row.hidden_reason = None
    group = db.session.get(Group, post_row.group_id)
    record(group, actor, "unhide-motion-post", f"post #{post_row.id}")
