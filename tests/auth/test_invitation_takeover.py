"""Issue 13, finding 1: an invitation never signs anyone in to an existing account nor changes
its password, and only a mailed token proves an address (Account.email_verified_at).

The attacker is the officer of another group on the same install (Walton, at localhost): they
invite the victim's address and use the link the invite page shows them.
"""

from __future__ import annotations

import re

import flask
import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from node.auth.models import PasswordReset
from node.extensions import db
from node.members.models import Account, Member
from tests.support.fixtures import PASSWORD

VICTIM = "victim@alpha.example.org"
ALPHA = "http://alpha.test"
SHOWN = re.compile(r'value="http://localhost(/invite/[^"]+)"')
MAILED = re.compile(r"http://\S+?(/(?:invite|confirm|reset)/\S+)")


@pytest.fixture
def victim(make_group, make_member):  # type: ignore[no-untyped-def]
    alpha = make_group("Alpha", slug="alpha", url=ALPHA)
    return make_member(alpha, "officer", email=VICTIM, name="Vera Victim")


def shown_link(officer_client, email: str) -> str:
    """Invite ``email`` and return the link the invite page shows the officer."""
    page = officer_client.post_form("/members/invite", {"email": email, "role": "officer"})
    assert page.status_code == 200
    return SHOWN.search(page.get_data(as_text=True)).group(1)


def mailed_link(smtp_sink, email: str, kind: str = "invite") -> str:
    for message in reversed(smtp_sink.to(email)):
        for path in MAILED.findall(smtp_sink.body(message)):
            if path.startswith(f"/{kind}/"):
                return path
    raise AssertionError(f"no {kind} link mailed to {email}")


def walton_record(group, email: str) -> Member | None:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(Member).where(Member.group_id == group.id, Member.email == email)
    )


def account(email: str) -> Account:
    return db.session.scalar(select(Account).where(Account.email == email))


def accept(client, path, password="", **kwargs):  # type: ignore[no-untyped-def]
    """POST the accept form (the CSRF token is the session's, so any page gives it)."""
    data = {"name": "Mallory", "password": password, "confirm": password}
    return client.post_form(path, data, page="/signin", **kwargs)


def is_signed_in_as(client, email: str) -> bool:
    page = client.get("/", base_url=ALPHA)
    return page.status_code == 200 and email in page.get_data(as_text=True)


@pytest.mark.parametrize("password", ["", "mallorys-own-password"])
def test_shown_invitation_link_never_takes_over_an_existing_account(
    app, group, officer_client, victim, password
):
    path = shown_link(officer_client, VICTIM)
    before = account(VICTIM).password_hash
    attacker = app.test_client()
    response = accept(attacker, path, password)
    assert response.status_code == 400
    assert "already has an account here" in response.get_data(as_text=True)
    assert attacker.get("/members").status_code == 302  # not signed in, on either site
    assert attacker.get("/profile", base_url=ALPHA).status_code == 302
    assert account(VICTIM).password_hash == before
    assert check_password_hash(account(VICTIM).password_hash, PASSWORD)
    app.test_client().sign_in(VICTIM, base_url=ALPHA)  # the victim's password still works
    assert walton_record(group, VICTIM) is None


def test_the_mailed_link_does_not_sign_in_to_an_existing_account_either(
    app, officer_client, victim, smtp_sink
):
    shown_link(officer_client, VICTIM)
    path = mailed_link(smtp_sink, VICTIM)
    holder = app.test_client()
    response = accept(holder, path, "a-password-of-mine")
    assert response.status_code == 400
    assert holder.get("/members").status_code == 302
    assert check_password_hash(account(VICTIM).password_hash, PASSWORD)


def test_existing_account_accepts_after_signing_in(app, group, officer_client, victim):
    path = shown_link(officer_client, VICTIM)
    page = app.test_client().get(path).get_data(as_text=True)
    assert "Sign in as victim@alpha.example.org to accept" in page
    owner = app.test_client()
    owner.sign_in(VICTIM)
    response = accept(owner, path)
    assert response.status_code == 302
    member = walton_record(group, VICTIM)
    assert member.account_id == account(VICTIM).id and member.role == "officer"
    assert account(VICTIM).email_verified_at is None  # the shown link proves nothing
    assert check_password_hash(account(VICTIM).password_hash, PASSWORD)


