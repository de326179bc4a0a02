"""Writing, previewing, queueing and sending newsletters. They never commit (the view does, and
the worker's :func:`node.scheduler.each_item` commits each recipient).

Who gets a newsletter is decided in one place, :func:`preview`: the members of the segment (by
the roster's own fields, or by a room's records through ``rooms.digest_sections``), less those
who have no address or withdrew e-mail consent (``node.organising.messaging.can_mail``, the rule
every member mail follows). Queueing writes one :class:`Recipient` per member who will get
it; the periodic task ``newsletters.send`` sends each in its own transaction, so one address the
mail server refuses is recorded as failed and the rest go on, and one broken row is retried with
back-off (shown to that group's officers) without stopping any other group's newsletter. A member
who unsubscribes or is erased before their turn is skipped (``cancelled``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update

from node import clock
from node.audit import record
from node.errors import Conflict, Invalid, NotFound
from node.extensions import db
from node.groups.models import Group
from node.i18n import N_
from node.mail import Outgoing, send_many
from node.members.models import ROLES, STATUSES, Member
from node.newsletters.models import Newsletter, Recipient
from node.newsletters.rendering import mail_html, mail_text
from node.organising.items import Segments
from node.organising.messaging import can_mail, unsubscribe_headers, unsubscribe_url
from node.rooms import rooms_of
from node.scheduler import Item, each_item

TASK = "newsletters.send"
MAX_SUBJECT = 200
MAX_BODY = 20_000

# kind -> how it reads in a list ("Ward: Anfield"); the value's meaning depends on the kind. The
# rooms add kinds of their own (who attended an event, who is on a course): rooms.digest_sections.
SEGMENT_KINDS = {
    "all": N_("All members"),
    "status": N_("Status"),
    "role": N_("Role"),
    "ward": N_("Ward or branch"),
    "union": N_("Trade union"),
    "workplace": N_("Workplace"),
    "no-account": N_("No account yet"),
}


@dataclass
class Preview:
    recipients: list[Member] = field(default_factory=list)
    no_consent: list[Member] = field(default_factory=list)
    no_address: list[Member] = field(default_factory=list)

    @property
    def excluded(self) -> int:
        return len(self.no_consent) + len(self.no_address)


# ----------------------------------------------------------------------------- segments
def room_segments(group: Group) -> dict[str, Segments]:
    """The kinds of segment the rooms define from their own records, in registration order."""
    found = (provider(group) for provider in rooms_of().digest_sections)
    return {segments.kind: segments for segments in found}


def segment_choices(group: Group) -> list[tuple[str, str]]:
    """Every segment an organiser can pick for ``group``, as (``kind:value``, label)."""
    from node.members.operations import distinct_values

    choices = [("all:", _("All members")), ("no-account:", _("Members with no account yet"))]
    choices += [(f"status:{s}", _("Status: %(status)s", status=_(s))) for s in STATUSES]
    choices += [(f"role:{r}", _("Role: %(role)s", role=_(r))) for r in ROLES]
    for kind in ("ward", "union", "workplace"):
        values = distinct_values(group, getattr(Member, kind))
        heading = _(SEGMENT_KINDS[kind])
        choices += [(f"{kind}:{v}", f"{heading}: {v}") for v in values]
    for segments in room_segments(group).values():
        heading = _(segments.heading)
        choices += [(f"{segments.kind}:{i}", f"{heading}: {t}") for i, t in segments.choices()]
    return choices


def parse_segment(group: Group, choice: str) -> tuple[str, str | None]:
    kind, _sep, value = (choice or "all:").partition(":")
    if kind not in SEGMENT_KINDS and kind not in room_segments(group):
        raise Invalid(_("Choose who the newsletter is for."))
    return kind, (value or None)


def segment_label(group: Group, kind: str, value: str | None) -> str:
    labels = dict(segment_choices(group))
    headings = SEGMENT_KINDS | {k: s.heading for k, s in room_segments(group).items()}
    heading = _(headings[kind]) if kind in headings else kind
    return labels.get(f"{kind}:{value or ''}", f"{heading}: {value or ''}")


def segment_query(group: Group, kind: str, value: str | None) -> Select[Member]:
    """The members of ``group`` (never erased ones) in the segment; ids are the group's own."""
    stmt = select(Member).where(Member.group_id == group.id, Member.erased_at.is_(None))
    if kind == "status":
        stmt = stmt.where(Member.status == value)
    elif kind == "role":
        stmt = stmt.where(Member.role == value)
    elif kind in ("ward", "union", "workplace"):
        stmt = stmt.where(getattr(Member, kind) == value)
    elif kind == "no-account":
        stmt = stmt.where(Member.account_id.is_(None))
    elif (segments := room_segments(group).get(kind)) is not None:
        stmt = stmt.where(Member.id.in_(segments.members(_as_id(value))))
    return stmt.order_by(func.lower(Member.name), Member.id)


