"""Suspending or removing a group at the hub asks first on a page saying what changes; the group's
page shows its times in UK time, not raw timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

from node import clock
from tests.hub.conftest import HUB

WINTER = datetime(2026, 12, 5, 3, 28, 12, 749239, tzinfo=UTC)


def test_remove_is_confirmed_then_done(app, wsgi, hub, enrolled, make_member):  # type: ignore[no-untyped-def]
    from node.extensions import db
    from node.hub.models import EnrolledGroup

    officer = make_member(hub, "officer", email="staff@hub.example.org")
    client = app.test_client()
    client.sign_in(officer.email, base_url=HUB)
    row = db.session.scalars(select_named("Walton")).one()
    row.last_sweep_ok_at = WINTER.replace(tzinfo=None)
    db.session.commit()

    page = client.get(f"/hub/groups/{row.id}", base_url=HUB).get_data(as_text=True)
    assert "Sat 5 Dec 2026, 03:28 (UK time)" in page and ".749239" not in page
    assert f'href="/hub/groups/{row.id}/remove"' in page

    confirm = client.get(f"/hub/groups/{row.id}/remove", base_url=HUB)
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Remove Walton?" in text
    assert "stops trusting Walton" in text and "Nobody is e-mailed" in text
    db.session.refresh(row)
    assert row.status == "active"  # looking is not doing
    assert client.get(f"/hub/groups/{row.id}/explode", base_url=HUB).status_code == 404

    with clock.frozen(WINTER):
        done = client.post_form(
            f"/hub/groups/{row.id}/remove",
            page=f"/hub/groups/{row.id}/remove",
            base_url=HUB,
            follow_redirects=True,
        )
    assert "Walton is now removed. Nobody was e-mailed." in done.get_data(as_text=True)
    db.session.refresh(row)
    assert row.status == "removed" and isinstance(row, EnrolledGroup)


def test_the_public_cannot_reach_the_confirmation(app, wsgi, hub, enrolled):  # type: ignore[no-untyped-def]
    from node.extensions import db

    row = db.session.scalars(select_named("Walton")).one()
    anonymous = app.test_client().get(f"/hub/groups/{row.id}/suspend", base_url=HUB)
    assert anonymous.status_code == 302 and "/signin" in anonymous.headers["Location"]


def select_named(name: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from node.hub.models import EnrolledGroup

    return select(EnrolledGroup).where(EnrolledGroup.name == name)
