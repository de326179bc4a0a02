"""Joining through the public form, and the officers' decisions. Views call these; they never
commit.

Anti-enumeration: :func:`submit` gives the caller nothing to show but "check your inbox" — what
differs (a confirmation link, a note that the address is already a member, a note that the
request is already waiting) goes only to the address itself, by e-mail. A second submission with
the same address updates the one application row (unique per group and address) and never adds
a member. Confirmation links are mailed only; their SHA-256 hash is stored, single-use, and they
expire after :data:`CONFIRM_DAYS` days.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from node import clock
from node.audit import record
from node.auth.operations import token_hash
from node.errors import Conflict
from node.extensions import db
from node.groups.models import Group
from node.mail import send
from node.members.models import Member
from node.public.models import MembershipApplication, PublicProfile
from node.tenancy import group_url

CONFIRM_DAYS = 7
# A second submission within this time sends no second mail (the first is still on its way).
RESEND_AFTER = timedelta(minutes=5)


@dataclass
class Applicant:
    name: str
    email: str
    ward: str | None = None
    union: str | None = None
    phone: str | None = None
    consent_email: bool = False
    consent_phone: bool = False
    consent_data: bool = False


def profile(group: Group) -> PublicProfile:
    """The group's public profile (made, unsaved, with the defaults if it has none yet)."""
    found = db.session.scalar(select(PublicProfile).where(PublicProfile.group_id == group.id))
    if found is None:
        found = PublicProfile(group_id=group.id, description=None, join_open=True)
        found.auto_accept = False
    return found


def update_profile(group: Group, data: dict[str, Any], actor: Member) -> PublicProfile:
    prof = profile(group)
    prof.description = (data.get("description") or "").strip() or None
    prof.join_open = bool(data.get("join_open"))
    prof.auto_accept = bool(data.get("auto_accept"))
    group.results_public = bool(data.get("results_public"))
    db.session.add(prof)
    detail = f"join form {'open' if prof.join_open else 'closed'}; " + (
        "confirmed requests accepted automatically"
        if prof.auto_accept
        else "officers approve each request"
    )
    detail += "; published ballots " + (
        "open to anyone to recount" if group.results_public else "shown to members only"
    )
    record(group, actor, "update-public-page", "public page", detail)
    return prof


def member_with_email(group: Group, email: str) -> Member | None:
    """The member of ``group`` (not erased) with this address, in any letter case."""
    return db.session.scalar(
        select(Member).where(
            Member.group_id == group.id,
            func.lower(Member.email) == email.strip().lower(),
            Member.erased_at.is_(None),
        )
    )


def purge_expired(group: Group) -> None:
    """Forget unconfirmed applications whose link expired (nobody proved the address)."""
    db.session.execute(
        delete(MembershipApplication).where(
            MembershipApplication.group_id == group.id,
            MembershipApplication.status == "unconfirmed",
            MembershipApplication.token_expires_at < clock.utcnow_naive(),
        )
    )


def _mail(group: Group, to: str, subject: str, body: str) -> None:
    send(group, to, subject, body, category="join")


def _recently_mailed(application: MembershipApplication) -> bool:
    sent = application.mailed_at
    return sent is not None and clock.utcnow_naive() - sent < RESEND_AFTER


def submit(group: Group, who: Applicant) -> None:
    """Take a join request from the public form (the caller shows the same answer whatever
    happened, and commits). May raise IntegrityError when the same address arrives twice at
    once; the caller rolls back and shows the same answer."""
    email = who.email.strip().lower()
    purge_expired(group)
    if member_with_email(group, email) is not None:
        _mail(
            group,
            email,
            _("You are already a member of %(group)s", group=group.name),
            _(
                "Someone (we hope you) asked to join %(group)s with this address, but you are "
                "already a member. Sign in at %(url)s (or ask for a password link there). If it "
                "was not you, ignore this e-mail.",
                group=group.name,
                url=group_url(group, "/signin"),
            )
            + "\n",
        )
        return
    application = db.session.scalar(
        select(MembershipApplication).where(
            MembershipApplication.group_id == group.id, MembershipApplication.email == email
        )
    )
    if application is not None and application.status == "pending":
        if not _recently_mailed(application):
            application.mailed_at = clock.utcnow_naive()
            _mail(
                group,
                email,
                _("Your request to join %(group)s is waiting", group=group.name),
                _(
                    "We already have your confirmed request to join %(group)s; the group's "
                    "officers will be in touch. There is nothing more to do.",
                    group=group.name,
                )
                + "\n",
            )
        return
    if application is None:
        application = MembershipApplication(group_id=group.id, email=email)
        db.session.add(application)
    elif application.status == "unconfirmed" and _recently_mailed(application):
        return  # the first link is on its way; no second mail to the same address so soon
    application.status = "unconfirmed"
    application.name = who.name.strip()
    application.ward = (who.ward or "").strip() or None
    application.union = (who.union or "").strip() or None
    application.phone = (who.phone or "").strip() or None
    application.consent_email = who.consent_email
    application.consent_phone = who.consent_phone and application.phone is not None
    application.consent_data = who.consent_data
    application.member_id = application.decided_by = application.decided_at = None
    application.confirmed_at = None
    token = secrets.token_urlsafe(32)
    application.token_hash = token_hash(token)
    application.token_expires_at = clock.utcnow_naive() + timedelta(days=CONFIRM_DAYS)
    application.mailed_at = clock.utcnow_naive()
    db.session.flush()
    _mail(
        group,
        email,
        _("Confirm your request to join %(group)s", group=group.name),
        _(
            "Hello %(name)s,\n\nTo confirm that you want to join %(group)s, open this link "
            "within %(days)s days:\n\n%(url)s\n\nIf you did not ask to join, ignore this "
            "e-mail: without confirmation we delete the request after %(days)s days.",
            name=application.name,
            group=group.name,
            days=CONFIRM_DAYS,
            url=group_url(group, f"/join/confirm/{token}"),
        )
        + "\n",
    )


