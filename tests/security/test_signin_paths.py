"""Standing test, account takeover (issue 13, findings 1-3): through every path that can sign
someone in, the officer of another group on the same install cannot sign in as the victim nor
change the victim's password.

The paths are found, not remembered: every call of ``node.members.access.sign_in`` in ``node`` is
listed by parsing the source, and the set must equal ``PATHS`` (each with its test below). A new
way of signing in fails this test until it has a takeover test here. Nothing else may put an
account into the session.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from node.extensions import db
from node.members.models import Account
from tests.oidc.conftest import (  # noqa: F401  (fixtures of the national sign-in world)
    _plain_http_test_hosts,
    live_app,
    national_sign_in,
    world,
)
from tests.support.fixtures import PASSWORD

ROOT = Path(__file__).resolve().parents[2] / "node"
ALPHA, BRAVO = "http://alpha.test", "http://bravo.test"
VICTIM = "victim@alpha.example.org"
ATTACKER = "mallory@bravo.example.org"

# (module under node/, function calling sign_in) -> the test that attacks through it
PATHS = {
    ("auth/views.py", "signin"): "test_password",
    ("auth/views.py", "accept_invitation"): "test_invitation",
    ("auth/views.py", "reset"): "test_password_reset",
    ("auth/views.py", "signin_link"): "test_signin_link",
    ("oidc/client_views.py", "callback"): "test_national_sign_in",
}


def _callers() -> set[tuple[str, str]]:
    found = set()
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Call):
                    callee = node.func
                    name = getattr(callee, "id", None) or getattr(callee, "attr", None)
                    if name == "sign_in":
                        found.add((str(path.relative_to(ROOT)), func.name))
    return found


def test_every_sign_in_path_is_attacked_here():
    assert _callers() == set(PATHS), (
        "A new caller of node.members.access.sign_in: add it to PATHS with a takeover test."
    )
    writes = re.compile(r"session\s*\[\s*[\"'](?:account_id|auth_epoch)[\"']\s*\]\s*=")
    elsewhere = [
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*.py")
        if writes.search(p.read_text(encoding="utf-8"))
        and p.relative_to(ROOT) != Path("members/access.py")
    ]
    assert elsewhere == [], "only node.members.access.sign_in may put an account in the session"


# ----------------------------------------------------------------------------- the attacks
@pytest.fixture
def tenants(app, make_group, make_member):  # type: ignore[no-untyped-def]
    alpha = make_group("Alpha", slug="alpha", url=ALPHA)
    bravo = make_group("Bravo", slug="bravo", url=BRAVO)
    victim = make_member(alpha, "officer", email=VICTIM, name="Vera Victim")
    make_member(bravo, "officer", email=ATTACKER, name="Mallory")
    browser = app.test_client()
    browser.sign_in(ATTACKER, base_url=BRAVO)
    return victim, browser


def assert_not_taken_over(app, browser) -> None:  # type: ignore[no-untyped-def]
    for base in (ALPHA, BRAVO):
        page = browser.get("/", base_url=base)
        assert "Vera Victim" not in page.get_data(as_text=True), base
    assert browser.get("/members", base_url=ALPHA).status_code in (302, 403)
    victim = db.session.scalar(select(Account).where(Account.email == VICTIM))
    assert check_password_hash(victim.password_hash, PASSWORD)
    app.test_client().sign_in(VICTIM, base_url=ALPHA)


def test_password(app, tenants):
    _, browser = tenants
    for guess in ("", "password123", PASSWORD.upper(), ATTACKER):
        response = browser.post_form(
            "/signin", {"email": VICTIM, "password": guess}, base_url=ALPHA
        )
        assert response.status_code in (400, 401)
    assert_not_taken_over(app, browser)


def test_invitation(app, tenants, smtp_sink):
    _, browser = tenants
    page = browser.post_form(
        "/members/invite", {"email": VICTIM, "role": "officer"}, base_url=BRAVO
    ).get_data(as_text=True)
    path = re.search(r'value="http://bravo\.test(/invite/[^"]+)"', page).group(1)
    [mail] = smtp_sink.to(VICTIM)
    mailed = re.search(r"(/invite/\S+)", smtp_sink.body(mail)).group(1)
    assert mailed.split("/")[-1] not in page  # the officer never sees the mailed token
    anonymous = app.test_client()
    for client in (browser, anonymous):  # signed in as themselves, and signed out
        for password in ("", "mallorys-password-1"):
            response = client.post_form(
                path,
                {"name": "V", "password": password, "confirm": password},
                page="/signin",
                base_url=BRAVO,
            )
            assert response.status_code == 400
        assert_not_taken_over(app, client)


def test_password_reset(app, tenants, smtp_sink):
    _, browser = tenants
    response = browser.post_form("/reset", {"email": VICTIM}, base_url=BRAVO)
    assert response.status_code == 302
    assert smtp_sink.recipients() == [VICTIM]
    [mail] = smtp_sink.to(VICTIM)
    token = re.search(r"/reset/(\S+)", smtp_sink.body(mail)).group(1)
    assert token not in browser.get("/reset", base_url=BRAVO).get_data(as_text=True)
    # The attacker's own reset link works for the attacker's account only.
    browser.post_form("/reset", {"email": ATTACKER}, base_url=BRAVO)
    [own] = smtp_sink.to(ATTACKER)
    own_path = re.search(r"http://bravo\.test(/reset/\S+)", smtp_sink.body(own)).group(1)
    new = {"password": "mallory-new-password", "confirm": "mallory-new-password"}
    assert browser.post_form(own_path, new, base_url=BRAVO).status_code == 302
    guessed = browser.post_form("/reset/" + "A" * 43, new, page="/reset", base_url=BRAVO)
    assert "not valid" in guessed.get_data(as_text=True)
    assert_not_taken_over(app, browser)


def test_signin_link(app, tenants, make_member, smtp_sink):
    """Mallory asks for sign-in links for the victim's address on both sites, puts the address
    (and that of a neighbour without an account) on Bravo's roster, guesses tokens and uses
    her own link with a password: every link goes only to its address, and the accounts made
    or signed in are never hers."""
    from node.groups.models import Group
    from node.members.models import Member

    _, browser = tenants
    bravo = db.session.scalar(select(Group).where(Group.slug == "bravo"))
    neighbour = "neighbour@alpha.example.org"
    make_member(bravo, "member", email=VICTIM, name="Vera on Bravo", account=False)
    make_member(bravo, "member", email=neighbour, name="Ned", account=False)
    for base in (ALPHA, BRAVO):
        for address in (VICTIM, neighbour):
            page = browser.post_form(
                "/signin/link", {"email": address}, page="/signin", base_url=base
            )
            assert page.status_code == 200
            assert "If that address is known here" in page.get_data(as_text=True)
    assert sorted(set(smtp_sink.recipients())) == [neighbour, VICTIM]
    assert len(smtp_sink.to(neighbour)) == 1  # Alpha's roster does not have Ned: no mail there
    tokens = [
        re.search(r"/signin/link/(\S+)", smtp_sink.body(m)).group(1)
        for address in (VICTIM, neighbour)
        for m in smtp_sink.to(address)
    ]
    for base in (ALPHA, BRAVO):
        for token in tokens:
            assert token not in browser.get("/signin", base_url=base).get_data(as_text=True)
    new = {"password": "mallory-new-password", "confirm": "mallory-new-password"}
    for guess in ("A" * 43, tokens[0][:-2] + "xx"):
        response = browser.post_form("/signin/link/" + guess, new, page="/signin", base_url=BRAVO)
        assert response.status_code == 404
    # Her own link signs in only her own account, and a Bravo link is worthless on Alpha.
    smtp_sink.clear()
    browser.post_form("/signin/link", {"email": ATTACKER}, page="/signin", base_url=BRAVO)
    [own] = smtp_sink.to(ATTACKER)
    own_path = re.search(r"http://bravo\.test(/signin/link/\S+)", smtp_sink.body(own)).group(1)
    assert browser.post_form(own_path, new, page="/signin", base_url=ALPHA).status_code == 404
    assert browser.post_form(own_path, new, page="/signin", base_url=BRAVO).status_code == 302
    assert_not_taken_over(app, browser)
    # Nobody used Ned's link: no account exists for him, and Bravo's records stay unlinked.
    assert db.session.scalar(select(Account).where(Account.email == neighbour)) is None
    linked = db.session.scalars(
        select(Member.account_id).where(
            Member.group_id == bravo.id, Member.email.in_([VICTIM, neighbour])
        )
    ).all()
    assert linked == [None, None]


def test_national_sign_in(app, client, world, make_member):  # noqa: F811
    """Walton's officer holds national identity gita; they put gita's address on the victim's
    record (moving gita's own record aside) and sign in nationally, with and without join
    requests allowed."""
    from node.members import operations as member_ops

    victim = make_member(world["node"], "member", email=VICTIM, name="Vera Victim")
    officer = world["officer"]
    member_ops.update_member(world["gita"], {"email": "gita.old@example.org"}, officer, True)
    member_ops.update_member(victim, {"email": "gita@example.org"}, officer, True)
    db.session.commit()
    for allow_join in (False, True):
        world["conn"].allow_join_requests = allow_join
        db.session.commit()
        national_sign_in(client, world["hub_url"], "gita@example.org")
        page = client.get("/profile", base_url="http://walton.test")
        assert "Vera Victim" not in page.get_data(as_text=True)
        assert page.status_code in (302, 403)
        client.post_form("/signout", {}, page="/signin", base_url="http://walton.test")
    account = db.session.scalar(select(Account).where(Account.email == VICTIM))
    assert check_password_hash(account.password_hash, PASSWORD)
