"""Hub rows for the tenant-isolation walk: every hub page must 404 (or refuse) on a group that is
not the hub, and never show another group's data."""

from __future__ import annotations

from datetime import date, datetime


def populate(group, prefix, people):  # type: ignore[no-untyped-def]
    from node.extensions import db
    from node.hub.models import (
        Endorsement,
        EnrolledGroup,
        EnrolmentToken,
        HubCampaign,
        HubCandidate,
    )

    slug = prefix.lower()
    enrolled = EnrolledGroup(
        group_id=group.id,
        url=f"http://{slug}.example/g",
        name=f"{prefix} Enrolled",
        region=f"{prefix} Region",
        area=f"{prefix} Area",
        status="active",
        keys=[],
        inbox="http://x.example/i",
        outbox="http://x.example/o",
        jwks_uri="http://x.example/j",
        statements=1,
        last_seq=1,
        sweep_failures=0,
    )
    token = EnrolmentToken(
        group_id=group.id,
        token_hash=f"{slug:0<64}"[:64],
        name=f"{prefix} T",
        region=f"{prefix} R",
        expires_at=datetime(2099, 1, 1),
    )
    candidate = HubCandidate(
        group_id=group.id,
        key=f"{slug:0<64}"[:64],
        name=f"{prefix} HubCandidate",
        office=f"{prefix} Office",
        area=f"{prefix} Area",
        election_date=date(2026, 5, 7),
        endorsements=1,
    )
    campaign = HubCampaign(
        group_id=group.id,
        key=f"http://{slug}.example/c",
        title=f"{prefix} Camp",
        summary=f"{prefix} summary",
        origin=f"http://{slug}.example/g",
        endorsements=1,
    )
    db.session.add_all([enrolled, token, candidate, campaign])
    db.session.flush()
    endorsement = Endorsement(
        group_id=group.id,
        enrolled_id=enrolled.id,
        statement_id=f"{slug[:8]:0<36}"[:36],
        seq=1,
        kind="candidate",
        subject_id=candidate.id,
        region=f"{prefix} Region",
        method="meeting",
        result=f"{prefix} result",
        decided_on=date(2026, 1, 1),
        issued_at=datetime(2026, 1, 2),
        counted=True,
    )
    db.session.add(endorsement)
    db.session.commit()
    return [enrolled.id, token.id, candidate.id, campaign.id, endorsement.id]
