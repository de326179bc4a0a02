"""Sign-in state changes: invitations, passwords, resets. Views and the CLI both call these.

Who may become whom. An officer of any group on the install can invite any address and sees
the invitation link, so holding an invitation link proves nothing about the address:

* An invitation never signs anyone in to an *existing* account and never changes its password.
  Its owner signs in as usual (or through a mailed reset link) and then accepts, and the
  acceptance links the membership only when the signed-in account is the invited address's.
* A *new* account made from an invitation is the invitee's from then on, but its address counts
  as proven (``Account.email_verified_at``) only if the link used was the one that was only ever
  e-mailed (``Invitation.mail_token_hash``). Made from the link the officer saw, the account
  gets a confirmation link by mail instead, which works only in a session of that same account:
  the officer who holds the password never gets the mail, and the address's owner who gets it
  does not know the officer's password (they take the account over with a reset, which also
  proves the address and signs every other session out).
* Using a reset link (only ever mailed) proves the address, sets the password, kills every other
  outstanding link of the account and signs out every other session.
* A mailed sign-in link (node.auth.links) proves the address the same way; it makes an account
  only for an address on the roster of the group it was asked on, linked to that record only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select, update

from node import clock, mail
from node.audit import record
from node.auth.models import Invitation, PasswordReset, SigninLink
from node.auth.passwords import hash_password, needs_rehash, password_matches, spend_check_time
from node.errors import Invalid, NotFound
from node.extensions import db
from node.groups.models import Group
from node.members.models import ROLES, Account, Member
from node.tenancy import group_url

# The two tables of mailed single-use links: for an account, and for an address.
Mailed = TypeVar("Mailed", PasswordReset, SigninLink)
MIN_PASSWORD = 10
RESET_HOURS = 2
CONFIRM_DAYS = 7


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def account_for_email(email: str) -> Account | None:
    return db.session.scalar(
        select(Account).where(func.lower(Account.email) == normalise_email(email))
    )


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(_("Choose a password of at least %(count)s characters.", count=MIN_PASSWORD))
    if len(password) > 512:
        raise Invalid(_("That password is too long (512 characters at most)."))


def set_password(account: Account, password: str) -> None:
    """Set the password, sign out every session of the account and kill its mailed links."""
    check_password_strength(password)
    account.password_hash = hash_password(password)
    end_all_sessions(account)
    if account.id is not None:
        db.session.execute(
            update(PasswordReset)
            .where(PasswordReset.account_id == account.id, PasswordReset.used_at.is_(None))
            .values(used_at=clock.utcnow_naive())
        )


def end_all_sessions(account: Account) -> None:
    """Every session stores the epoch it was made in; a new epoch signs them all out. The
    address's outstanding sign-in links die too (a lost phone may hold them)."""
    account.session_epoch = (account.session_epoch or 0) + 1
    if account.email:
        kill_signin_links(account.email)


def kill_signin_links(email: str) -> None:
    """End every outstanding mailed sign-in link of the address (node.auth.links)."""
    db.session.execute(
        update(SigninLink)
        .where(SigninLink.email == normalise_email(email), SigninLink.used_at.is_(None))
        .values(used_at=clock.utcnow_naive())
    )


def mark_verified(account: Account) -> None:
    """Record that the address was proven by a token only ever e-mailed to it."""
    if account.email_verified_at is None:
        account.email_verified_at = clock.utcnow_naive()


# ----------------------------------------------------------------------------- invitations
@dataclass
class IssuedInvitation:
    invitation: Invitation
    link: str
    mailed: mail.MailLog | None = None  # the send log entry of the mailed link, if sent


