"""Following a subject (a motion, a selection…) and one digest mail of what is new in it.

A member follows a *subject*, named by a kind and an id (``("motion", 7)``); the room that owns
the subject records *news* about it (a reply, an amendment, a ballot opened); the periodic task
``follows.digest`` mails each follower one message listing what is new since their last digest,
at most one a day, instead of a mail per post. Mail goes through
:func:`node.organising.messaging.message_members`, so a member who withdrew consent gets nothing
(their news is marked read all the same) and every digest carries the unsubscribe link.

How a room uses it::

    from node.organising import follows

    def init_app(app, rooms):
        follows.install(rooms)            # the digest task and the erasure hook; idempotent

    follows.follow(group, member, "motion", motion.id)      # idempotent
    follows.unfollow(group, member, "motion", motion.id)
    follows.is_following(member, "motion", motion.id)
    follows.record_news(group, "motion", motion.id,
                        f"New reply by {author} on “{motion.title}”", f"/motions/{motion.id}",
                        actor=author_member)   # the actor is not told of their own news

``text`` is one line (at most 300 characters, tidied); ``url`` is the path on the group's site,
made absolute in the mail. Nothing here commits: the caller's transaction keeps the news with the
change it reports. Each member's digest is one ``node.scheduler`` item, so one member's failure
(a bad row, a refused mail) is recorded and retried with back-off while the others are sent.
News every follower of its subject has been told of (or that is their own) is deleted a week
later by the task ``follows.prune``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    and_,
    delete,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from node import clock, scheduler
from node.errors import Invalid
from node.extensions import Model, db
from node.groups.models import Group
from node.members.erasure import Hook, Subject, Summary, count
from node.members.models import Member
from node.organising.messaging import message_members
from node.rooms import Rooms
from node.tenancy import group_url

TASK = "follows.digest"
PRUNE_TASK = "follows.prune"
DIGEST_EVERY = timedelta(days=1)  # at most one digest a day per member
PRUNE_AFTER = timedelta(days=7)  # news everyone has been told of is deleted once this old
MAX_TEXT = 300
MAX_URL = 500
MAX_ITEMS = 100  # per digest; more is summed up as "and N more"
KIND_RE = re.compile(r"^[a-z][a-z-]{0,23}$")


class Follow(Model):
    """A member follows a subject; ``last_news_id`` is the newest news they were told of."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("member_id", "kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[int]
    last_news_id: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    digested_at: Mapped[datetime | None]


