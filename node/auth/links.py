"""Sign-in by a mailed link, also for people on a roster who never had an account.

What the link proves and what it may do. The link is only ever e-mailed to the address (nobody,
officers included, ever sees it), so whoever opens it reads that address's mail: the same proof
as a password-reset link. So using it signs in to the address's account and proves the address
(``Account.email_verified_at``).

An address with no account gets a link only when it is on the roster of the group whose site
it was asked on (``Member.email``, not erased, linked to no account). Using the link then makes
the account (no password unless one is chosen on the same page) and links it to *that* group's
record only. An officer of another group can put anyone's address on their own roster; the
link still goes only to the address, and the account it makes belongs to whoever holds the
mailed token, the address's owner. Records in other groups are not linked on the way: being on
group B's roster must not make someone a signed-in member of B because they asked to sign in
at A (group B invites them, which is how every other record gets linked). A record already
linked to an account is never re-linked, not even to the account of its address.

The link is single-use and lives ``LINK_MINUTES`` (a set-up link answering a reset request lives
as long as a reset link). Using one, or a new password, or "sign out everywhere", kills every
other outstanding link of the address. Opening the link (GET) only shows a button: mail
scanners that fetch links do not use it up.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from node import clock, mail
from node.audit import record
from node.auth.models import SigninLink
from node.auth.operations import (
    RESET_HOURS,
    account_for_email,
    base_url,
    check_password_strength,
    issue_token,
    kill_signin_links,
    live_token,
    mailed_link,
    mark_verified,
    normalise_email,
    set_password,
)
from node.errors import Invalid, NotFound
from node.extensions import db
from node.groups.models import Group
from node.members.models import Account, Member

LINK_MINUTES = 15


def roster_record(group: Group | None, email: str) -> Member | None:
    """The group's live roster record for ``email`` that no account holds yet, if any."""
    if group is None:
        return None
    return db.session.scalar(
        select(Member).where(
            Member.group_id == group.id,
            func.lower(Member.email) == normalise_email(email),
            Member.erased_at.is_(None),
            Member.account_id.is_(None),
        )
    )


def _issue(group: Group | None, email: str, purpose: str, lifetime: timedelta) -> str:
    group_id = group.id if group is not None else None
    return issue_token(SigninLink, lifetime, group_id=group_id, email=email, purpose=purpose)


def request_signin_link(group: Group | None, email: str) -> bool:
    """Mail a sign-in link if the address has an account, or no account but a free record on
    this group's roster; say nothing either way (the view answers the same). Returns whether a
    link was mailed, for tests and the CLI only."""
    email = normalise_email(email)
    account = account_for_email(email)
    if account is None and roster_record(group, email) is None:
        return False
    token = _issue(group, email, "signin", timedelta(minutes=LINK_MINUTES))
    where = group.name if group is not None else "Commonground"
    mail.send(
        group,
        email,
        _("Your sign-in link for %(where)s", where=where),
        _(
            "Someone asked to sign in to %(where)s as %(email)s without a password.\n"
            "If it was you, open this link within %(minutes)s minutes (it works once):\n\n"
            "%(link)s\n\n"
            "If it was not you, ignore this e-mail: nobody can sign in without this link.\n",
            where=where,
            email=email,
            minutes=LINK_MINUTES,
            link=f"{base_url(group)}/signin/link/{token}",
        ),
        category="signin-link",
    )
    return True


def send_setup_link(group: Group, member: Member) -> None:
    """Answer a password-reset request for a roster address without an account: a link that
    makes the account (and lets its owner choose a password)."""
    if member.email is None:
        return
    token = _issue(group, normalise_email(member.email), "setup", timedelta(hours=RESET_HOURS))
    mail.send(
        group,
        member.email,
        _("Set up your account for %(group)s", group=group.name),
        _(
            "Someone asked to reset the password for %(email)s. You are on %(group)s's "
            "list of members but have no account yet, so there is no password to reset.\n"
            "If it was you, open this link within %(hours)s hours to set up your account "
            "(choosing a password is optional: you can always sign in with a link by e-mail):"
            "\n\n%(link)s\n\n"
            "If it was not you, ignore this e-mail; nothing changes.\n",
            email=member.email,
            group=group.name,
            hours=RESET_HOURS,
            link=f"{base_url(group)}/signin/link/{token}",
        ),
        category="account-setup",
    )


def find_link(group: Group | None, token: str) -> SigninLink:
    """The live link for ``token`` asked on this group's site (NotFound if there is none)."""
    mine = SigninLink.group_id.is_(None) if group is None else SigninLink.group_id == group.id
    link = live_token(SigninLink, token, mine)
    if link is None:
        raise NotFound(
            "This sign-in link is not valid: it was used already, has expired, or a newer one "
            "was sent. Ask for a new one."
        )
    return link


def use_link(group: Group | None, token: str, password: str | None = None) -> Account:
    """Use a mailed link: return the address's account (made now, and linked to this group's
    free roster record, if there was none), proven; ``password``, if given, is set. The caller
    commits and signs the account in."""
    link = find_link(group, token)
    if password:
        check_password_strength(password)
    account = account_for_email(link.email)
    free = roster_record(group, link.email)
    if account is None:
        if free is None:
            raise Invalid(
                "This address is no longer on the group's list of members, or its record "
                "belongs to another account. Ask an officer of the group."
            )
        account = Account(email=link.email)
        db.session.add(account)
        db.session.flush()
    kill_signin_links(link.email)  # this link, and every other one of the address
    if free is not None and group is not None:
        free.account_id = account.id
        record(group, free, "link-account", link.email, "by a mailed sign-in link")
    if password:
        set_password(account, password)
    mark_verified(account)
    account.last_sign_in = clock.utcnow_naive()
    db.session.flush()
    return account


def request_password_reset(group: Group | None, email: str) -> None:
    """E-mail a reset link if the account exists, or an account set-up link if the address is
    on this group's roster without an account (:func:`send_setup_link`); say nothing either way (no
    account probing)."""
    account = account_for_email(email)
    if account is None:
        member = roster_record(group, email)
        if group is not None and member is not None:
            send_setup_link(group, member)
        return
    token = mailed_link(account, "reset", timedelta(hours=RESET_HOURS))
    mail.send(
        group,
        account.email,
        _("Reset your Commonground password"),
        _(
            "Someone asked to reset the password for %(email)s.\n"
            "If it was you, open this link within two hours:\n\n%(link)s\n\n"
            "If it was not, ignore this e-mail; your password is unchanged.\n",
            email=account.email,
            link=f"{base_url(group)}/reset/{token}",
        ),
        category="password-reset",
    )