def test_signed_in_as_someone_else_cannot_accept_for_the_address(
    app, group, officer_client, victim
):
    path = shown_link(officer_client, VICTIM)
    response = accept(officer_client, path)
    assert response.status_code == 400
    assert walton_record(group, VICTIM) is None
    path = shown_link(officer_client, "newcomer@example.org")
    response = accept(officer_client, path, "newcomers-password")
    assert response.status_code == 400 and "you are signed in as" in response.get_data(as_text=True)
    assert account("newcomer@example.org") is None


def test_new_account_from_the_shown_link_is_unverified_until_confirmed_by_mail(
    app, officer_client, smtp_sink
):
    path = shown_link(officer_client, "rosa@example.org")
    newcomer = app.test_client()
    assert accept(newcomer, path, "rosa-strong-password").status_code == 302
    assert newcomer.get("/").status_code == 200  # a new account: its maker is signed in
    assert account("rosa@example.org").email_verified_at is None
    confirm = mailed_link(smtp_sink, "rosa@example.org", "confirm")
    # Another account (the inviting officer) cannot use it; an anonymous visitor must sign in.
    assert officer_client.post_form(confirm, {}).status_code == 400
    assert app.test_client().get(confirm).status_code == 302
    assert account("rosa@example.org").email_verified_at is None
    assert newcomer.post_form(confirm, {}).status_code == 302
    assert account("rosa@example.org").email_verified_at is not None


def test_new_account_from_the_mailed_link_is_verified(app, officer_client, smtp_sink):
    shown_link(officer_client, "rosa@example.org")
    path = mailed_link(smtp_sink, "rosa@example.org")
    assert accept(app.test_client(), path, "rosa-strong-password").status_code == 302
    assert account("rosa@example.org").email_verified_at is not None
    assert [m for m in smtp_sink.to("rosa@example.org") if "/confirm/" in smtp_sink.body(m)] == []


def test_reset_proves_the_address_and_kills_other_links(app, client, victim, smtp_sink):
    client.post_form("/reset", {"email": VICTIM})
    first = mailed_link(smtp_sink, VICTIM, "reset")
    client.post_form("/reset", {"email": VICTIM})
    second = mailed_link(smtp_sink, VICTIM, "reset")
    assert first != second
    new = {"password": "a-brand-new-password", "confirm": "a-brand-new-password"}
    assert client.post_form(second, new).status_code == 302
    assert account(VICTIM).email_verified_at is not None
    stale = app.test_client().post_form(first, {"password": "x" * 12, "confirm": "x" * 12})
    assert "not valid" in stale.get_data(as_text=True)
    assert db.session.scalars(select(PasswordReset.used_at)).all() and all(
        db.session.scalars(select(PasswordReset.used_at))
    )


def test_accounts_without_password_can_end_every_session(app, make_group, make_member):
    """The old epoch was the password hash's tail: "" for every account without a password, so
    such a session could never be revoked. Sign-out-everywhere bumps Account.session_epoch."""
    from node.members.access import sign_in

    group = make_group("Alpha", slug="alpha", url=ALPHA)
    member = make_member(group, "member", email="nopass@example.org")
    member.account.password_hash = None
    db.session.commit()
    with app.test_request_context():
        sign_in(member.account)  # as national sign-in does for an account without a password
        signed_in = dict(flask.session)
    phone, laptop = app.test_client(), app.test_client()
    for browser in (phone, laptop):
        with browser.session_transaction(base_url=ALPHA) as session:
            session.update(signed_in)
    assert phone.get("/", base_url=ALPHA).status_code == 200
    assert laptop.get("/", base_url=ALPHA).status_code == 200
    profile = laptop.get("/profile", base_url=ALPHA).get_data(as_text=True)
    assert "/signout/everywhere" in profile
    assert laptop.post_form("/signout/everywhere", {}, page="/", base_url=ALPHA).status_code == 302
    assert phone.get("/profile", base_url=ALPHA).status_code == 302
    assert laptop.get("/profile", base_url=ALPHA).status_code == 302
