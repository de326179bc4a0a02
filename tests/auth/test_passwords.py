"""Password storage: new hashes use node.auth.passwords's parameters, older ones keep working and
are replaced on the next good sign-in (nothing else about the account changes), and every
refusal does the same work with the current parameters, whoever the address belongs to."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from node.auth import operations, passwords
from node.extensions import db
from node.members.models import Account
from tests.support.fixtures import PASSWORD

DOCS = Path(__file__).resolve().parents[2] / "docs"
EMAIL = "rosa@walton.example.org"
# Hashes an install may hold: werkzeug's default scrypt (every hash made before the parameters
# were chosen), pbkdf2 (werkzeug's older default), and scrypt with more repetitions.
OLDER = ["scrypt:32768:8:1", "pbkdf2:sha256:1000", "scrypt:4096:8:2"]


@pytest.fixture
def rosa(group, make_member):  # type: ignore[no-untyped-def]
    return make_member(group, email=EMAIL).account


def _stored(account: Account) -> str:
    db.session.expire_all()
    return db.session.get(Account, account.id).password_hash


def _store(account: Account, method: str) -> str:
    stored = generate_password_hash(PASSWORD, method=method)
    db.session.get(Account, account.id).password_hash = stored
    db.session.commit()
    return stored


def _signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    return EMAIL in client.get("/profile").get_data(as_text=True)


def test_parameters_are_the_documented_ones():
    assert passwords.METHOD == "scrypt:8192:8:1"
    for page in ("performance.md", "security.md"):
        assert passwords.METHOD in (DOCS / page).read_text(), page


def test_a_new_password_is_stored_with_the_current_parameters(app, rosa):
    account = db.session.get(Account, rosa.id)
    operations.set_password(account, "a-brand-new-password")
    db.session.commit()
    stored = _stored(rosa)
    assert stored.startswith(passwords.METHOD + "$")
    assert not passwords.needs_rehash(stored)
    assert passwords.password_matches(stored, "a-brand-new-password")


@pytest.mark.parametrize("method", OLDER)
def test_an_older_hash_signs_in_and_is_replaced_without_ending_sessions(app, rosa, method):
    phone = app.test_client()
    phone.sign_in(EMAIL)  # a session made before the upgrade
    old = _store(rosa, method)
    epoch = db.session.get(Account, rosa.id).session_epoch
    assert passwords.needs_rehash(old)

    app.test_client().sign_in(EMAIL)

    new = _stored(rosa)
    assert new != old and new.startswith(passwords.METHOD + "$")
    assert check_password_hash(new, PASSWORD)
    assert db.session.get(Account, rosa.id).session_epoch == epoch
    assert _signed_in(phone)  # a re-hash is not a password change: nobody is signed out
    app.test_client().sign_in(EMAIL)  # and the new hash works
    assert _stored(rosa) == new  # a current hash is not rewritten on every sign-in


def test_a_wrong_password_leaves_an_older_hash_alone(app, rosa):
    old = _store(rosa, "scrypt:32768:8:1")
    response = app.test_client().post_form("/signin", {"email": EMAIL, "password": "not-it-at-all"})
    assert response.status_code == 401
    assert _stored(rosa) == old


@pytest.fixture
def checks(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The method of every stored hash a password is checked against."""
    seen: list[str] = []

    def spy(stored: str, password: str) -> bool:
        seen.append(stored.partition("$")[0])
        return check_password_hash(stored, password)

    monkeypatch.setattr(passwords, "check_password_hash", spy)
    return seen


def test_every_refusal_does_one_check_with_the_current_parameters(
    app, group, make_member, rosa, checks
):
    make_member(group, email="linkonly@walton.example.org").account.password_hash = None
    db.session.commit()
    app.test_client().sign_in(EMAIL)  # upgrades the test account's cheap hash
    checks.clear()
    for email in (EMAIL, "nobody@walton.example.org", "linkonly@walton.example.org"):
        response = app.test_client().post_form(
            "/signin", {"email": email, "password": "not-it-at-all"}
        )
        assert response.status_code == 401, email
    assert checks == [passwords.METHOD] * 3


def test_needs_rehash_reads_the_method_only():
    current = passwords.hash_password("some-password-1")
    assert not passwords.needs_rehash(current)
    assert passwords.needs_rehash(generate_password_hash("some-password-1"))
    assert passwords.needs_rehash(current.replace(passwords.METHOD, "scrypt:8192:8:2", 1))
