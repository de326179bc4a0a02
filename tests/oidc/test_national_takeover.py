"""Issue 13, finding 3: national sign-in signs in only the account linked to that national
identity, or the account whose own address is the hub's verified e-mail — never an account
reached through ``Member.email``, which officers can edit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from node.extensions import db
from node.members.models import Account
from tests.oidc.conftest import NODE_WALTON as NODE
from tests.oidc.conftest import national_sign_in

VICTIM = "vera@walton.example.org"


@pytest.fixture
def victim(world, make_member):  # type: ignore[no-untyped-def]
    return make_member(world["node"], "member", email=VICTIM, name="Vera Victim")


def test_officer_cannot_point_a_member_record_at_their_national_identity(
    client,
    world,
    victim,
):
    """Walton's officer is also national member gita. They move gita's record aside and put
    gita's address on Vera's record, then sign in nationally as gita."""
    officer = client.application.test_client()
    officer.sign_in(world["officer"].email, base_url=NODE)
    for member, email in ((world["gita"], "gita.old@example.org"), (victim, "gita@example.org")):
        form = {
            "name": member.name,
            "email": email,
            "status": "active",
            "role": "member",
            "joined_on": member.joined_on.isoformat(),
        }
        edited = officer.post_form(f"/members/{member.id}/edit", form, base_url=NODE)
        assert edited.status_code == 302, edited.get_data(as_text=True)[-500:]
    response = national_sign_in(client, world["hub_url"], "gita@example.org")
    assert response.status_code == 302 and response.location.endswith("/signin")
    page = client.get("/profile", base_url=NODE)
    assert page.status_code == 302  # nobody signed in, certainly not Vera
    assert "Vera Victim" not in page.get_data(as_text=True)
    db.session.expire_all()
    assert victim.account.email == VICTIM


def claims(subject: str, email: str, verified: bool = True) -> dict:
    return {"sub": subject, "email": email, "email_verified": verified, "membership": {}}


def test_member_email_never_leads_to_its_account(app, world, victim):
    from node.oidc.client import complete_sign_in

    victim.email = "attacker@example.org"  # as an officer could edit it
    db.session.commit()
    world["conn"].allow_join_requests = True
    account, member = complete_sign_in(
        world["node"], world["conn"], claims("attacker-sub", "attacker@example.org")
    )
    assert account.email == "attacker@example.org" and account.id != victim.account_id
    assert member is None  # a join request, not Vera's record


def test_existing_unproven_account_is_not_signed_in(app, world, make_member):
    from node.errors import Forbidden
    from node.oidc.client import complete_sign_in

    made = make_member(world["node"], "member", email="squatted@example.org")
    assert made.account.email_verified_at is None  # e.g. made from a shown invitation link
    with pytest.raises(Forbidden, match="not confirmed"):
        complete_sign_in(world["node"], world["conn"], claims("s-1", "squatted@example.org"))


def test_linked_subject_signs_in_its_own_account(app, world):
    from node.oidc.client import complete_sign_in

    first, member = complete_sign_in(
        world["node"], world["conn"], claims("g-1", "gita@example.org")
    )
    assert member.id == world["gita"].id and first.email == "gita@example.org"
    again, same = complete_sign_in(
        world["node"], world["conn"], claims("g-1", "someone.else@example.org", verified=False)
    )
    assert again.id == first.id and same.id == member.id
    other = db.session.scalar(select(Account).where(Account.email == "someone.else@example.org"))
    assert other is None
