"""From a ballot that passed to signed statements: the road between the ballots and federation rooms.

A candidate-selection or endorsement ballot whose result passes is a *decision*
(``operations.is_decision``). An officer confirms its publication here, and the group's node signs
it through ``node.peering.operations``: one ``candidate-endorsement`` per elected candidate,
or one ``campaign-endorsement`` for an endorsement ballot. The statements, their deliveries to
followers and the ballot's record of them are written in the caller's transaction (the
transactional outbox): a refusal anywhere rolls the whole thing back.

Publication happens once. It is *claimed* with a conditional ``UPDATE … WHERE
decision_published_at IS NULL`` (as the lifecycle claims its transitions), so two officers
confirming at the same moment cannot sign the decision twice.

The signed ``decision`` block (``schemas/common.json#/$defs/decision``) is built from
``operations.decision_summary``: method, electorate, turnout, a result summary with the final
tallies where they are whole numbers, and ``ballots_hash``, the unpadded base64url SHA-256 of the
BLT file the node serves, so anyone can download the ballots, check the hash and recount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update

from node import clock
from node.audit import record
from node.ballots import operations as ops
from node.ballots.models import METHODS, THRESHOLDS, Ballot
from node.ballots.spec import URL_RE, BallotError, Conflict
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member
from node.tenancy import group_url


@dataclass
class Details:
    """What the officer supplies on the confirmation page where the ballot lacks it."""

    office: str | None = None
    area: str | None = None
    election_date: date | None = None
    campaign_title: str | None = None
    campaign_summary: str | None = None
    campaign_url: str | None = None


def federation() -> Any | None:
    """``node.peering.operations`` (the peering room publishes decisions)."""
    from node.peering import operations

    return operations


def _campaign(ballot: Ballot) -> Any | None:
    if ballot.campaign_id is None:
        return None
    from node.campaigns.models import Campaign

    return db.session.scalar(
        select(Campaign).where(
            Campaign.group_id == ballot.group_id, Campaign.id == ballot.campaign_id
        )
    )


def campaign_choices(group: Group) -> list[tuple[int, str]]:
    """The group's campaigns (its own and those received from peers) for the ballot form."""
    from node.campaigns.models import Campaign

    rows = db.session.execute(
        select(Campaign.id, Campaign.title, Campaign.received)
        .where(Campaign.group_id == group.id)
        .order_by(Campaign.title, Campaign.id)
        .limit(500)
    ).all()
    return [
        (i, f"{title} (from another group)" if received else title) for i, title, received in rows
    ]


def subject_lines(ballot: Ballot) -> list[tuple[str, str]]:
    """What the ballot decides about, for the ballot page (label, value)."""
    if ballot.kind == "candidate-selection":
        when = ballot.election_date.strftime("%d %B %Y") if ballot.election_date else None
        pairs = [("Office or seat", ballot.office), ("Area", ballot.area), ("Election", when)]
        return [(label, value) for label, value in pairs if value]
    if ballot.kind == "endorsement":
        campaign = _campaign(ballot)
        if campaign is not None:
            return [("Campaign", campaign.title)]
        if ballot.campaign_title:
            return [("Campaign", ballot.campaign_title)]
    return []


# ----------------------------------------------------------------------------- the decision block
def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _tallies(ballot: Ballot, result: dict[str, Any]) -> dict[str, int] | None:
    """Final votes per option: for/against/abstain, or the last round when all are whole votes
    (STV's fractional transfers are left to the round table and a recount of the BLT)."""
    if ballot.is_motion:
        return {
            "for": int(result.get("yes") or 0),
            "against": int(result.get("no") or 0),
            "abstain": int(result.get("abstain") or 0),
        }
    rounds = result.get("rounds") or []
    if not rounds:
        return None
    final = {name: _whole(v) for name, v in (rounds[-1].get("votes") or {}).items()}
    if not final or any(v is None or v < 0 for v in final.values()):
        return None
    return {name: v for name, v in final.items() if v is not None}


