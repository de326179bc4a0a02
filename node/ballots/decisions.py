"""From a ballot that passed to signed statements.

A candidate-selection or endorsement ballot whose result passes is a *decision*
(``operations.is_decision``). An officer confirms its publication here, and the group's node signs
it: :func:`publish_decision` sends :data:`node.signals.decision_published` with the elected
candidates (one ``candidate-endorsement`` each) or the campaign (one ``campaign-endorsement``),
and the peering room answers with the statements it signed. The statements, their deliveries to
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

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import update

from node import clock, signals, timefmt
from node.audit import record
from node.ballots import operations as ops
from node.ballots.models import METHODS, THRESHOLDS, Ballot
from node.ballots.spec import (
    FIELDS,
    URL_RE,
    BallotSpec,
    describe_campaign,
    mark_campaign_endorsed,
    validate_subject,
)
from node.errors import Conflict, Invalid
from node.extensions import db
from node.groups.operations import slugify
from node.i18n import DEFAULT_LOCALE, N_, ngettext
from node.members.models import Member
from node.rooms import Endorsable
from node.tenancy import group_url

NOT_SET_UP = N_("Federation is not set up on this node.")


@dataclass
class Details:
    """What the officer supplies on the confirmation page where the ballot lacks it."""

    office: str | None = None
    area: str | None = None
    election_date: date | None = None
    campaign_title: str | None = None
    campaign_summary: str | None = None
    campaign_url: str | None = None


def _chosen_campaign(ballot: Ballot) -> Endorsable | None:
    if ballot.campaign_id is None:
        return None
    return describe_campaign(ballot.group, ballot.campaign_id)


def subject_lines(ballot: Ballot) -> list[tuple[str, str]]:
    """What the ballot decides about, for the ballot page (label, value)."""
    if ballot.kind == "candidate-selection":
        when = timefmt.day(ballot.election_date) if ballot.election_date else None
        pairs = [
            (_("Office or seat"), ballot.office),
            (_("Area"), ballot.area),
            (_("Election"), when),
        ]
        return [(label, value) for label, value in pairs if value]
    if ballot.kind == "endorsement":
        chosen = _chosen_campaign(ballot)
        title = chosen.title if chosen is not None else ballot.campaign_title
        if title:
            return [(_("Campaign"), title)]
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
    voted = _(
        "%(turnout)s of %(electorate)s electors voted",
        turnout=summary["turnout"],
        electorate=summary["electorate"],
    )
    if result.get("quorum_required"):
        voted = _(
            "%(voted)s (quorum %(quorum)s, met)", voted=voted, quorum=result["quorum_required"]
        )
    if ballot.is_motion:
        threshold = _(THRESHOLDS.get(ballot.threshold, ballot.threshold)).lower()
        text = _(
            "Carried by %(yes)s to %(no)s with %(abstain)s abstaining (%(threshold)s needed); "
            "%(voted)s.",
            yes=result.get("yes", 0),
            no=result.get("no", 0),
            abstain=result.get("abstain", 0),
            threshold=threshold,
            voted=voted,
        )
    else:
        text = ngettext(
            "Elected: %(names)s (%(num)s seat, %(method)s); %(voted)s.",
            "Elected: %(names)s (%(num)s seats, %(method)s); %(voted)s.",
            ballot.seats,
            names=", ".join(summary["elected"]),
            method=_(METHODS.get(ballot.method, ballot.method)),
            voted=voted,
        )
    return text[:1000]


def statement_decision(ballot: Ballot) -> dict[str, Any]:
    """The ``decision`` object signed with the statement (schemas/common.json#/$defs/decision)."""
    summary = ops.decision_summary(ballot)
    # Signed once, read by every node and the hub: the summary is in the protocol's language,
    # whatever language the officer's pages are in.
    with force_locale(DEFAULT_LOCALE):
        signed_summary = _summary(ballot, summary)
    result: dict[str, Any] = {"summary": signed_summary}
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
        return Conflict(
            _("This decision has already been signed and published (%(ids)s).", ids=ids)
        )
    if ballot.state == "closed" and not ops.is_decision(ballot):
        return Conflict(_not_passed(ballot))
    if ballot.state == "published" and not ballot.decision_ready:
        return Conflict(_not_passed(ballot))
    if ballot.state not in ("closed", "published"):
        return Conflict(_("Only a closed ballot can become a decision."))
    if not signals.decision_published.has_receivers_for(signals.app_object()):
        return Conflict(_(NOT_SET_UP))
    return None


def _not_passed(ballot: Ballot) -> str:
    if ballot.kind == "motion":
        return _("A plain motion is not published as an endorsement.")
    if ballot.kind == "choice":
        return _("A choice between options is not published as an endorsement.")
    if not (ballot.result or {}).get("quorum_met", True):
        return _("The quorum was not met, so this result cannot be published as a decision.")
    return _("This ballot did not pass, so it cannot be published as a decision.")


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
    spec = BallotSpec(**{name: getattr(ballot, name) for name in FIELDS})
    validate_subject(spec)
    for name in ("office", "area", "campaign_title", "campaign_summary", "campaign_url"):
        setattr(ballot, name, getattr(spec, name))
    described = ballot.campaign_title and ballot.campaign_summary
    if ballot.kind != "candidate-selection" and ballot.campaign_id is None and not described:
        raise Invalid(_("Give the campaign's title and what it is for."))


def _backed(ballot: Ballot) -> dict[str, Any]:
    """What the decision backs, as ``decision_published`` carries it: candidates or a campaign."""
    if ballot.kind != "candidate-selection":
        return {"campaign": campaign_body(ballot)}
    if not (ballot.office and ballot.area and ballot.election_date):
        raise Invalid(_("Give the office or seat, the area and the election date."))
    elected = (ballot.result or {}).get("elected") or []
    return {
        "candidates": [
            signals.Candidate(name, ballot.office, ballot.area, ballot.election_date)
            for name in elected
        ]
    }


def campaign_body(ballot: Ballot) -> Endorsable:
    """The campaign an endorsement ballot is about: one of the group's, or one described on it."""
    chosen = _chosen_campaign(ballot)
    if chosen is not None:
        return chosen
    group = ballot.group
    title = ballot.campaign_title or ""
    url = ballot.campaign_url if URL_RE.match(ballot.campaign_url or "") else None
    return Endorsable(
        title=title,
        summary=ballot.campaign_summary or title,
        id_url=url or group_url(group, f"/campaigns/{slugify(title)}"),
        origin=group.url,
    )


def preview(ballot: Ballot) -> dict[str, Any]:
    """What confirming would sign, for the confirmation page."""
    decision = statement_decision(ballot)
    if ballot.state == "closed":  # publishing the result now makes today the decision date
        decision["decided_on"] = clock.today().isoformat()
    out: dict[str, Any] = {"decision": decision, "candidates": [], "campaign": None}
    if ballot.kind == "candidate-selection":
        out["type"] = "candidate-endorsement"
        out["candidates"] = list((ballot.result or {}).get("elected") or [])
    else:
        out["type"] = "campaign-endorsement"
        if ballot.campaign_id is not None or ballot.campaign_title:
            out["campaign"] = campaign_body(ballot)
    return out


def publish_decision(ballot: Ballot, details: Details, actor: Member | None) -> list[Any]:
    """Sign and append the decision's statements; publishes a closed ballot's result first.

    Never commits. Raises :class:`node.errors.Invalid` or :class:`node.errors.Conflict` (nothing
    to keep: the caller rolls back).
    """
    problem = refusal(ballot)
    if problem is not None:
        raise problem
    if ballot.state == "closed":
        ops.publish_result(ballot, actor)
    _fill(ballot, details)
    backed = _backed(ballot)
    now = clock.utcnow_naive()
    claimed = db.session.scalar(
        update(Ballot)
        .where(
            Ballot.id == ballot.id,
            Ballot.state == "published",
            Ballot.decision_published_at.is_(None),
        )
        .values(decision_published_at=now)
        .returning(Ballot.id)
        .execution_options(synchronize_session=False)
    )
    if claimed is None:
        raise Conflict(_("This decision has already been signed and published."))
    ballot.decision_published_at = now
    group = ballot.group
    decision = statement_decision(ballot)
    try:
        answers = signals.answers(
            signals.decision_published, group=group, decision=decision, actor=actor, **backed
        )
    except LookupError:
        raise Conflict(_(NOT_SET_UP)) from None
    except ValueError as exc:  # the signer refused the statement; its message is safe to show
        raise Invalid(_("The statement could not be signed: %(reason)s", reason=exc)) from None
    rows = [row for answer in answers for row in answer]
    if not rows:
        raise Conflict(_("Nobody was elected, so there is nothing to publish."))
    if ballot.campaign_id is not None:
        mark_campaign_endorsed(group, ballot.campaign_id, now)
    ballot.statement_ids = [row.statement_id for row in rows]
    record(
        group,
        actor,
        "publish-decision",
        f"ballot #{ballot.id}",
        ", ".join(f"statement {row.seq}" for row in rows),
    )
    return rows
