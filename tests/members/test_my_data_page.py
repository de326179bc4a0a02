"""The "My data" page a member can read — profile, membership, consents, sign-ups, votes cast
(that they voted, never how) — with the same data still downloadable as JSON."""

from __future__ import annotations

import json

from node.extensions import db


def test_my_data_reads_as_sections_and_the_json_stays(app, make_group, make_member):
    group = make_group("Alpha", slug="alpha")
    ana = make_member(group, "member", name="Ana Lopez", email="ana@alpha.example.org")
    ana.ward, ana.consent_phone = "Anfield", False
    db.session.commit()
    client = app.test_client()
    client.sign_in(ana.email, base_url=group.url)
    page = client.get("/profile/data", base_url=group.url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for heading in ("Profile", "Membership", "Consents", "Votes cast", "Sign-ups"):
        assert f">{heading}</h2>" in html, heading
    assert "Ana Lopez" in html and "Anfield" in html
    assert "The group may phone or text you</dt><dd>no" in html
    assert "consent_phone" not in html and "ballots_voted_in" not in html  # no raw keys
    assert "How you voted was never linked to you" in html
    # The JSON download is linked from the page and still works at its old address.
    assert 'href="/profile/data.json"' in html
    download = client.get("/profile/data.json", base_url=group.url)
    assert download.mimetype == "application/json"
    assert json.loads(download.data)["member"]["ward"] == "Anfield"
    assert "attachment" in download.headers["Content-Disposition"]


def test_the_page_shows_votes_cast_but_nothing_of_the_vote(app, make_group, make_member):
    from node.members.data_page import readable

    data = {
        "member": {"name": "Ana", "consent_email": True},
        "group": {"name": "Alpha"},
        "ballots_voted_in": [{"ballot": 3, "title": "Chair", "voted_at": "2027-01-02T10:00:00"}],
        "a_new_rooms_records": [{"thing": "kept"}],
    }
    sections = {s.title: s for s in readable(data)}
    [votes] = sections["Votes cast"].parts
    assert votes.columns == ["Ballot", "Title", "Voted at"]
    assert votes.rows[0][1] == "Chair" and "2 Jan 2027" in votes.rows[0][2]
    # A key no section names (a new room's export) is still shown, never dropped.
    assert sections["Everything else"].parts[0].rows == [["kept"]]
