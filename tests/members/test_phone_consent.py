"""Phone consent (issue 16): a member's phone number appears in no export, list or screen for
organisers unless they agreed to be phoned. Every GET page of the app is walked as an organiser
(and every page but the member's own record and edit form as an officer), with the rooms'
isolation data so the member appears in events, campaigns, programmes and unions."""

from __future__ import annotations

import importlib
import itertools

import pytest

from node.app import room_names
from node.extensions import db

SECRET_PHONE = "07700 900417"
SHOWN_PHONE = "07700 900888"
OFFICER_ONLY = {"members.show", "members.edit"}  # the record itself, for data-protection requests


@pytest.fixture
def world(app, group, officer, make_member):  # type: ignore[no-untyped-def]
    app.config["WTF_CSRF_ENABLED"] = False
    pat = make_member(group, email="pat@example.org", name="Pat Private", phone=SECRET_PHONE)
    quinn = make_member(
        group, email="quinn@example.org", name="Quinn", phone=SHOWN_PHONE, consent_phone=True
    )
    organiser = make_member(group, "organiser", email="org@example.org", name="Orla")
    people = {"member": pat, "organiser": organiser, "officer": officer}
    ids = [pat.id, quinn.id, organiser.id, officer.id]
    for room in ("members", *room_names()):
        try:
            module = importlib.import_module(f"tests.{room}.isolation")
        except ModuleNotFoundError:
            continue
        ids += module.populate(group, "Seed", people)
    db.session.commit()
    return pat, quinn, organiser, sorted(set(ids))


def _get_pages(app, ids):  # type: ignore[no-untyped-def]
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in (rule.methods or set()):
            continue
        ints = [a for a, c in rule._converters.items() if type(c).__name__ == "IntegerConverter"]
        other = {a: "x" for a in rule.arguments if a not in ints}
        for combo in itertools.islice(itertools.product(*([ids[:8]] * len(ints))), 16):
            values = dict(other, **dict(zip(ints, combo, strict=True)))
            yield rule.endpoint, adapter.build(rule.endpoint, values)


def _walk(app, client, ids, skip=frozenset()):  # type: ignore[no-untyped-def]
    seen = 0
    for endpoint, path in _get_pages(app, ids):
        if endpoint in skip:
            continue
        response = client.get(path)
        body = response.get_data(as_text=True)
        for variant in (SECRET_PHONE, SECRET_PHONE.replace(" ", "")):
            assert variant not in body, f"{path} ({endpoint}) shows a phone without consent"
        seen += response.status_code == 200
    return seen


def test_organisers_never_see_a_phone_without_consent(app, world):
    pat, quinn, organiser, ids = world
    client = app.test_client()
    client.sign_in(organiser.email)
    roster = client.get("/members?q=").get_data(as_text=True)
    assert "Pat Private" in roster  # the walk does reach her
    record = client.get(f"/members/{pat.id}").get_data(as_text=True)
    assert "not shown: has not agreed to be phoned" in record
    assert SHOWN_PHONE in client.get(f"/members/{quinn.id}").get_data(as_text=True)
    assert _walk(app, client, ids) > 20


def test_officers_see_it_only_on_the_record_never_in_lists_or_exports(app, world, officer):
    pat, quinn, _, ids = world
    client = app.test_client()
    client.sign_in(officer.email)
    export = client.get("/members/export.csv").get_data(as_text=True)
    assert SHOWN_PHONE in export and "pat@example.org" in export
    assert SECRET_PHONE not in export
    record = client.get(f"/members/{pat.id}").get_data(as_text=True)
    assert SECRET_PHONE in record and "do not call or text" in record
    assert _walk(app, client, ids, skip=OFFICER_ONLY) > 20


def test_an_export_reimported_keeps_the_hidden_number(app, world, group, officer):
    """The export leaves the cell empty; importing that file back must not wipe the number."""
    from node.members import csv_io
    from node.members.models import Member

    pat = world[0]
    report = csv_io.import_members(group, csv_io.export_members(group).encode(), officer)
    assert not report.errors
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Member, pat.id).phone == SECRET_PHONE
