"""Who is asking, and may they? Every view declares its access level with one of these decorators.

The declared level is also stored on the view function (``view.access``), so the tenant-isolation
test can walk every route in the URL map and check each one is refused to the wrong people.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, redirect, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from node.extensions import db
from node.members.models import Account, Member

LEVELS = ("public", "account", "member", "organiser", "officer")


def load_identity() -> None:
    """Set ``g.account`` and ``g.member`` (the account's record in the current group)."""
    g.account = None
    g.member = None
    account_id = session.get("account_id")
    if account_id is None:
        return
    account = db.session.get(Account, account_id)
    if account is None or session.get("auth_epoch") != account.session_epoch:
        session.clear()
        return
    g.account = account
    group = g.get("group")
    if group is not None:
        g.member = db.session.scalar(
            select(Member).where(
                Member.group_id == group.id,
                Member.account_id == account.id,
                Member.erased_at.is_(None),
            )
        )


def sign_in(account: Account) -> None:
    """Start a session for ``account``. The only place a session gets an account: the standing
    test tests/security/test_signin_paths.py lists every caller and tries a takeover through
    each, so a new way of signing in fails that test until it is covered.

    The session keeps the account's ``session_epoch``; bumping it (password set or reset, "sign
    out everywhere") ends every session, with or without a password.
    """
    session.clear()
    session["account_id"] = account.id
    session["auth_epoch"] = account.session_epoch
    session.permanent = True


def _for_level(level: str) -> str:
    """Why a member without the role is refused, one whole sentence per role."""
    sentences = {
        "organiser": _("This page is for the group's organisers."),
        "officer": _("This page is for the group's officers."),
    }
    return sentences.get(level) or _("This page is for the group's members.")


def _mark(level: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if level != "public":
                if g.get("account") is None:
                    return redirect(url_for("auth.signin", next=request.full_path))
                if level != "account":
                    if g.get("group") is None:
                        abort(404)
                    member = g.get("member")
                    if member is None:
                        abort(403, _("You are not a member of this group."))
                    if not member.has_role(level):
                        abort(403, _for_level(level))
            return view(*args, **kwargs)

        wrapped.__dict__["access"] = level  # read by tests/node/test_isolation.py
        return wrapped

    return decorate


public = _mark("public")
account_required = _mark("account")
member_required = _mark("member")
organiser_required = _mark("organiser")
officer_required = _mark("officer")
