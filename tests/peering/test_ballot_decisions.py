"""Decisions become statements: a ballot that passes, confirmed by an officer, is signed, appended
to the group's chain and queued for its followers — all through the web, on one install where
Shepperton follows Walton over (WSGI) HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from federation import schemas
from federation import statements as fst
from node import clock
from node.ballots.operations import b64url_sha256, to_london
from node.extensions import db
from node.peering import worker
from node.peering.models import Delivery, Statement
from tests.ballots.helpers import ranked_form
from tests.peering.conftest import SHEPPERTON, WALTON, fingerprint

TIME = "%Y-%m-%dT%H:%M"


class Site:
    """A signed-in browser on Walton's site (Host tenancy: every request goes to walton.test)."""

    def __init__(self, app, email: str) -> None:  # type: ignore[no-untyped-def]
        self.client = app.test_client()
        self.client.sign_in(email, base_url=WALTON)

    def get(self, path: str):  # type: ignore[no-untyped-def]
        return self.client.get(path, base_url=WALTON)

    def post(self, path: str, data: dict | None = None, page: str | None = None):  # type: ignore[no-untyped-def]
        return self.client.post_form(path, data or {}, page=page or path, base_url=WALTON)


@pytest.fixture
def people(walton, make_member):  # type: ignore[no-untyped-def]
    return {
        "officer": make_member(walton, "officer", email="officer@walton.example.org"),
        "voters": [make_member(walton, email=f"voter{i}@walton.example.org") for i in range(3)],
    }


@pytest.fixture
def officer(app, people):  # type: ignore[no-untyped-def]
    return Site(app, people["officer"].email)


@pytest.fixture
def voters(app, people):  # type: ignore[no-untyped-def]
    """The three voters, each signed in once (sign-in is rate-limited)."""
    return [Site(app, member.email) for member in people["voters"]]


@pytest.fixture
def follower(app, wsgi, walton, shepperton):  # type: ignore[no-untyped-def]
    """Shepperton follows Walton (fingerprint confirmed): Walton now pushes to it."""
    from node.peering.following import follow_peer

    preview = follow_peer(shepperton, WALTON, fingerprint(walton))
    db.session.commit()
    assert preview.pinned, preview
    return shepperton


def create(officer: Site, **fields: str) -> int:
    """Create a ballot through the officer's form; returns its id."""
    now = to_london(clock.utcnow_naive())
    form = {
        "title": "Council candidate",
        "question": "Who should stand for us in Walton South?",
        "kind": "candidate-selection",
        "method": "irv",
        "options": "Ann Lee\nBob Roy\nCat Sims",
        "seats": "1",
        "opens_at": now.strftime(TIME),
        "closes_at": (now + timedelta(days=3)).strftime(TIME),
        "freeze_on": clock.today().isoformat(),
        "threshold": "simple",
        "office": "Surrey County Council",
        "area": "Walton South",
        "election_date": "2027-05-06",
        "campaign_id": "0",
    }
    form.update(fields)
    response = officer.post("/ballots/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    ballot_id = int(re.search(r"/ballots/(\d+)/", response.headers["Location"]).group(1))
    opened = officer.post(
        f"/ballots/{ballot_id}/open-now",
        {"confirm": "yes"},
        page=f"/ballots/{ballot_id}/electorate",
    )
    assert opened.status_code == 302
    return ballot_id


def vote(voters: list[Site], ballot_id: int, forms: list[dict[str, str]]) -> None:
    for site, form in zip(voters, forms, strict=False):
        response = site.post(f"/ballots/{ballot_id}/vote", form, page=f"/ballots/{ballot_id}")
        assert response.status_code == 201, response.get_data(as_text=True)[:2000]


def close(officer: Site, ballot_id: int) -> None:
    """Move time past the close; the next request's lazy scheduler run closes the ballot."""
    clock.advance(timedelta(days=3, minutes=5))
    page = officer.get(f"/ballots/{ballot_id}/result")
    assert page.status_code == 200 and "Not yet published" in page.get_data(as_text=True)


def ballot_row(ballot_id: int):  # type: ignore[no-untyped-def]
    from node.ballots.models import Ballot

    return db.session.get(Ballot, ballot_id)


def ranked(ballot_id: int, *names: str) -> dict[str, str]:
    return ranked_form(ballot_row(ballot_id), *names)


def own_statements(group) -> list[Statement]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(Statement)
            .where(Statement.group_id == group.id, Statement.issuer == group.url)
            .order_by(Statement.seq)
        )
    )