def _as_id(value: str | None) -> int:
    """A segment value naming a row by id; -1 (no row) when it is not a number."""
    try:
        return int(value or "")
    except ValueError:
        return -1


def preview(group: Group, kind: str, value: str | None) -> Preview:
    result = Preview()
    for member in db.session.scalars(segment_query(group, kind, value)):
        if not (member.email or "").strip():
            result.no_address.append(member)
        elif not can_mail(member):
            result.no_consent.append(member)
        else:
            result.recipients.append(member)
    return result


# ----------------------------------------------------------------------------- drafts
def _clean(data: dict[str, Any]) -> tuple[str, str]:
    subject = " ".join((data.get("subject") or "").split())[:MAX_SUBJECT]
    body = (data.get("body") or "").strip()
    if not subject:
        raise Invalid(_("Give the newsletter a subject."))
    if not body:
        raise Invalid(_("Write something in the newsletter."))
    if len(body) > MAX_BODY:
        raise Invalid(_("Keep the newsletter under %(max)s characters.", max=format(MAX_BODY, ",")))
    return subject, body


def save_draft(
    group: Group, data: dict[str, Any], actor: Member, newsletter: Newsletter | None = None
) -> Newsletter:
    """Create a draft, or change one (a queued newsletter cannot change)."""
    subject, body = _clean(data)
    kind, value = parse_segment(group, data.get("segment") or "all:")
    if newsletter is None:
        newsletter = Newsletter(group_id=group.id, created_by=actor.id)
        db.session.add(newsletter)
    elif newsletter.state != "draft":
        raise Conflict(_("This newsletter has already been sent; it cannot change."))
    newsletter.subject, newsletter.body = subject, body
    newsletter.segment_kind, newsletter.segment_value = kind, value
    newsletter.segment_label = segment_label(group, kind, value)[:300]
    db.session.flush()
    return newsletter


def delete_draft(newsletter: Newsletter) -> None:
    if newsletter.state != "draft":
        raise Conflict(_("Only a draft can be deleted; a sent newsletter stays in the list."))
    db.session.delete(newsletter)


def queue(newsletter: Newsletter, actor: Member) -> Preview:
    """Fix the recipients and hand them to the worker (the view commits)."""
    if newsletter.state != "draft":
        raise Conflict(_("This newsletter is already being sent."))
    group = db.session.get(Group, newsletter.group_id)
    if group is None:
        raise NotFound(_("This newsletter's group no longer exists."))
    result = preview(group, newsletter.segment_kind, newsletter.segment_value)
    if not result.recipients:
        raise Invalid(_("Nobody in this segment can be e-mailed: there is no one to send to."))
    db.session.add_all(
        Recipient(group_id=group.id, newsletter_id=newsletter.id, member_id=m.id)
        for m in result.recipients
    )
    newsletter.excluded_no_consent = len(result.no_consent)
    newsletter.excluded_no_address = len(result.no_address)
    newsletter.state = "sending"
    newsletter.queued_at = clock.utcnow_naive()
    counts = f"{len(result.recipients)} recipient(s), {result.excluded} excluded"
    record(group, actor, "send-newsletter", f"newsletter #{newsletter.id}", counts)
    return result


