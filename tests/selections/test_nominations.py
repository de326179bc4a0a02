"""Opening a selection (the timetable checked in order) and its nominations, through the web."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from node import clock
from node.extensions import db
from node.organising.times import to_local
from node.selections.models import Nomination, Selection
from tests.selections.helpers import DAY, Site, make_selection

TIME = "%Y-%m-%dT%H:%M"


@pytest.fixture
def members(group, make_member):  # type: ignore[no-untyped-def]
    return [
        make_member(group, email=f"m{i}@walton.example.org", name=f"Member {i}") for i in range(5)
    ]


def _form(**overrides: str) -> dict[str, str]:
    now = to_local(clock.utcnow_naive())
    at = {
        "nominations_open_at": now,
        "nominations_close_at": now + 2 * DAY,
        "questions_close_at": now + 3 * DAY,
        "answers_due_at": now + 4 * DAY,
        "ballot_opens_at": now + 4 * DAY,
        "ballot_closes_at": now + 7 * DAY,
    }
    form = {name: value.strftime(TIME) for name, value in at.items()}
    form.update(
        office="Surrey County Council",
        area="Walton South",
        election_date=f"{now.year + 1}-05-06",
        places="2",
        self_nomination="y",
        seconders_needed="2",
        min_days="0",
    )
    form.update(overrides)
    return form


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Selection)) or 0


def test_the_timetable_must_run_in_order_and_says_where_it_does_not(app, officer_client):
    form = _form()
    form["questions_close_at"] = (to_local(clock.utcnow_naive()) + DAY).strftime(
        TIME
    )  # before nominations close
    page = officer_client.post_form("/selections/new", form)
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and _count() == 0
    assert 'id="questions_close_at-error"' in html
    assert "Hustings questions close when nominations close or later" in html

    form = _form(ballot_closes_at=_form()["ballot_opens_at"])
    page = officer_client.post_form("/selections/new", form)
    assert page.status_code == 400 and 'id="ballot_closes_at-error"' in page.get_data(as_text=True)
    assert _count() == 0

    done = officer_client.post_form("/selections/new", _form())
    assert done.status_code == 302 and _count() == 1
    selection = db.session.scalar(select(Selection))
    assert (selection.office, selection.places, selection.seconders_needed) == (
        "Surrey County Council",
        2,
        2,
    )
    assert selection.nominations_close_at - selection.nominations_open_at == 2 * DAY


def test_nominate_accept_second_withdraw_and_the_valid_list(app, group, officer, members):
    selection = make_selection(group, officer, seconders_needed=1)
    path = f"/selections/{selection.id}"
    sites = [Site(app, m.email) for m in members[:4]]
    # Member 0 nominates member 1, who must accept; member 2 nominates themself.
    assert sites[0].post(f"{path}/nominate", {"nominee_id": str(members[1].id)}).status_code == 302
    assert sites[2].post(f"{path}/nominate", {"nominee_id": str(members[2].id)}).status_code == 302
    n1, n2 = db.session.scalars(select(Nomination).order_by(Nomination.id)).all()
    assert n1.accepted_at is None and n2.accepted_at is not None
    # Nobody else accepts for member 1; the nominee can.
    assert sites[0].post(f"{path}/nominations/{n1.id}/accept", page=path).status_code == 403
    assert "You have been nominated" in sites[1].get(path).get_data(as_text=True)
    assert sites[1].post(f"{path}/nominations/{n1.id}/accept", page=path).status_code == 302
    # The nominator cannot also second; another member can, once.
    refused = sites[0].post(f"{path}/nominations/{n1.id}/second", page=path)
    assert refused.status_code == 400
    assert sites[3].post(f"{path}/nominations/{n1.id}/second", page=path).status_code == 302
    assert sites[3].post(f"{path}/nominations/{n1.id}/second", page=path).status_code == 409
    # Member 2 withdraws.
    assert sites[2].post(f"{path}/nominations/{n2.id}/withdraw", page=path).status_code == 302
    # Members do not see a valid list before the close; the officers' log shows everything.
    before = sites[3].get(path).get_data(as_text=True)
    assert 'id="candidates"' not in before
    log = Site(app, officer.email).get(f"{path}/nominations").get_data(as_text=True)
    assert "Member 2" in log and "withdrawn" in log and "valid" in log and "Member 3" in log
    assert sites[3].get(f"{path}/nominations").status_code == 403

    clock.advance(2 * DAY + timedelta(minutes=1))
    after = sites[3].get(path).get_data(as_text=True)
    candidates = after[after.index('id="candidates"') :]
    assert "Member 1" in candidates and "Member 2" not in candidates
    # Nothing about a nomination changes after the close.
    late = sites[1].post(f"{path}/nominations/{n1.id}/withdraw", page=path)
    assert late.status_code == 409
    db.session.refresh(n1)
    assert n1.withdrawn_at is None


def test_the_rules_who_may_nominate_and_stand(app, group, officer, members, make_member):
    selection = make_selection(group, officer, self_nomination=False, min_days=30)
    path = f"/selections/{selection.id}"
    old = make_member(
        group, email="old@walton.example.org", name="Old Hand", joined_on=clock.today() - 60 * DAY
    )
    new = Site(app, members[0].email)  # joined today: not in good standing under min_days=30
    refused = new.post(f"{path}/nominate", {"nominee_id": str(old.id)})
    assert refused.status_code == 403
    site = Site(app, old.email)
    own = site.post(f"{path}/nominate", {"nominee_id": str(old.id)})
    assert own.status_code == 400 and "do not allow nominating yourself" in own.get_data(
        as_text=True
    )
    stranger = site.post(f"{path}/nominate", {"nominee_id": str(members[1].id)})
    assert stranger.status_code == 400  # a member not in good standing cannot be nominated
    assert db.session.scalar(select(func.count()).select_from(Nomination)) == 0


def test_statement_is_markdown_made_safe_and_length_limited(app, group, officer, members):
    selection = make_selection(group, officer)
    site = Site(app, members[0].email)
    path = f"/selections/{selection.id}"
    site.post(f"{path}/nominate", {"nominee_id": str(members[0].id)})
    nomination = db.session.scalar(select(Nomination))
    statement = f"{path}/nominations/{nomination.id}/statement"
    too_long = site.post(statement, {"statement": "x" * 5001})
    assert too_long.status_code == 400
    db.session.refresh(nomination)
    assert nomination.statement == ""
    typed = "I **care**.\n\n<script>alert(1)</script> [me](javascript:alert(1))"
    assert site.post(statement, {"statement": typed}).status_code == 302
    html = site.get(f"{path}/candidates/{nomination.id}").get_data(as_text=True)
    assert "<strong>care</strong>" in html
    assert "<script>alert" not in html and 'href="javascript' not in html
    # Another member sees it only once nominations have closed and it stands.
    other = Site(app, members[1].email)
    assert other.get(f"{path}/candidates/{nomination.id}").status_code == 404


def test_another_groups_selection_is_not_found(app, group, officer, make_group, make_member):
    selection = make_selection(group, officer)
    bravo = make_group("Bravo", slug="bravo", url="http://bravo.test")
    outsider = make_member(bravo, "officer", email="o@bravo.example.org")
    site = Site(app, outsider.email, base="http://bravo.test")
    assert site.get(f"/selections/{selection.id}").status_code == 404
    assert re.search(r"Surrey", site.get("/selections").get_data(as_text=True)) is None


def test_officers_can_put_a_selection_right_until_nominations_close(app, group, officer):
    selection = make_selection(group, officer)
    chair = Site(app, officer.email)
    path = f"/selections/{selection.id}/edit"
    form = _form(office="Surrey County Council (by-election)")
    form["nominations_open_at"] = to_local(selection.nominations_open_at).strftime(TIME)
    bad = chair.post(path, {**form, "answers_due_at": form["questions_close_at"]})
    assert bad.status_code == 400 and 'id="answers_due_at-error"' in bad.get_data(as_text=True)
    assert chair.post(path, form).status_code == 302
    db.session.refresh(selection)
    assert selection.office == "Surrey County Council (by-election)"
    clock.advance(2 * DAY + timedelta(minutes=1))
    assert chair.post(path, form).status_code == 409