def test_candidate_selection_becomes_a_signed_endorsement(
    app, runner, officer, voters, walton, follower
):
    ballot_id = create(officer)
    vote(
        voters,
        ballot_id,
        [
            ranked(ballot_id, "Ann Lee", "Bob Roy"),
            ranked(ballot_id, "Ann Lee"),
            ranked(ballot_id, "Cat Sims", "Ann Lee"),
        ],
    )
    show = officer.get(f"/ballots/{ballot_id}").get_data(as_text=True)
    assert "Surrey County Council" in show and "Walton South" in show and "6 May 2027" in show
    close(officer, ballot_id)

    # Publish the result first; the result page then offers the signed endorsement.
    published = officer.post(f"/ballots/{ballot_id}/publish", page=f"/ballots/{ballot_id}/result")
    assert published.status_code == 302
    result_page = officer.get(f"/ballots/{ballot_id}/result").get_data(as_text=True)
    assert "Publish as a signed endorsement" in result_page
    confirm = officer.get(f"/ballots/{ballot_id}/decision")
    html = confirm.get_data(as_text=True)
    ballot = ballot_row(ballot_id)
    assert confirm.status_code == 200 and "Ann Lee" in html and ballot.ballots_hash in html
    assert "Elected: Ann Lee (1 seat, Alternative vote (IRV, one seat)); 3 of 4" in html
    assert own_statements(walton) == []

    done = officer.post(f"/ballots/{ballot_id}/decision")
    assert done.status_code == 302 and done.headers["Location"].endswith("/result")
    rows = own_statements(walton)
    assert [(r.seq, r.type) for r in rows] == [(1, "candidate-endorsement")]
    ballot = ballot_row(ballot_id)
    assert ballot.statement_ids == [rows[0].statement_id]
    assert ballot.decision_published_at is not None
    # The signed body.
    body = rows[0].payload["body"]
    assert (body["candidate"], body["office"], body["area"], body["election_date"]) == (
        "Ann Lee",
        "Surrey County Council",
        "Walton South",
        "2027-05-06",
    )
    decision = body["decision"]
    assert decision["method"] == "irv" and decision["electorate"] == 4
    assert decision["turnout"] == 3 and decision["result"]["seats"] == 1
    assert decision["decided_on"] == ballot.published_at.date().isoformat()
    assert "minute" not in decision

    # It verifies with the protocol library alone, against the JWKS the node serves…
    jwks = officer.get("/federation/jwks.json").get_json()
    outbox = officer.get("/federation/outbox").get_json()
    assert outbox["items"] == [rows[0].compact]
    verified = fst.verify(outbox["items"][0], fst.static_lookup({WALTON: jwks["keys"]}))
    assert verified.payload["body"] == body
    # …and its ballots_hash is the hash of the BLT file anyone can download and recount.
    blt = officer.get(f"/ballots/{ballot_id}/ballots.blt").get_data()
    assert decision["ballots_hash"] == b64url_sha256(blt) == ballot.ballots_hash

    # In the CLI listing, on the result page, and queued for the follower in the same commit.
    listing = runner.invoke(args=["statements", "list", "--group", "walton"])
    assert listing.exit_code == 0 and rows[0].statement_id in listing.output
    assert "candidate-endorsement" in listing.output
    page = voters[0].get(f"/ballots/{ballot_id}/result")
    assert rows[0].statement_id in page.get_data(as_text=True)
    deliveries = db.session.scalars(select(Delivery).where(Delivery.group_id == walton.id)).all()
    assert [(d.destination, d.state) for d in deliveries] == [
        (SHEPPERTON + "/federation/inbox", "pending")
    ]
    worker.deliver_due()
    held = db.session.scalar(
        select(Statement).where(Statement.group_id == follower.id, Statement.issuer == WALTON)
    )
    assert held is not None and held.statement_id == rows[0].statement_id
    assert held.verification == "verified"

    # A second publication is refused, and nothing more is signed.
    again = officer.post(f"/ballots/{ballot_id}/decision", page=f"/ballots/{ballot_id}/result")
    assert again.status_code == 409
    assert "already been signed and published" in again.get_data(as_text=True)
    assert len(own_statements(walton)) == 1


