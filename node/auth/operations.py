"""Sign-in state changes: invitations, passwords, resets. Views and the CLI both call these."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from node import clock, mail
from node.audit import record
from node.auth.models import Invitation, PasswordReset
from node.extensions import db
from node.groups.models import Group
from node.members.models import ROLES, Account, Member
from node.tenancy import group_url

MIN_PASSWORD = 10
# A fixed hash so that unknown e-mails take as long to check as known ones.
_DUMMY_HASH = generate_password_hash("not-a-real-password-" + "x" * 20)


class AuthError(ValueError):
    """A sign-in operation refused; the message is safe to show."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    if len(password) > 512:
        raise AuthError("That password is too long (512 characters at most).")


@dataclass
class IssuedInvitation:
    invitation: Invitation
    link: str


def create_invitation(
    group: Group, email: str, role: str = "member", actor: Member | None = None, send: bool = True
) -> IssuedInvitation:
    """Make a single-use, expiring invitation link (and e-mail it unless ``send`` is false)."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AuthError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    if "@" not in email or len(email) > 254:
        raise AuthError(f"{email!r} is not an e-mail address.")
    token = secrets.token_urlsafe(32)
    days = current_app.config["INVITATION_DAYS"]
    invitation = Invitation(
        group_id=group.id,
        email=email,
        role=role,
        token_hash=token_hash(token),
        created_by_id=actor.id if actor else None,
        expires_at=clock.utcnow_naive() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    link = group_url(group, f"/invite/{token}")
    record(group, actor, "invite", email, f"role={role}")
    if send:
        mail.send(
            group,
            email,
            f"You're invited to {group.name} on Commonground",
            f"Hello,\n\nYou have been invited to join {group.name} as {role}.\n"
            f"Accept within {days} days by opening this link and choosing a password:\n\n"
            f"{link}\n\nIf you were not expecting this, ignore this e-mail.\n",
            category="invitation",
        )
    return IssuedInvitation(invitation, link)


def find_invitation(group: Group, token: str) -> Invitation:
    invitation = db.session.scalar(
        select(Invitation).where(
            Invitation.group_id == group.id, Invitation.token_hash == token_hash(token)
        )
    )
    if invitation is None:
        raise AuthError("This invitation link is not valid. Ask an officer for a new one.")
    if invitation.used_at is not None:
        raise AuthError("This invitation has already been used. Sign in instead.")
    if invitation.expires_at < clock.utcnow_naive():
        raise AuthError("This invitation has expired. Ask an officer for a new one.")
    return invitation


def accept_invitation(group: Group, token: str, name: str, password: str | None) -> Account:
    """Use an invitation: link or create the account and the member record, mark it used."""
    invitation = find_invitation(group, token)
    name = name.strip()
    if not name:
        raise AuthError("Please give your name.")
    account = db.session.scalar(select(Account).where(Account.email == invitation.email))
    if account is None or account.password_hash is None:
        if not password:
            raise AuthError("Choose a password.")
        check_password_strength(password)
    if account is None:
        account = Account(email=invitation.email)
        db.session.add(account)
    if password:
        check_password_strength(password)
        account.password_hash = generate_password_hash(password)
    db.session.flush()
    member = db.session.scalar(
        select(Member).where(Member.group_id == group.id, Member.email == invitation.email)
    )
    if member is None:
        member = Member(group_id=group.id, email=invitation.email, name=name, role=invitation.role)
        db.session.add(member)
    else:
        member.role = max(member.role, invitation.role, key=ROLES.index)
        if member.status == "lapsed":
            member.status = "active"
    member.account_id = account.id
    invitation.used_at = clock.utcnow_naive()
    db.session.flush()
    record(group, member, "accept-invitation", invitation.email, f"role={member.role}")
    return account


def authenticate(email: str, password: str) -> Account:
    account = db.session.scalar(
        select(Account).where(func.lower(Account.email) == normalise_email(email))
    )
    if account is None or account.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        raise AuthError("E-mail or password is wrong.")
    if not check_password_hash(account.password_hash, password):
        raise AuthError("E-mail or password is wrong.")
    account.last_sign_in = clock.utcnow_naive()
    return account


def request_password_reset(group: Group | None, email: str) -> None:
    """E-mail a reset link if the account exists; say nothing either way (no account probing)."""
    account = db.session.scalar(select(Account).where(Account.email == normalise_email(email)))
    if account is None:
        return
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordReset(
            account_id=account.id,
            token_hash=token_hash(token),
            expires_at=clock.utcnow_naive() + timedelta(hours=2),
        )
    )
    base = group.url if group is not None else current_app.config["BASE_URL"]
    link = base.rstrip("/") + f"/reset/{token}"
    mail.send(
        group,
        account.email,
        "Reset your Commonground password",
        f"Someone asked to reset the password for {account.email}.\n"
        f"If it was you, open this link within two hours:\n\n{link}\n\n"
        "If it was not, ignore this e-mail; your password is unchanged.\n",
        category="password-reset",
    )


def reset_password(token: str, password: str) -> Account:
    reset = db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    )
    if reset is None or reset.used_at is not None or reset.expires_at < clock.utcnow_naive():
        raise AuthError("This reset link is not valid or has expired. Ask for a new one.")
    check_password_strength(password)
    account = db.session.get(Account, reset.account_id)
    assert account is not None
    account.password_hash = generate_password_hash(password)
    reset.used_at = clock.utcnow_naive()
    return account