def by_token(group: Group, token: str) -> MembershipApplication | None:
    """The unconfirmed application whose live link this is, or None."""
    application = db.session.scalar(
        select(MembershipApplication).where(
            MembershipApplication.group_id == group.id,
            MembershipApplication.token_hash == token_hash(token),
            MembershipApplication.status == "unconfirmed",
        )
    )
    if application is None or application.token_expires_at is None:
        return None
    if application.token_expires_at < clock.utcnow_naive():
        return None
    return application


def confirm(group: Group, application: MembershipApplication) -> MembershipApplication:
    """The address is proven: the request joins the officers' queue, or, if the group accepts
    automatically, becomes a member (folded into a member with the same address if one exists)."""
    application.status = "pending"
    application.token_hash = None
    application.token_expires_at = None
    application.confirmed_at = clock.utcnow_naive()
    if profile(group).auto_accept:
        existing = member_with_email(group, application.email)
        if existing is not None:
            merge(group, application, existing, actor=None)
        else:
            approve(group, application, actor=None)
    return application


def _pending(application: MembershipApplication) -> None:
    if application.status != "pending":
        raise Conflict(_("This request has already been dealt with."))


def _consents(application: MembershipApplication) -> str:
    yes = {True: "yes", False: "no"}
    return (
        f"consents: e-mail {yes[application.consent_email]}, phone {yes[application.consent_phone]}"
    )


def _welcome(group: Group, member: Member) -> None:
    if member.email:
        _mail(
            group,
            member.email,
            _("Welcome to %(group)s", group=group.name),
            _(
                "Hello %(name)s,\n\nYou are now a member of %(group)s. To take part online, "
                "sign in at %(url)s: if you have no password yet, use the password link there "
                "with this address.",
                name=member.name,
                group=group.name,
                url=group_url(group, "/signin"),
            )
            + "\n",
        )


def approve(group: Group, application: MembershipApplication, actor: Member | None) -> Member:
    _pending(application)
    if member_with_email(group, application.email) is not None:
        raise Conflict(
            _("A member with this e-mail address is already on the roster: merge instead.")
        )
    member = Member(
        group_id=group.id,
        name=application.name,
        email=application.email,
        phone=application.phone,
        ward=application.ward,
        union=application.union,
        consent_email=application.consent_email,
        consent_phone=application.consent_phone,
        role="member",
        status="active",
        joined_on=clock.today(),
    )
    db.session.add(member)
    db.session.flush()
    _decide(application, "approved", member, actor)
    how = "accepted automatically" if actor is None else "approved"
    detail = f"joined through the public form ({how}); {_consents(application)}"
    record(group, actor, "approve-join", f"member #{member.id}", detail)
    _welcome(group, member)
    return member


def merge(
    group: Group, application: MembershipApplication, member: Member, actor: Member | None
) -> Member:
    """Fold the request into ``member`` (same person, already on the roster): fill the blanks,
    and record the consents just given (the latest explicit choice wins)."""
    _pending(application)
    if member.group_id != group.id or member.erased_at is not None:
        raise Conflict(_("That member is not on this group's roster."))
    for attr in ("phone", "ward", "union"):
        if not getattr(member, attr) and getattr(application, attr):
            setattr(member, attr, getattr(application, attr))
    member.consent_email = application.consent_email
    member.consent_phone = application.consent_phone and bool(member.phone)
    _decide(application, "merged", member, actor)
    detail = f"join request #{application.id} merged; {_consents(application)}"
    record(group, actor, "merge-join", f"member #{member.id}", detail)
    return member


def decline(group: Group, application: MembershipApplication, actor: Member) -> None:
    """Refuse the request and delete it (nothing about the person is kept)."""
    _pending(application)
    record(group, actor, "decline-join", f"join request #{application.id}", "request deleted")
    db.session.delete(application)


def _decide(
    application: MembershipApplication, status: str, member: Member, actor: Member | None
) -> None:
    application.status = status
    application.member_id = member.id
    application.decided_at = clock.utcnow_naive()
    application.decided_by = actor.id if actor is not None else None


def waiting_count(group: Group) -> int:
    pending = select(func.count()).where(
        MembershipApplication.group_id == group.id, MembershipApplication.status == "pending"
    )
    return db.session.scalar(pending) or 0