def test_publishing_a_closed_result_and_its_decision_in_one_step(officer, voters, walton):
    """A multi-seat STV selection without an election recorded: the officer gives the missing
    details on the confirmation page; one statement per elected candidate."""
    ballot_id = create(
        officer,
        method="scottish-stv",
        seats="2",
        options="Ann Lee\nBob Roy\nCat Sims\nDee Ray",
        office="",
        area="",
        election_date="",
    )
    vote(
        voters,
        ballot_id,
        [
            ranked(ballot_id, "Ann Lee", "Bob Roy"),
            ranked(ballot_id, "Bob Roy", "Ann Lee"),
            ranked(ballot_id, "Ann Lee", "Cat Sims"),
        ],
    )
    close(officer, ballot_id)
    result_page = officer.get(f"/ballots/{ballot_id}/result").get_data(as_text=True)
    assert "Publish the result and sign it as an endorsement" in result_page
    page = officer.get(f"/ballots/{ballot_id}/decision").get_data(as_text=True)
    assert 'name="office"' in page and 'name="election_date"' in page

    # Missing details: refused with a message, and nothing at all is kept (not even the result).
    refused = officer.post(f"/ballots/{ballot_id}/decision", {"office": "Borough Council"})
    assert refused.status_code == 400
    assert "Give the office or seat, the area and the election date" in refused.get_data(
        as_text=True
    )
    assert ballot_row(ballot_id).state == "closed" and own_statements(walton) == []

    details = {"office": "Elmbridge Borough Council", "area": "Walton North"}
    done = officer.post(f"/ballots/{ballot_id}/decision", details | {"election_date": "2027-05-06"})
    assert done.status_code == 302
    ballot = ballot_row(ballot_id)
    assert ballot.state == "published" and ballot.decision_ready
    assert (ballot.office, ballot.area, str(ballot.election_date)) == (
        "Elmbridge Borough Council",
        "Walton North",
        "2027-05-06",
    )
    rows = own_statements(walton)
    assert [r.payload["body"]["candidate"] for r in rows] == ballot.result["elected"]
    assert len(rows) == 2 and ballot.statement_ids == [r.statement_id for r in rows]
    for row in rows:
        schemas.validate(row.payload)
        decision = row.payload["body"]["decision"]
        assert decision["method"] == "scottish-stv" and decision["result"]["seats"] == 2
        assert decision["decided_on"] == clock.today().isoformat()


def test_endorsement_motion_about_a_campaign(officer, voters, people, walton):
    from node.campaigns.models import Campaign
    from node.campaigns.operations import create_campaign

    campaign = create_campaign(
        walton, {"title": "Save the Lido", "summary": "Keep it open"}, people["officer"]
    )
    db.session.commit()
    ballot_id = create(
        officer,
        title="Endorse Save the Lido?",
        question="Should the group endorse Save the Lido?",
        kind="endorsement",
        method="motion",
        options="",
        campaign_id=str(campaign.id),
    )
    assert "Save the Lido" in officer.get(f"/ballots/{ballot_id}").get_data(as_text=True)
    vote(
        voters,
        ballot_id,
        [{"choice": "yes"}, {"choice": "yes"}, {"choice": "abstain"}],
    )
    close(officer, ballot_id)
    done = officer.post(f"/ballots/{ballot_id}/decision")
    assert done.status_code == 302
    (row,) = own_statements(walton)
    assert row.type == "campaign-endorsement"
    body = row.payload["body"]
    assert body["campaign"] == {
        "id": campaign.id_url,
        "title": "Save the Lido",
        "summary": "Keep it open",
        "origin": WALTON,
    }
    result = body["decision"]["result"]
    assert body["decision"]["method"] == "motion"
    assert result["tallies"] == {"for": 2, "against": 0, "abstain": 1}
    assert result["summary"].startswith("Carried by 2 to 0 with 1 abstaining")
    assert db.session.get(Campaign, campaign.id).endorsed_at is not None
    schemas.validate(row.payload)


def test_free_campaign_on_an_endorsement_ballot(officer, voters, walton):
    ballot_id = create(
        officer,
        title="Back the bus campaign?",
        question="Do we back it?",
        kind="endorsement",
        method="motion",
        options="",
        office="ignored for endorsements",
        campaign_title="Buses for Walton",
        campaign_summary="Restore the 461",
        campaign_url="https://buses.example.org/461",
    )
    assert ballot_row(ballot_id).office is None
    vote(voters, ballot_id, [{"choice": "yes"}, {"choice": "yes"}, {"choice": "no"}])
    close(officer, ballot_id)
    assert officer.post(f"/ballots/{ballot_id}/decision").status_code == 302
    (row,) = own_statements(walton)
    assert row.payload["body"]["campaign"]["id"] == "https://buses.example.org/461"
    assert row.payload["body"]["campaign"]["title"] == "Buses for Walton"


def test_bad_subject_fields_are_refused_at_creation(officer, walton):
    now = to_london(clock.utcnow_naive())
    base = {
        "title": "Endorse?",
        "question": "Endorse?",
        "kind": "endorsement",
        "method": "motion",
        "opens_at": now.strftime(TIME),
        "closes_at": (now + timedelta(days=3)).strftime(TIME),
        "freeze_on": clock.today().isoformat(),
        "threshold": "simple",
        "campaign_id": "0",
    }
    bad_url = officer.post("/ballots/new", base | {"campaign_title": "X", "campaign_url": "ftp:x"})
    assert bad_url.status_code == 400
    assert "must be a web address" in bad_url.get_data(as_text=True)
    no_title = officer.post("/ballots/new", base | {"campaign_summary": "About something"})
    assert no_title.status_code == 400
    from node.ballots.models import Ballot

    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0