def progress(newsletter: Newsletter) -> dict[str, int]:
    """Recipients by state (pending, sent, failed, cancelled), zeros included."""
    counts = dict.fromkeys(("pending", "sent", "failed", "cancelled"), 0)
    rows = db.session.execute(
        select(Recipient.state, func.count())
        .where(Recipient.newsletter_id == newsletter.id)
        .group_by(Recipient.state)
    )
    for state, n in rows:
        counts[state] = n
    return counts


def failed_recipients(newsletter: Newsletter) -> list[tuple[Recipient, Member | None]]:
    rows = db.session.execute(
        select(Recipient, Member)
        .outerjoin(Member, Member.id == Recipient.member_id)
        .where(Recipient.newsletter_id == newsletter.id, Recipient.state == "failed")
        .order_by(Recipient.id)
        .limit(200)
    )
    return [(r, m) for r, m in rows]


# ----------------------------------------------------------------------------- sending
def outgoing(group: Group, newsletter: Newsletter, member: Member) -> Outgoing:
    link = unsubscribe_url(group, member)
    return Outgoing(
        to=member.email or "",
        subject=newsletter.subject,
        body=mail_text(group.name, newsletter.body, link),
        category="newsletter",
        headers=unsubscribe_headers(link),
        html=mail_html(group.name, newsletter.subject, newsletter.body, link),
    )


def send_one(recipient_id: int) -> int:
    """Send one recipient's copy (one item of the periodic task; each_item commits)."""
    # Claim the row: a second worker's claim waits for this transaction, then finds it done.
    claimed = db.session.scalar(
        update(Recipient)
        .where(Recipient.id == recipient_id, Recipient.state == "pending")
        .values(state="sending")
        .returning(Recipient.id)
    )
    if claimed is None:
        return 0
    recipient, newsletter, group = db.session.execute(
        select(Recipient, Newsletter, Group)
        .join(Newsletter, Newsletter.id == Recipient.newsletter_id)
        .join(Group, Group.id == Recipient.group_id)
        .where(Recipient.id == recipient_id)
        .execution_options(populate_existing=True)
    ).one()
    member = db.session.get(Member, recipient.member_id) if recipient.member_id else None
    recipient.sent_at = clock.utcnow_naive()
    if member is None or not can_mail(member):
        recipient.state, recipient.error = "cancelled", "unsubscribed or erased before sending"
    else:
        entry = send_many(group, [outgoing(group, newsletter, member)])[0]
        recipient.state = "sent" if entry.status == "sent" else "failed"
        recipient.error = entry.error if entry.status != "disabled" else "mail is switched off"
    db.session.flush()
    _finish_if_done(newsletter)
    return 1


def _finish_if_done(newsletter: Newsletter) -> None:
    pending = db.session.scalar(
        select(func.count())
        .select_from(Recipient)
        .where(Recipient.newsletter_id == newsletter.id, Recipient.state == "pending")
    )
    if not pending and newsletter.state == "sending":
        newsletter.state = "sent"
        newsletter.finished_at = clock.utcnow_naive()


def due_items() -> list[Item[int]]:
    rows = db.session.execute(
        select(Recipient.id, Recipient.group_id, Newsletter.id, Newsletter.subject)
        .join(Newsletter, Newsletter.id == Recipient.newsletter_id)
        .where(Recipient.state == "pending", Newsletter.state == "sending")
        .order_by(Recipient.id)
    ).all()
    return [
        Item(
            f"newsletter-{nid}-recipient-{rid}",
            gid,
            f"Newsletter “{subject}”: recipient #{rid}",
            rid,
        )
        for rid, gid, nid, subject in rows
    ]


def send_due() -> int:
    """Scheduler task: send every pending copy of every queued newsletter, one per transaction;
    then mark as sent the newsletters left with nothing pending (all cancelled, say)."""
    done = each_item(TASK, due_items(), send_one)
    for newsletter in db.session.scalars(select(Newsletter).where(Newsletter.state == "sending")):
        _finish_if_done(newsletter)
    db.session.commit()
    return done
