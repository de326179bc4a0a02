"""Finding your own paper in a published ballot by its receipt code, the shortened fingerprints of
the papers list, and a count's fractions shown to the precision its rules use."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from node import clock
from node.extensions import db
from tests.ballots.helpers import make_ballot


@pytest.fixture
def voters(group, make_member):  # type: ignore[no-untyped-def]
    return [make_member(group) for _ in range(4)]


def _published(group, officer, voters, rankings, **overrides):  # type: ignore[no-untyped-def]
    from node.ballots import operations as ops
    from node.ballots.voting import cast_vote

    ballot = make_ballot(group, officer, open_it=True, **overrides)
    receipts = [cast_vote(ballot, m, r) for m, r in zip(voters, rankings, strict=True)]
    with clock.frozen(clock.now() + timedelta(days=4)):
        ops.close_ballot(ballot, officer)
        ops.publish_result(ballot, officer)
    db.session.commit()
    return ballot, receipts


def _find(client, ballot, code, **kwargs):  # type: ignore[no-untyped-def]
    return client.post_form(
        f"/ballots/{ballot.id}/papers/find",
        {"code": code},
        page=f"/ballots/{ballot.id}/papers",
        **kwargs,
    )


def test_a_voter_finds_their_paper_by_the_code_however_it_is_typed(client, group, officer, voters):
    ballot, receipts = _published(group, officer, voters, [[0, 1], [1], [2, 0], [1, 2]])
    client.sign_in(voters[2].email)
    code = receipts[2].code
    for typed in (code, code.lower(), code.replace("-", ""), " ".join(code.lower().split("-"))):
        response = _find(client, ballot, typed)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, typed
        assert 'id="found-preferences">Cat &gt; Ann<' in html
        assert receipts[2].hash in html and f"<strong>{code}</strong>" in html
        assert response.headers["Cache-Control"] == "no-store"
        assert receipts[0].hash not in html  # the paper alone, not the list


def test_a_wrong_or_malformed_code_says_what_to_do_and_a_missing_token_is_refused(
    client, group, officer, voters
):
    ballot, receipts = _published(group, officer, voters[:1], [[0]])
    client.sign_in(voters[0].email)
    other = (
        "ABCD-EFGH-JKLM-NPQR"
        if receipts[0].code != "ABCD-EFGH-JKLM-NPQR"
        else "BCDE-FGHJ-KLMN-PQRS"
    )
    missing = _find(client, ballot, other)
    assert missing.status_code == 404
    assert "No paper with that code in this ballot" in missing.get_data(as_text=True)
    for bad in ("K7QF-2MZD", "", "K7QF-2MZD-8XNE-WB4P-X", "K7QF-2MZD-8XNE-WB4$"):
        response = _find(client, ballot, bad)
        assert response.status_code == 400, bad
        assert "16 letters and digits" in response.get_data(as_text=True)
    no_token = client.post(f"/ballots/{ballot.id}/papers/find", data={"code": receipts[0].code})
    assert no_token.status_code == 400


def test_no_finding_before_publication_nor_in_another_groups_ballot(
    client, group, officer, voters, make_group, make_member
):
    from node.ballots import operations as ops
    from node.ballots.voting import cast_vote

    ballot = make_ballot(group, officer, open_it=True)
    receipt = cast_vote(ballot, voters[0], [0])
    db.session.commit()
    client.sign_in(voters[0].email)
    token = client.csrf_token("/ballots")
    path = f"/ballots/{ballot.id}/papers/find"
    assert client.post(path, data={"csrf_token": token, "code": receipt.code}).status_code == 404
    with clock.frozen(clock.now() + timedelta(days=4)):
        ops.close_ballot(ballot, officer)
    db.session.commit()
    # Closed but not published: members see neither the list nor their paper.
    assert client.get(f"/ballots/{ballot.id}/papers").status_code == 404
    assert client.post(path, data={"csrf_token": token, "code": receipt.code}).status_code == 404

    other = make_group("Bootle", slug="bootle")
    foreign, foreign_receipts = _published(
        other, make_member(other, "officer"), [make_member(other)], [[1]]
    )
    bootle_member = make_member(other, email="m@bootle.example.org")
    bootle = client.application.test_client()
    bootle.sign_in(bootle_member.email, base_url="http://bootle.test")
    assert (
        _find(bootle, foreign, foreign_receipts[0].code, base_url="http://bootle.test").status_code
        == 200
    )
    # The same ballot asked for on this group's site does not exist here.
    response = client.post(
        f"/ballots/{foreign.id}/papers/find",
        data={"csrf_token": token, "code": foreign_receipts[0].code},
    )
    assert response.status_code == 404


def test_the_code_is_never_logged(client, group, officer, voters, caplog):
    ballot, receipts = _published(group, officer, voters[:2], [[0], [1]])
    client.sign_in(voters[0].email)
    code = receipts[0].code
    with caplog.at_level(logging.DEBUG):
        assert _find(client, ballot, code).status_code == 200
        assert _find(client, ballot, code.lower().replace("-", "")).status_code == 200
        _find(client, ballot, code[:-1] + "Z" if code[-1] != "Z" else code[:-1] + "Y")
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for form in (code, code.replace("-", ""), code.lower().replace("-", ""), code[:-1]):
        assert form not in logged and form.lower() not in logged


def test_the_list_shows_preferences_first_and_a_short_fingerprint(client, group, officer, voters):
    ballot, receipts = _published(group, officer, voters[:2], [[0, 2], [1]])
    client.sign_in(voters[0].email)
    html = client.get(f"/ballots/{ballot.id}/papers").get_data(as_text=True)
    digest = receipts[0].hash
    assert (
        '<td data-label="Preferences">Ann &gt; Cat</td><td data-label="Receipt fingerprint">'
        f'<details><summary><code title="{digest}">{digest[:12]}…' in html
    )
    assert html.index("Preferences</th>") < html.index("Receipt fingerprint</th>")
    assert f'action="/ballots/{ballot.id}/papers/find"' in html
    assert 'name="code"' in html and 'autocomplete="off"' in html


def test_results_show_fractions_to_the_rules_precision_and_how_to_recount(
    client, group, officer, make_member
):
    from node.ballots import results

    assert results.figure(1.000000001, "meek-stv") == "1.000000001"
    assert results.figure(3.3333333330000003, "meek-stv") == "3.333333333"
    assert results.figure(0.00001, "scottish-stv") == "0.00001"
    assert results.figure(2.5, "scottish-stv", signed=True) == "+2.50000"
    assert results.figure(-1.0, "meek-stv", signed=True) == "-1"
    assert results.figure(7, "irv") == "7" and results.figure(None, "irv") == ""

    people = [make_member(group) for _ in range(7)]
    rankings = [[0, 1], [0, 1], [0, 2], [0, 2], [1], [2], [3]]
    client.sign_in(people[0].email)
    pages = {}
    for method in ("meek-stv", "scottish-stv"):
        ballot, _ = _published(
            group,
            officer,
            people,
            rankings,
            method=method,
            seats=2,
            options=["Ann", "Bob", "Cat", "Dee"],
        )
        pages[method] = (ballot, client.get(f"/ballots/{ballot.id}/result").get_data(as_text=True))

    meek, meek_html = pages["meek-stv"]
    quotas = [r["quota"] for r in meek.result["rounds"]]
    assert any(not float(q).is_integer() for q in quotas)
    assert 'id="round-quotas"' in meek_html
    for q in quotas:
        assert f'<td class="num">{results.figure(q, "meek-stv")}</td>' in meek_html
    for row in meek.result["rounds"]:  # nine places, where "%+g" showed six (-1.66667)
        for change in row["transfers"].values():
            assert (
                f"<small>({results.figure(change, 'meek-stv', signed=True)})</small>" in meek_html
            )
    assert "(-1.66667)" not in meek_html
    scottish, scottish_html = pages["scottish-stv"]
    # Ann's surplus of 4 - 3 = 1 passes on at 1/4 of a vote a paper: Bob's two give +0.50000.
    assert "(+0.50000)" in scottish_html
    assert f"(quota {scottish.result['quota']})" in scottish_html
    for html, ballot in ((meek_html, meek), (scottish_html, scottish)):
        assert "Check the count yourself" in html
        command = (
            f"commonground tally ballot-{ballot.id}.blt --method {ballot.method} --seats 2 "
            f"--seed {ballot.seed} --json"
        )
        assert f'<code id="recount-command">{command}</code>' in html
        assert f'href="/ballots/{ballot.id}/papers#find"' in html
        assert f'href="/ballots/{ballot.id}/ballots.blt"' in html
