"""Sign-in by a mailed link (node.auth.links), read from a real SMTP sink, and the account
set-up link a reset request mails to a roster address without an account."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash

from node import clock
from node.auth.models import SigninLink
from node.extensions import db
from node.members.models import Account, Member
from tests.support.fixtures import PASSWORD

LINK = re.compile(r"http://localhost(/signin/link/(\S+))")


def _ask(client, email: str):  # type: ignore[no-untyped-def]
    return client.post_form("/signin/link", {"email": email}, page="/signin")


def _mailed_path(smtp_sink, email: str) -> str:  # type: ignore[no-untyped-def]
    [message] = smtp_sink.to(email)
    return LINK.search(smtp_sink.body(message)).group(1)


def _use(client, path: str, password: str = ""):  # type: ignore[no-untyped-def]
    """Press the link page's button (the CSRF token comes from the sign-in page, so a dead
    link is posted to as well)."""
    return client.post_form(path, {"password": password, "confirm": password}, page="/signin")


def _signed_in_as(client) -> str | None:  # type: ignore[no-untyped-def]
    with client.session_transaction() as session:
        account_id = session.get("account_id")
    account = db.session.get(Account, account_id) if account_id else None
    return account.email if account else None


def test_a_mailed_link_signs_in_without_a_password_once(app, client, officer, smtp_sink):
    answer = _ask(client, officer.email)
    assert answer.status_code == 200
    assert "If that address is known here, a link is on its way" in answer.get_data(as_text=True)
    path = _mailed_path(smtp_sink, officer.email)
    assert path.split("/")[-1] not in answer.get_data(as_text=True)
    stored = db.session.scalar(select(SigninLink))
    assert stored.token_hash != path.split("/")[-1] and len(stored.token_hash) == 64
    page = client.get(path)  # a mail scanner opening the link does not use it up
    assert page.status_code == 200 and "Sign in as" in page.get_data(as_text=True)
    assert _signed_in_as(client) is None
    response = _use(client, path)
    assert response.status_code == 302
    assert _signed_in_as(client) == officer.email
    assert client.get("/members").status_code == 200
    account = db.session.get(Account, officer.account_id)
    assert account.email_verified_at is not None  # only ever mailed: the address is proven
    assert check_password_hash(account.password_hash, PASSWORD)  # password sign-in stays
    again = app.test_client()
    assert _use(again, path).status_code == 404
    assert "not valid" in again.get(path).get_data(as_text=True)
    assert _signed_in_as(again) is None


def test_a_link_expires_after_fifteen_minutes(app, client, officer, smtp_sink):
    _ask(client, officer.email)
    path = _mailed_path(smtp_sink, officer.email)
    clock.advance(timedelta(minutes=14))
    assert client.get(path).status_code == 200
    clock.advance(timedelta(minutes=2))
    assert client.get(path).status_code == 404
    assert _use(client, path).status_code == 404
    assert _signed_in_as(client) is None


def test_unknown_address_gets_the_same_answer_and_no_mail(client, officer, smtp_sink):
    known = _ask(client, officer.email).get_data(as_text=True)
    unknown = _ask(client, "nobody@example.org").get_data(as_text=True)
    strip = re.compile(r'name="csrf_token"[^>]*>')
    assert strip.sub("", known) == strip.sub("", unknown)
    assert smtp_sink.recipients() == [officer.email]
    assert db.session.scalar(select(Account).where(Account.email == "nobody@example.org")) is None


def test_asking_for_links_is_rate_limited(client, officer, smtp_sink):
    statuses = [_ask(client, officer.email).status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert len(smtp_sink.to(officer.email)) == 10


def test_a_roster_address_without_account_gets_an_account_linked_to_its_record(
    client, group, make_member, smtp_sink
):
    member = make_member(group, "member", email="rosa@example.org", account=False)
    _ask(client, "Rosa@Example.org ")
    path = _mailed_path(smtp_sink, "rosa@example.org")
    page = client.get(path).get_data(as_text=True)
    assert "Set up your account" in page
    assert _use(client, path).status_code == 302
    account = db.session.scalar(select(Account).where(Account.email == "rosa@example.org"))
    assert account is not None and account.password_hash is None
    assert account.email_verified_at is not None
    assert db.session.get(Member, member.id).account_id == account.id
    assert _signed_in_as(client) == "rosa@example.org"
    assert client.get("/profile").status_code == 200
    # Later: a link again (no password was chosen), this time choosing one.
    client.post_form("/signout", {}, page="/profile")
    smtp_sink.clear()
    _ask(client, "rosa@example.org")
    assert (
        _use(client, _mailed_path(smtp_sink, "rosa@example.org"), "rosas-password-1").status_code
        == 302
    )
    client.post_form("/signout", {}, page="/profile")
    client.sign_in("rosa@example.org", "rosas-password-1")


def test_a_record_of_another_account_is_never_relinked(
    app, client, group, make_member, officer, smtp_sink
):
    """A record whose address was edited to someone else's keeps its account; no link, no
    account is made for the address, and a link mailed before the record was taken is refused."""
    other = make_member(group, "member", email="owner@example.org")
    record = make_member(group, "member", email="rosa@example.org", account=False)
    _ask(client, "rosa@example.org")
    path = _mailed_path(smtp_sink, "rosa@example.org")
    record.account_id = other.account_id  # meanwhile linked to another account
    db.session.commit()
    response = _use(client, path)
    assert response.status_code == 400
    assert "belongs to another account" in response.get_data(as_text=True)
    assert db.session.scalar(select(Account).where(Account.email == "rosa@example.org")) is None
    assert db.session.get(Member, record.id).account_id == other.account_id
    assert _signed_in_as(client) is None
    smtp_sink.clear()
    _ask(client, "rosa@example.org")
    assert smtp_sink.recipients() == []


def test_another_groups_roster_is_not_linked_on_the_way(
    app, client, group, make_group, make_member, smtp_sink
):
    bravo = make_group("Bravo", slug="bravo", url="http://bravo.test")
    mine = make_member(group, "member", email="rosa@example.org", account=False)
    theirs = make_member(bravo, "officer", email="rosa@example.org", account=False)
    _ask(client, "rosa@example.org")
    assert _use(client, _mailed_path(smtp_sink, "rosa@example.org")).status_code == 302
    assert db.session.get(Member, mine.id).account_id is not None
    assert db.session.get(Member, theirs.id).account_id is None


def test_a_new_password_kills_outstanding_links(app, client, officer, smtp_sink):
    _ask(client, officer.email)
    path = _mailed_path(smtp_sink, officer.email)
    smtp_sink.clear()
    client.post_form("/reset", {"email": officer.email})
    [mail] = smtp_sink.to(officer.email)
    reset = re.search(r"http://localhost(/reset/\S+)", smtp_sink.body(mail)).group(1)
    new = {"password": "a-brand-new-password", "confirm": "a-brand-new-password"}
    assert client.post_form(reset, new).status_code == 302
    assert app.test_client().get(path).status_code == 404


def test_reset_for_a_roster_address_without_account_mails_a_setup_link(
    client, group, make_member, smtp_sink
):
    member = make_member(group, "member", email="rosa@example.org", account=False)
    client.post_form("/reset", {"email": "rosa@example.org"})
    client.post_form("/reset", {"email": "stranger@example.org"})
    assert smtp_sink.recipients() == ["rosa@example.org"]
    [mail] = smtp_sink.to("rosa@example.org")
    assert "Set up your account" in mail["Subject"]
    path = LINK.search(smtp_sink.body(mail)).group(1)
    assert "Set up your account" in client.get(path).get_data(as_text=True)
    clock.advance(timedelta(minutes=90))  # lives as long as a reset link
    assert _use(client, path, "rosas-password-1").status_code == 302
    account = db.session.scalar(select(Account).where(Account.email == "rosa@example.org"))
    assert db.session.get(Member, member.id).account_id == account.id
    assert check_password_hash(account.password_hash, "rosas-password-1")
    assert account.email_verified_at is not None
    assert _signed_in_as(client) == "rosa@example.org"
