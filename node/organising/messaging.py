"""Messages from the group to its members: consent first, an unsubscribe link in every one.

Campaign, union, event and education mail all pass through :func:`message_members`, so the
rules live in one place: members who withdrew e-mail consent (or were erased, or have no address)
are skipped, every message carries a tokenised unsubscribe link (and the RFC 8058 one-click
headers), and every attempt is written to ``node.mail``'s send log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from node.extensions import db
from node.groups.models import Group
from node.mail import Outgoing, send_many
from node.members.models import Member
from node.tenancy import group_url

MAX_SUBJECT = 200
MAX_BODY = 20_000
_SALT = "commonground.unsubscribe"


@dataclass
class Delivery:
    sent: int
    skipped: int
    failed: int


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(member: Member) -> str:
    return _serializer().dumps([member.group_id, member.id])


def unsubscribe_url(group: Group, member: Member) -> str:
    return group_url(group, f"/unsubscribe/{unsubscribe_token(member)}")


def unsubscribe_headers(link: str) -> dict[str, str]:
    """The RFC 8058 one-click unsubscribe headers for ``link``."""
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def member_for_token(group: Group, token: str) -> Member | None:
    """The member an unsubscribe token names, if it is valid for this group."""
    try:
        group_id, member_id = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if group_id != group.id:
        return None
    member = db.session.get(Member, member_id)
    if member is None or member.group_id != group.id or member.erased_at is not None:
        return None
    return member


def can_mail(member: Member) -> bool:
    return bool(member.email) and member.consent_email and member.erased_at is None


def message_members(
    group: Group, members: Iterable[Member], subject: str, body: str, category: str
) -> Delivery:
    """Send ``body`` to each consenting member with their own unsubscribe footer."""
    subject = subject.strip()[:MAX_SUBJECT]
    body = body.strip()[:MAX_BODY]
    seen: set[int] = set()
    outgoing: list[Outgoing] = []
    skipped = 0
    for member in members:
        if member.id in seen:
            continue
        seen.add(member.id)
        if not can_mail(member):
            skipped += 1
            continue
        link = unsubscribe_url(group, member)
        text = (
            f"{body}\n\n-- \n{group.name}\n"
            + _(
                "You get this because you are a member of %(group)s and agreed to e-mails.",
                group=group.name,
            )
            + "\n"
            + _("Stop all e-mails from the group: %(link)s", link=link)
            + "\n"
        )
        headers = unsubscribe_headers(link)
        outgoing.append(Outgoing(member.email or "", subject, text, category, headers))
    entries = send_many(group, outgoing)
    failed = sum(1 for e in entries if e.status == "failed")
    return Delivery(sent=len(entries) - failed, skipped=skipped, failed=failed)