class News(Model):
    """Something new about a subject, for its followers' next digest."""

    __tablename__ = "follow_news"
    __table_args__ = (Index("ix_follow_news_subject", "group_id", "kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[int]
    text: Mapped[str] = mapped_column(String(MAX_TEXT))
    url: Mapped[str] = mapped_column(String(MAX_URL))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)


# ----------------------------------------------------------------------------- the API
def _check_kind(kind: str) -> str:
    if not KIND_RE.match(kind):
        raise ValueError(f"a follow kind is a short lower-case word, not {kind!r}")
    return kind


def _latest_news_id(group_id: int, kind: str, subject_id: int) -> int:
    newest = db.session.scalar(
        select(func.max(News.id)).where(
            News.group_id == group_id, News.kind == kind, News.subject_id == subject_id
        )
    )
    return int(newest or 0)


def follow(group: Group, member: Member, kind: str, subject_id: int) -> Follow:
    """``member`` follows the subject from now on (news already recorded is not sent)."""
    if member.group_id != group.id:
        raise Invalid(_("Only a member of the group can follow this."))
    _check_kind(kind)
    existing = db.session.scalar(
        select(Follow).where(
            Follow.member_id == member.id, Follow.kind == kind, Follow.subject_id == subject_id
        )
    )
    if existing is not None:
        return existing
    row = Follow(
        group_id=group.id,
        member_id=member.id,
        kind=kind,
        subject_id=subject_id,
        last_news_id=_latest_news_id(group.id, kind, subject_id),
    )
    db.session.add(row)
    db.session.flush()
    return row


def unfollow(group: Group, member: Member, kind: str, subject_id: int) -> None:
    db.session.execute(
        delete(Follow).where(
            Follow.group_id == group.id,
            Follow.member_id == member.id,
            Follow.kind == _check_kind(kind),
            Follow.subject_id == subject_id,
        )
    )


def is_following(member: Member | None, kind: str, subject_id: int) -> bool:
    if member is None:
        return False
    found = db.session.scalar(
        select(Follow.id).where(
            Follow.member_id == member.id, Follow.kind == kind, Follow.subject_id == subject_id
        )
    )
    return found is not None


def _one_line(text: str, limit: int) -> str:
    tidy = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return tidy if len(tidy) <= limit else tidy[: limit - 1] + "…"


def record_news(
    group: Group, kind: str, subject_id: int, text: str, url: str, actor: Member | None = None
) -> News:
    """Note something new about a subject for its followers' next digest (``url`` is a path)."""
    if not url.startswith("/") or url.startswith("//") or len(url) > MAX_URL:
        raise ValueError(f"news links are paths on the group's site, not {url[:60]!r}")
    row = News(
        group_id=group.id,
        kind=_check_kind(kind),
        subject_id=subject_id,
        text=_one_line(text, MAX_TEXT),
        url=url,
        actor_id=actor.id if actor is not None else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


# ----------------------------------------------------------------------------- the digest
def _unread(member_id: int) -> list[tuple[Follow, News]]:
    """The news about what ``member_id`` follows that they have not been told of, oldest first
    (their own news left out)."""
    rows = db.session.execute(
        select(Follow, News)
        .join(
            News,
            and_(
                News.group_id == Follow.group_id,
                News.kind == Follow.kind,
                News.subject_id == Follow.subject_id,
                News.id > Follow.last_news_id,
            ),
        )
        .where(Follow.member_id == member_id)
        .order_by(News.id)
    ).all()
    return [(f, n) for f, n in rows]


# A follow's news it has not been told of, from someone else (one's own news is never told).
_AWAITED = and_(
    News.group_id == Follow.group_id,
    News.kind == Follow.kind,
    News.subject_id == Follow.subject_id,
    News.id > Follow.last_news_id,
    or_(News.actor_id.is_(None), News.actor_id != Follow.member_id),
)


def due_members(now: datetime) -> list[scheduler.Item[int]]:
    """One item per member with unread news from others, whose last digest is a day old."""
    waiting = (
        select(Follow.member_id, Follow.group_id)
        .join(News, _AWAITED)
        .group_by(Follow.member_id, Follow.group_id)
    )
    last = dict(
        db.session.execute(
            select(Follow.member_id, func.max(Follow.digested_at)).group_by(Follow.member_id)
        ).all()
    )
    items = []
    for member_id, group_id in db.session.execute(waiting.order_by(Follow.member_id)).all():
        sent = last.get(member_id)
        if sent is not None and now < sent + DIGEST_EVERY:
            continue
        items.append(
            scheduler.Item(f"member-{member_id}", group_id, "A follower's digest", member_id)
        )
    return items


def digest_text(group: Group, member: Member, news: list[News]) -> str:
    lines = [
        _("Dear %(name)s,", name=member.name),
        "",
        _("Here is what is new in what you follow at %(group)s:", group=group.name),
        "",
    ]
    for item in news[:MAX_ITEMS]:
        lines += [f"- {item.text}", f"  {group_url(group, item.url)}"]
    if len(news) > MAX_ITEMS:
        lines.append(_("…and %(num)s more.", num=len(news) - MAX_ITEMS))
    lines += ["", _("To stop hearing about one of these, choose “Stop following” on its page.")]
    return "\n".join(lines)


def send_digest(member_id: int) -> int:
    """Mail one member their digest and mark its news read; 1 if a mail went, else 0."""
    member = db.session.get(Member, member_id)
    if member is None:
        return 0
    group = db.session.get(Group, member.group_id)
    unread = _unread(member_id)
    if group is None or not unread:
        return 0
    news = [n for _follow, n in unread if n.actor_id != member_id]
    sent = 0
    if news:
        subject = _("What is new: %(num)s update(s)", num=len(news))
        body = digest_text(group, member, news)
        delivery = message_members(group, [member], subject, body, "follows-digest")
        if delivery.failed:
            raise RuntimeError("the digest mail could not be sent")
        sent = delivery.sent
    now = clock.utcnow_naive()
    newest: dict[int, int] = {}
    for follow_row, item in unread:
        newest[follow_row.id] = max(newest.get(follow_row.id, 0), item.id)
    for follow_row in db.session.scalars(select(Follow).where(Follow.member_id == member_id)):
        follow_row.last_news_id = max(follow_row.last_news_id, newest.get(follow_row.id, 0))
        if news:
            follow_row.digested_at = now
    db.session.commit()
    return sent


def send_digests() -> int:
    """The periodic task: each due member's digest, one protected item each."""
    return scheduler.each_item(TASK, due_members(clock.utcnow_naive()), send_digest)


# ----------------------------------------------------------------------------- pruning
def _prunable(now: datetime) -> Any:
    """News a week old that no follower awaits, except the install's newest news: on SQLite the
    next news takes the highest id left plus one, and an id given again below a follower's
    mark would never be told."""
    newest = select(func.max(News.id)).scalar_subquery()
    awaited = exists().where(_AWAITED)  # by some follower of the news item's subject
    return and_(News.created_at < now - PRUNE_AFTER, News.id < newest, ~awaited)


def prune_items(now: datetime) -> list[scheduler.Item[int]]:
    """One item per group with news to delete (none on most runs)."""
    groups = db.session.scalars(select(News.group_id).where(_prunable(now)).distinct())
    return [
        scheduler.Item(f"group-{g}", g, "Deleting news every follower has had", g) for g in groups
    ]


def prune_news(group_id: int) -> int:
    """Delete ``group_id``'s news that no follower awaits any more; how many rows went."""
    result = db.session.execute(
        delete(News)
        .where(News.group_id == group_id, _prunable(clock.utcnow_naive()))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def prune() -> int:
    """The periodic task: each group's read news deleted, one protected item per group (the
    table would otherwise keep every reply and amendment ever announced)."""
    return scheduler.each_item(PRUNE_TASK, prune_items(clock.utcnow_naive()), prune_news)


# ----------------------------------------------------------------------------- erasure
def _erase(subject: Subject) -> None:
    db.session.execute(delete(Follow).where(Follow.member_id == subject.member.id))
    for row in db.session.scalars(select(News).where(News.actor_id == subject.member.id)):
        if subject.name:
            row.text = row.text.replace(subject.name, "A former member")
        row.actor_id = None


def _export(member: Member) -> dict[str, Any]:
    rows = db.session.scalars(select(Follow).where(Follow.member_id == member.id))
    return {"following": [{"kind": f.kind, "id": f.subject_id} for f in rows]}


def _summary(member: Member) -> Summary:
    n = count(Follow.member_id == member.id, table=Follow)
    return [("deleted", _("%(num)s thing(s) followed, so no more digests.", num=n))]


HOOK = Hook(
    room="follows",
    tables={
        "follows": "deleted",
        "follow_news": "kept without who caused it; their name in it becomes “A former member”",
    },
    export=_export,
    erase=_erase,
    summary=_summary,
)


def install(rooms: Rooms) -> None:
    """Register the digest and pruning tasks and the erasure hook once, whichever room asks
    first."""
    if not any(task.name == TASK for task in rooms.tasks):
        rooms.task(TASK, send_digests)
        rooms.task(PRUNE_TASK, prune)
    if not any(hook.room == HOOK.room for hook in rooms.erasure_hooks):
        rooms.erasure(HOOK)