def create_invitation(
    group: Group, email: str, role: str = "member", actor: Member | None = None, send: bool = True
) -> IssuedInvitation:
    """Make a single-use, expiring invitation (and e-mail it unless ``send`` is false).

    The returned ``link`` is the one shown to the officer (or printed by the CLI); the e-mail
    carries a second token of the same invitation that nobody else ever sees.
    """
    email = normalise_email(email)
    if role not in ROLES:
        raise Invalid(
            _(
                "Unknown role %(role)s: choose one of %(roles)s.",
                role=repr(role),
                roles=", ".join(ROLES),
            )
        )
    if "@" not in email or len(email) > 254:
        raise Invalid(_("%(email)s is not an e-mail address.", email=repr(email)))
    token = secrets.token_urlsafe(32)
    mail_token = secrets.token_urlsafe(32) if send else None
    days = current_app.config["INVITATION_DAYS"]
    invitation = Invitation(
        group_id=group.id,
        email=email,
        role=role,
        token_hash=token_hash(token),
        mail_token_hash=token_hash(mail_token) if mail_token else None,
        created_by_id=actor.id if actor else None,
        expires_at=clock.utcnow_naive() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    record(group, actor, "invite", email, f"role={role}")
    mailed = None
    if mail_token:
        mailed = mail.send(
            group,
            email,
            _("You're invited to %(group)s on Commonground", group=group.name),
            _(
                "Hello,\n\nYou have been invited to join %(group)s as %(role)s.\n"
                "Accept within %(days)s days by opening this link:\n\n"
                "%(link)s\n\n"
                "If you were not expecting this, ignore this e-mail.\n",
                group=group.name,
                role=_(role),
                days=days,
                link=group_url(group, f"/invite/{mail_token}"),
            ),
            category="invitation",
        )
    return IssuedInvitation(invitation, group_url(group, f"/invite/{token}"), mailed)


def find_invitation(group: Group, token: str) -> Invitation:
    digest = token_hash(token)
    invitation = db.session.scalar(
        select(Invitation).where(
            Invitation.group_id == group.id,
            (Invitation.token_hash == digest) | (Invitation.mail_token_hash == digest),
        )
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid. Ask an officer for a new one."))
    if invitation.used_at is not None:
        raise NotFound(_("This invitation has already been used. Sign in instead."))
    if invitation.expires_at < clock.utcnow_naive():
        raise NotFound(_("This invitation has expired. Ask an officer for a new one."))
    return invitation


def came_by_mail(invitation: Invitation, token: str) -> bool:
    """Is ``token`` the invitation's mailed-only token (not the link the officer saw)?"""
    return invitation.mail_token_hash is not None and hmac.compare_digest(
        invitation.mail_token_hash, token_hash(token)
    )


def accept_invitation(
    group: Group, token: str, name: str, password: str | None, signed_in: Account | None = None
) -> Account:
    """Use an invitation: link the member record to the invited address's account, mark it used.

    ``signed_in`` is the account of the current session. If the invited address already has an
    account, only that account, signed in, can accept; ``password`` is then ignored. Otherwise
    a new account is made with ``password`` (nobody may be signed in, so nobody accepts for an
    address that is not theirs); it is proven only if the token came by mail, else a
    confirmation link is mailed. Returns the account (the view signs a new one in).
    """
    invitation = find_invitation(group, token)
    mailed = came_by_mail(invitation, token)
    name = name.strip()
    if not name:
        raise Invalid(_("Please give your name."))
    account = account_for_email(invitation.email)
    if account is not None:
        if signed_in is None or signed_in.id != account.id:
            raise Invalid(
                _(
                    "%(email)s already has an account here. Sign in as that account "
                    "(or choose a new password with “Forgotten your password?”), then open this "
                    "invitation link again to accept.",
                    email=invitation.email,
                )
            )
        if mailed:
            mark_verified(account)
    else:
        if signed_in is not None:
            raise Invalid(
                _(
                    "This invitation is for %(email)s, but you are signed in as "
                    "%(signed_in)s. Sign out, then open the invitation link again.",
                    email=invitation.email,
                    signed_in=signed_in.email,
                )
            )
        if not password:
            raise Invalid(_("Choose a password."))
        check_password_strength(password)
        account = Account(email=invitation.email)
        db.session.add(account)
        set_password(account, password)
        if mailed:
            mark_verified(account)
        db.session.flush()
        if not mailed:
            send_confirmation(group, account)
    member = db.session.scalar(
        select(Member).where(Member.group_id == group.id, Member.email == invitation.email)
    )
    if member is None:
        member = Member(group_id=group.id, email=invitation.email, name=name, role=invitation.role)
        db.session.add(member)
    else:
        if member.account_id not in (None, account.id):
            raise Invalid(
                _(
                    "This group's record for that address belongs to another account. "
                    "Ask an officer of the group to check it."
                )
            )
        member.role = max(member.role, invitation.role, key=ROLES.index)
        if member.status == "lapsed":
            member.status = "active"
    member.account_id = account.id
    invitation.used_at = clock.utcnow_naive()
    db.session.flush()
    record(group, member, "accept-invitation", invitation.email, f"role={member.role}")
    return account


# ----------------------------------------------------------------------------- passwords
def authenticate(email: str, password: str) -> Account:
    """The account whose password this is, else Invalid (the same answer, after the same work,
    whether or not the address has an account). A hash stored with other parameters than
    node.auth.passwords's is replaced by a current one while the password is at hand; that is
    not a password change, so no session or link ends."""
    account = account_for_email(email)
    if account is None or account.password_hash is None:
        spend_check_time(password)
        raise Invalid(_("E-mail or password is wrong."))
    if not password_matches(account.password_hash, password):
        raise Invalid(_("E-mail or password is wrong."))
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_sign_in = clock.utcnow_naive()
    return account


def issue_token(model: type[Mailed], lifetime: timedelta, **fields: Any) -> str:
    """Store a new single-use token of a mailed link (a ``model`` row, by its hash only) that
    lives ``lifetime``; returns the token to put in the mail."""
    token = secrets.token_urlsafe(32)
    expires_at = clock.utcnow_naive() + lifetime
    db.session.add(model(token_hash=token_hash(token), expires_at=expires_at, **fields))
    db.session.flush()
    return token


def live_token(model: type[Mailed], token: str, *where: ColumnElement[bool]) -> Mailed | None:
    """The ``model`` row of ``token`` (matching ``where``) if it is unused and unexpired."""
    row = db.session.scalar(select(model).where(model.token_hash == token_hash(token), *where))
    if row is None or row.used_at is not None or row.expires_at < clock.utcnow_naive():
        return None
    return row


def mailed_link(account: Account, purpose: str, lifetime: timedelta) -> str:
    return issue_token(PasswordReset, lifetime, account_id=account.id, purpose=purpose)


def base_url(group: Group | None) -> str:
    return (group.url if group is not None else current_app.config["BASE_URL"]).rstrip("/")


def send_confirmation(group: Group | None, account: Account) -> None:
    """Mail a link that confirms the address, usable only while signed in as ``account``."""
    token = mailed_link(account, "confirm", timedelta(days=CONFIRM_DAYS))
    base = base_url(group)
    mail.send(
        group,
        account.email,
        _("Confirm your e-mail address on Commonground"),
        _(
            "An account for %(email)s was made from an invitation.\n"
            "If it was you, sign in and open this link within %(days)s days to confirm "
            "your address:\n\n%(link)s\n\n"
            "If it was not you, someone else gave your address. You can take the account over by "
            "choosing a new password at %(reset)s (that signs everyone else out).\n",
            email=account.email,
            days=CONFIRM_DAYS,
            link=f"{base}/confirm/{token}",
            reset=f"{base}/reset",
        ),
        category="confirm-email",
    )


def _open_link(token: str, purpose: str) -> PasswordReset:
    row = live_token(PasswordReset, token, PasswordReset.purpose == purpose)
    if row is None:
        raise Invalid(_("This link is not valid or has expired. Ask for a new one."))
    return row


def reset_password(token: str, password: str) -> Account:
    """Use a mailed reset link: the address is proven, every other session and link ends."""
    reset = _open_link(token, "reset")
    check_password_strength(password)
    account = db.session.get(Account, reset.account_id)
    if account is None:
        raise Invalid(_("This link is not valid or has expired. Ask for a new one."))
    set_password(account, password)
    mark_verified(account)
    return account


def confirm_email(token: str, signed_in: Account) -> Account:
    """Use a mailed confirmation link in a session of the account it was made for."""
    row = _open_link(token, "confirm")
    if row.account_id != signed_in.id:
        raise Invalid(
            _(
                "This link confirms the address of another account: sign in as that account "
                "first. If you did not make an account here, choose a password with "
                "“Forgotten your password?” instead."
            )
        )
    row.used_at = clock.utcnow_naive()
    mark_verified(signed_in)
    return signed_in