def test_refusals_not_passed_motion_and_plain_member(officer, voters, walton):
    # Quorum not met: the result stands, but it is not a decision.
    short = create(officer, quorum="3")
    vote(voters, short, [ranked(short, "Ann Lee"), ranked(short, "Bob Roy")])
    close(officer, short)
    assert "sign it as an endorsement" not in officer.get(f"/ballots/{short}/result").get_data(
        as_text=True
    )
    refused = officer.post(f"/ballots/{short}/decision", page=f"/ballots/{short}/result")
    assert refused.status_code == 409
    assert "quorum was not met" in refused.get_data(as_text=True)
    assert ballot_row(short).state == "closed"
    officer.post(f"/ballots/{short}/publish", page=f"/ballots/{short}/result")
    assert not ballot_row(short).decision_ready
    again = officer.post(f"/ballots/{short}/decision", page=f"/ballots/{short}/result")
    assert again.status_code == 409

    # A failed endorsement motion, and a plain motion that passed: neither is a decision.
    failed = create(officer, kind="endorsement", method="motion", options="", campaign_title="X")
    vote(voters, failed, [{"choice": "no"}, {"choice": "no"}, {"choice": "yes"}])
    plain = create(officer, kind="motion", method="motion", options="")
    vote(voters, plain, [{"choice": "yes"}] * 3)
    close(officer, failed)
    for ballot_id, message in ((failed, "did not pass"), (plain, "plain motion")):
        response = officer.post(
            f"/ballots/{ballot_id}/decision", page=f"/ballots/{ballot_id}/result"
        )
        assert response.status_code == 409 and message in response.get_data(as_text=True)

    # A plain member can neither see nor use the confirmation page.
    member = voters[0]
    passed = create(officer)
    vote(voters, passed, [ranked(passed, "Ann Lee")] * 3)
    close(officer, passed)
    officer.post(f"/ballots/{passed}/publish", page=f"/ballots/{passed}/result")
    assert member.get(f"/ballots/{passed}/decision").status_code == 403
    assert member.post(f"/ballots/{passed}/decision", page=f"/ballots/{passed}").status_code == 403
    assert "signed endorsement" not in member.get(f"/ballots/{passed}/result").get_data(
        as_text=True
    )
    assert own_statements(walton) == []


@pytest.mark.parametrize(
    ("method", "seats", "rankings"),
    [
        ("fptp", 1, [[0], [0], [1]]),
        ("approval", 2, [[0, 1], [0, 2], [1]]),
        ("irv", 1, [[0, 1], [1, 0], [2, 0]]),
        ("scottish-stv", 2, [[0, 1], [0, 2], [1, 0]]),
        ("meek-stv", 2, [[0, 1], [0, 2], [1, 2]]),
    ],
)
def test_decision_block_of_every_method_is_schema_valid(walton, people, method, seats, rankings):
    """Built through the operations (no web): the signed block validates for every method, its
    tallies are whole final votes when there are any, and a ballot method needs its hash."""
    from node.ballots import decisions
    from node.ballots import operations as ops
    from node.ballots.voting import cast_vote
    from tests.ballots.helpers import make_ballot

    officer = people["officer"]
    ballot = make_ballot(
        walton,
        officer,
        open_it=True,
        method=method,
        seats=seats,
        options=["Ann", "Bob", "Cat", "Dee"],
        quorum=2,
        office="Borough Council",
        area="Walton",
        election_date=clock.today() + timedelta(days=90),
    )
    for member, ranking in zip(people["voters"], rankings, strict=True):
        cast_vote(ballot, member, ranking)
    db.session.commit()
    with clock.frozen(ballot.closes_at):
        ops.close_ballot(ballot, officer)
        ops.publish_result(ballot, officer)
        rows = decisions.publish_decision(ballot, decisions.Details(), officer)
        db.session.commit()
    assert [r.payload["body"]["candidate"] for r in rows] == ballot.result["elected"]
    decision = rows[0].payload["body"]["decision"]
    assert decision["method"] == method and decision["ballots_hash"] == ballot.ballots_hash
    assert decision["result"]["seats"] == seats
    assert "quorum 2, met" in decision["result"]["summary"]
    for value in (decision["result"].get("tallies") or {}).values():
        assert isinstance(value, int) and value >= 0
    if method in ("fptp", "approval", "irv"):
        assert decision["result"]["tallies"]
    for row in rows:
        schemas.validate(row.payload)
    broken = dict(rows[0].payload, body=dict(rows[0].payload["body"]))
    broken["body"]["decision"] = dict(decision, ballots_hash=None)
    with pytest.raises(fst.StatementError):
        schemas.validate(broken)
