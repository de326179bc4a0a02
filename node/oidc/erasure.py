"""What erasure does to the single sign-on room (see node.members.erasure).

On a node: the member's link to a national identity (the national ``sub`` is an identifier of
the person) and any join request they made here are deleted. On the hub group, its sign-in
records for the account (codes, tokens, consents) are deleted too. The hub's national
membership register is kept: it is the national body's own record, imported by hub officers,
and changes when they import it again.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, false, func, or_, select

from node.extensions import db
from node.members.erasure import Hook, Subject, Summary, count
from node.members.models import Member


def _join_requests(group_id: int, account_id: int | None, email: str | None) -> Any:
    from node.oidc.models import JoinRequest

    mine = [JoinRequest.account_id == account_id] if account_id is not None else []
    if email:
        mine.append(func.lower(JoinRequest.email) == email)
    return JoinRequest.group_id == group_id, or_(*mine) if mine else false()


def erase(subject: Subject) -> None:
    from node.oidc.models import AuthorizationCode, Consent, JoinRequest, NationalLink, Token

    db.session.execute(delete(NationalLink).where(NationalLink.member_id == subject.member.id))
    db.session.execute(
        delete(JoinRequest).where(
            *_join_requests(subject.group_id, subject.account_id, subject.email)
        )
    )
    if subject.account_id is not None:
        for model in (Token, AuthorizationCode, Consent):
            db.session.execute(
                delete(model).where(
                    model.group_id == subject.group_id, model.account_id == subject.account_id
                )
            )


def export(member: Member) -> dict[str, Any]:
    from node.oidc.models import JoinRequest, NationalLink

    link = db.session.scalar(select(NationalLink).where(NationalLink.member_id == member.id))
    email = (member.email or "").lower() or None
    requests = db.session.scalars(
        select(JoinRequest).where(*_join_requests(member.group_id, member.account_id, email))
    )
    return {
        "national_link": None
        if link is None
        else {
            "subject": link.subject,
            "membership": link.membership,
            "checked_at": link.checked_at.isoformat(),
        },
        "join_requests": [
            {
                "name": r.name,
                "email": r.email,
                "membership": r.membership,
                "note": r.note,
                "at": r.created_at.isoformat(),
                "decision": r.decision,
            }
            for r in requests
        ],
    }


def summary(member: Member) -> Summary:
    from node.oidc.models import JoinRequest, NationalLink

    links = count(NationalLink.member_id == member.id, table=NationalLink)
    email = (member.email or "").lower() or None
    asked = count(*_join_requests(member.group_id, member.account_id, email), table=JoinRequest)
    if not links and not asked:
        return []
    line = _(
        "Their national sign-in link (%(links)s) and join requests (%(asked)s).",
        links=links,
        asked=asked,
    )
    return [("deleted", line)]


HOOK = Hook(
    room="oidc",
    tables={
        "oidc_national_links": "deleted",
        "oidc_join_requests": "deleted (the member's own, by account or e-mail)",
        "oidc_codes": "deleted in the group erasing (the hub); kept for other groups' use",
        "oidc_tokens": "deleted in the group erasing (the hub); kept for other groups' use",
        "oidc_consents": "deleted in the group erasing (the hub); kept for other groups' use",
        "oidc_national_members": "kept: the national body's register, changed by re-import",
    },
    export=export,
    erase=erase,
    summary=summary,
)
