"""What erasure does to the campaigns room (see node.members.erasure).

Sign-ups for actions still to come are withdrawn; past ones are kept (status and attendance
only) so that action turnouts stay right. Their place among a campaign's organisers is deleted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from node import clock
from node.extensions import db
from node.members.erasure import Hook, Subject, Summary, count
from node.members.models import Member


def _upcoming(member_id: int) -> Any:
    from node.campaigns.models import Action, ActionSignup

    return (
        select(ActionSignup)
        .join(Action)
        .where(
            ActionSignup.member_id == member_id,
            ActionSignup.status == "signed_up",
            Action.starts_at >= clock.utcnow_naive(),
        )
    )


def erase(subject: Subject) -> None:
    from node.campaigns.models import CampaignOrganiser

    for signup in db.session.scalars(_upcoming(subject.member.id)).all():
        signup.status = "withdrawn"
    db.session.execute(
        delete(CampaignOrganiser).where(CampaignOrganiser.member_id == subject.member.id)
    )


def export(member: Member) -> dict[str, Any]:
    from node.campaigns.models import CampaignOrganiser
    from node.campaigns.operations import signups_section

    organising = db.session.scalars(
        select(CampaignOrganiser).where(CampaignOrganiser.member_id == member.id)
    )
    return {
        **signups_section(member),
        "campaigns_organised": [
            {"campaign": o.campaign.title, "since": o.since.isoformat()} for o in organising
        ],
    }


def summary(member: Member) -> Summary:
    from node.campaigns.models import ActionSignup, CampaignOrganiser

    upcoming = len(db.session.scalars(_upcoming(member.id)).all())
    total = count(ActionSignup.member_id == member.id, table=ActionSignup)
    organising = count(CampaignOrganiser.member_id == member.id, table=CampaignOrganiser)
    return [
        (
            "deleted",
            f"{upcoming} sign-up(s) for actions to come (withdrawn) and their place among the "
            f"organisers of {organising} campaign(s).",
        ),
        (
            "kept",
            f"{total - upcoming} past action sign-up(s), status and attendance only, so action "
            "turnouts stay right.",
        ),
    ]


HOOK = Hook(
    room="campaigns",
    tables={
        "action_signups": "upcoming withdrawn; past kept (status, attendance) for turnouts",
        "campaign_organisers": "deleted",
        "campaigns": "kept: who created a campaign points at the nameless placeholder",
    },
    export=export,
    erase=erase,
    summary=summary,
)
