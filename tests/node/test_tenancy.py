"""Several groups per install: by Host name, by /g/<slug>/ path prefix, and the single-group case."""

from __future__ import annotations

import pytest

from tests.support.fixtures import CsrfClient


def test_single_group_is_served_whatever_the_host(client, group):
    response = client.get("/signin", base_url="http://203.0.113.9:8000")
    assert response.status_code == 200
    assert group.name in response.get_data(as_text=True)


def test_host_selects_the_group(app, make_group, make_member):
    a = make_group("Anfield Left", slug="anfield", url="http://anfield.example.org")
    b = make_group("Bootle Left", slug="bootle", url="http://bootle.example.org")
    make_member(a, "officer", email="both@example.org", name="Anfield Officer")
    make_member(b, "member", email="both@example.org", name="Bootle Member")
    client = app.test_client()
    client.sign_in("both@example.org", base_url="http://anfield.example.org")
    assert client.get("/members", base_url="http://anfield.example.org").status_code == 200
    # Each domain has its own session; the same person is only a plain member in Bootle.
    assert client.get("/members", base_url="http://bootle.example.org").status_code == 302
    client.sign_in("both@example.org", base_url="http://bootle.example.org")
    assert client.get("/members", base_url="http://bootle.example.org").status_code == 403
    index = client.get("/", base_url="http://unknown.example.org").get_data(as_text=True)
    assert "Anfield Left" in index and "Bootle Left" in index  # the install's list of groups


@pytest.fixture
def path_app(app_config, database, smtp_sink):
    from node import create_app
    from node.extensions import db

    application = create_app({**app_config, "TENANCY": "path", "BASE_URL": "http://localhost"})
    application.test_client_class = CsrfClient
    with application.app_context():
        yield application
        db.session.remove()
        database.truncate(db.engine)
        db.engine.dispose()


def test_path_prefix_selects_the_group_and_links_keep_it(path_app, smtp_sink):
    from node.extensions import db
    from node.groups.models import Group
    from node.groups.operations import create_group
    from node.members.models import Account, Member
    from tests.support.fixtures import _HASH

    for slug in ("anfield", "bootle"):
        create_group(f"{slug.title()} Left", slug=slug)
    db.session.flush()
    account = Account(email="o@example.org", password_hash=_HASH)
    db.session.add(account)
    db.session.flush()
    anfield = db.session.scalar(db.select(Group).where(Group.slug == "anfield"))
    db.session.add(
        Member(
            group_id=anfield.id,
            account_id=account.id,
            email="o@example.org",
            name="O",
            role="officer",
        )
    )
    db.session.commit()
    client = path_app.test_client()
    signin = client.get("/g/anfield/signin")
    assert signin.status_code == 200 and "Anfield Left" in signin.get_data(as_text=True)
    assert 'action="/g/anfield/signout"' not in signin.get_data(as_text=True)
    assert client.get("/g/bootle/signin").get_data(as_text=True).count("Bootle Left") >= 1
    token = client.csrf_token("/g/anfield/signin")
    response = client.post(
        "/g/anfield/signin",
        data={"csrf_token": token, "email": "o@example.org", "password": "correct-horse-battery"},
    )
    assert response.status_code == 302 and response.location == "/g/anfield/"
    roster = client.get("/g/anfield/members").get_data(as_text=True)
    assert 'href="/g/anfield/members/' in roster
    assert client.get("/g/bootle/members").status_code == 403
    # Invitation links carry the group's prefix.
    response = client.post_form(
        "/g/anfield/members/invite", {"email": "new@example.org", "role": "member"}
    )
    assert "http://localhost/g/anfield/invite/" in response.get_data(as_text=True)