def _summary(ballot: Ballot, summary: dict[str, Any]) -> str:
    result = ballot.result or {}
    voted = f"{summary['turnout']} of {summary['electorate']} electors voted"
    if result.get("quorum_required"):
        voted += f" (quorum {result['quorum_required']}, met)"
    if ballot.is_motion:
        threshold = THRESHOLDS.get(ballot.threshold, ballot.threshold).lower()
        text = (
            f"Carried by {result.get('yes', 0)} to {result.get('no', 0)} with "
            f"{result.get('abstain', 0)} abstaining ({threshold} needed); {voted}."
        )
    else:
        seats = f"{ballot.seats} seat{'s' if ballot.seats != 1 else ''}"
        text = (
            f"Elected: {', '.join(summary['elected'])} ({seats}, "
            f"{METHODS.get(ballot.method, ballot.method)}); {voted}."
        )
    return text[:1000]


def statement_decision(ballot: Ballot) -> dict[str, Any]:
    """The ``decision`` object signed with the statement (schemas/common.json#/$defs/decision)."""
    summary = ops.decision_summary(ballot)
    result: dict[str, Any] = {"summary": _summary(ballot, summary)}
    tallies = _tallies(ballot, ballot.result or {})
    if tallies:
        result["tallies"] = tallies
    rounds = len((ballot.result or {}).get("rounds") or [])
    if rounds:
        result["rounds"] = min(rounds, 1000)
    if not ballot.is_motion:
        result["seats"] = ballot.seats
    return {
        "method": summary["method"],
        "electorate": summary["electorate"],
        "turnout": summary["turnout"],
        "result": result,
        "ballots_hash": summary["ballots_hash"],
        "decided_on": summary["decided_on"],
    }


# ----------------------------------------------------------------------------- what is signed
def refusal(ballot: Ballot) -> Conflict | None:
    """Why this ballot cannot be published as a decision now (None: it can)."""
    if ballot.decision_published_at is not None:
        ids = ", ".join(ballot.statement_ids or [])
        return Conflict(f"This decision has already been signed and published ({ids}).")
    if ballot.state == "closed" and not ops.is_decision(ballot):
        return Conflict(_not_passed(ballot))
    if ballot.state == "published" and not ballot.decision_ready:
        return Conflict(_not_passed(ballot))
    if ballot.state not in ("closed", "published"):
        return Conflict("Only a closed ballot can become a decision.")
    if federation() is None:
        return Conflict("Federation is not set up on this node.")
    return None


def _not_passed(ballot: Ballot) -> str:
    if ballot.kind == "motion":
        return "A plain motion is not published as an endorsement."
    if not (ballot.result or {}).get("quorum_met", True):
        return "The quorum was not met, so this result cannot be published as a decision."
    return "This ballot did not pass, so it cannot be published as a decision."


def missing(ballot: Ballot) -> list[str]:
    """The detail fields the confirmation page must ask for (the ballot lacks them)."""
    if ballot.kind == "candidate-selection":
        return [f for f in ("office", "area", "election_date") if not getattr(ballot, f)]
    if ballot.kind == "endorsement" and ballot.campaign_id is None and not ballot.campaign_title:
        return ["campaign_title", "campaign_summary", "campaign_url"]
    if ballot.kind == "endorsement" and ballot.campaign_id is None and not ballot.campaign_summary:
        return ["campaign_summary"]
    return []


def _fill(ballot: Ballot, details: Details) -> None:
    """Complete the ballot with what the officer supplied (only where it was missing)."""
    for name in missing(ballot):
        value = getattr(details, name)
        if isinstance(value, str):
            value = value.strip() or None
        setattr(ballot, name, value)
    spec = ops.BallotSpec(
        title=ballot.title,
        question=ballot.question,
        kind=ballot.kind,
        method=ballot.method,
        opens_at=ballot.opens_at,
        closes_at=ballot.closes_at,
        freeze_on=ballot.freeze_on,
        office=ballot.office,
        area=ballot.area,
        election_date=ballot.election_date,
        campaign_id=ballot.campaign_id,
        campaign_title=ballot.campaign_title,
        campaign_summary=ballot.campaign_summary,
        campaign_url=ballot.campaign_url,
    )
    from node.ballots.spec import validate_subject

    validate_subject(spec)
    for name in ("office", "area", "campaign_title", "campaign_summary", "campaign_url"):
        setattr(ballot, name, getattr(spec, name))
    if ballot.kind == "candidate-selection":
        if not (ballot.office and ballot.area and ballot.election_date):
            raise BallotError("Give the office or seat, the area and the election date.")
    elif ballot.campaign_id is None and not (ballot.campaign_title and ballot.campaign_summary):
        raise BallotError("Give the campaign's title and what it is for.")


