"""Received campaigns are described by the group whose campaign it is, never by whoever names
its URL first (issue 13: campaign identity squatting)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from federation import statements as fst
from node.extensions import db
from tests.peering.conftest import Forger, meeting_decision, trust

OWNER, SQUATTER = "http://river.test", "http://squat.test"
CAMPAIGN = OWNER + "/campaigns/clean-the-wey"
DECISION = meeting_decision()


def endorse(forger: Forger, title: str, summary: str, origin: str) -> str:
    seq = len(forger.compacts) + 1
    prev = fst.statement_hash(forger.compacts[-1]) if forger.compacts else None
    body = {
        "campaign": {"id": CAMPAIGN, "title": title, "summary": summary, "origin": origin},
        "decision": DECISION,
    }
    payload = fst.build_payload(
        "campaign-endorsement", forger.issuer, seq, prev, body, issued_at="2025-01-11T10:00:00Z"
    )
    compact = forger.sign(payload)
    forger.compacts.append(compact)
    return compact


def received(group: Any) -> Any:
    from node.campaigns.models import Campaign

    db.session.expire_all()
    return db.session.scalar(
        select(Campaign).where(Campaign.group_id == group.id, Campaign.id_url == CAMPAIGN)
    )


def test_a_squatter_never_names_a_campaign_and_the_owner_takes_over(app, make_group):  # type: ignore[no-untyped-def]
    from node.campaigns import sharing
    from node.peering.ingest import receive

    walton = make_group("Walton", slug="walton", url="http://walton.test")
    owner, squatter = Forger(OWNER), Forger(SQUATTER)
    trust(walton, OWNER, owner.jwk, "River")
    trust(walton, SQUATTER, squatter.jwk, "Squat")

    # The squatter is first to name River's campaign, with its own title and itself as origin.
    report = receive(walton, [endorse(squatter, "Pave the Wey", "Concrete it over.", SQUATTER)])
    assert report.error is None and report.accepted == 1
    assert sharing.sync_received(walton) == 1
    db.session.commit()
    row = received(walton)
    assert row.received and row.title == CAMPAIGN and row.summary == "" and row.origin is None
    assert sharing.endorsers(walton, row) == ["Squat"]  # it may endorse, never define

    # River's own statement takes the metadata over (origin: River itself, whatever it says).
    receive(walton, [endorse(owner, "Clean the Wey", "Stop sewage discharges.", SQUATTER)])
    assert sharing.sync_received(walton) == 0
    db.session.commit()
    row = received(walton)
    assert (row.title, row.summary, row.origin) == (
        "Clean the Wey",
        "Stop sewage discharges.",
        OWNER,
    )

    # Later statements from the squatter change nothing; the owner's newest one wins.
    receive(walton, [endorse(squatter, "Pave the Wey again", "No.", SQUATTER)])
    receive(walton, [endorse(owner, "Clean the River Wey", "Stop sewage discharges.", OWNER)])
    sharing.sync_received(walton)
    db.session.commit()
    row = received(walton)
    assert (row.title, row.origin) == ("Clean the River Wey", OWNER)
    assert sharing.endorsers(walton, row) == ["River", "Squat"]