def campaign_body(ballot: Ballot, group: Group) -> dict[str, Any]:
    """The campaign an endorsement ballot is about, as ``publish_campaign_endorsement`` takes it."""
    campaign = _campaign(ballot)
    if campaign is not None:
        return {
            "id_url": campaign.id_url or group_url(group, f"/campaigns/{campaign.id}"),
            "title": campaign.title,
            "summary": (campaign.summary or campaign.title)[:2000],
            "origin": campaign.origin or group.url,
        }
    title = ballot.campaign_title or ""
    from node.groups.operations import slugify

    url = ballot.campaign_url if URL_RE.match(ballot.campaign_url or "") else None
    return {
        "id_url": url or group_url(group, f"/campaigns/{slugify(title)}"),
        "title": title,
        "summary": ballot.campaign_summary or title,
        "origin": group.url,
    }


def preview(ballot: Ballot) -> dict[str, Any]:
    """What confirming would sign, for the confirmation page."""
    decision = statement_decision(ballot)
    if ballot.state == "closed":  # publishing the result now makes today the decision date
        decision["decided_on"] = clock.today().isoformat()
    group = db.session.get(Group, ballot.group_id)
    assert group is not None
    out: dict[str, Any] = {"decision": decision, "candidates": [], "campaign": None}
    if ballot.kind == "candidate-selection":
        out["type"] = "candidate-endorsement"
        out["candidates"] = list((ballot.result or {}).get("elected") or [])
    else:
        out["type"] = "campaign-endorsement"
        if ballot.campaign_id is not None or ballot.campaign_title:
            out["campaign"] = campaign_body(ballot, group)
    return out


def publish_decision(ballot: Ballot, details: Details, actor: Member | None) -> list[Any]:
    """Sign and append the decision's statements; publishes a closed ballot's result first.

    Never commits. Raises :class:`BallotError` (nothing to keep: the caller rolls back).
    """
    problem = refusal(ballot)
    if problem is not None:
        raise problem
    fed = federation()
    if ballot.state == "closed":
        ops.publish_result(ballot, actor)
    _fill(ballot, details)
    now = clock.utcnow_naive()
    claimed = db.session.execute(
        update(Ballot)
        .where(
            Ballot.id == ballot.id,
            Ballot.state == "published",
            Ballot.decision_published_at.is_(None),
        )
        .values(decision_published_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Conflict("This decision has already been signed and published.")
    ballot.decision_published_at = now
    group = db.session.get(Group, ballot.group_id)
    assert group is not None and fed is not None
    decision = statement_decision(ballot)
    try:
        if ballot.kind == "candidate-selection":
            rows = [
                fed.endorse_candidate(
                    group,
                    name,
                    ballot.office or "",
                    ballot.area or "",
                    ballot.election_date,
                    decision,
                    actor,
                )
                for name in (ballot.result or {}).get("elected") or []
            ]
        else:
            body = campaign_body(ballot, group)
            rows = [fed.publish_campaign_endorsement(group, body, decision, actor)]
            campaign = _campaign(ballot)
            if campaign is not None:
                campaign.endorsed_at = now
    except fed.PublishError as exc:
        raise BallotError(f"The statement could not be signed: {exc}") from None
    if not rows:
        raise Conflict("Nobody was elected, so there is nothing to publish.")
    ballot.statement_ids = [row.statement_id for row in rows]
    record(
        group,
        actor,
        "publish-decision",
        f"ballot #{ballot.id}",
        ", ".join(f"statement {row.seq}" for row in rows),
    )
    return rows
