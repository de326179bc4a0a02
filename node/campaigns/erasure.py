"""What erasure does to the campaigns room (see node.members.erasure).

Sign-ups for actions still to come are withdrawn; past ones are kept (status and attendance
only) so that action turnouts stay right. Their place among a campaign's organisers is deleted.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select

from node.campaigns.models import ActionSignup, CampaignOrganiser
from node.campaigns.operations import my_signups
from node.extensions import db
from node.members.erasure import Hook, Subject, Summary, count
from node.members.models import Member


def erase(subject: Subject) -> None:
    for signup in my_signups(subject.member):
        signup.status = "withdrawn"
    db.session.execute(
        delete(CampaignOrganiser).where(CampaignOrganiser.member_id == subject.member.id)
    )


def export(member: Member) -> dict[str, Any]:
    signups = db.session.scalars(select(ActionSignup).where(ActionSignup.member_id == member.id))
    organising = db.session.scalars(
        select(CampaignOrganiser).where(CampaignOrganiser.member_id == member.id)
    )
    return {
        "campaign_actions": [
            {
                "action": s.action.title,
                "status": s.status,
                "attended": s.attended,
                "at": s.action.starts_at.isoformat(),
            }
            for s in signups
        ],
        "campaigns_organised": [
            {"campaign": o.campaign.title, "since": o.since.isoformat()} for o in organising
        ],
    }


def summary(member: Member) -> Summary:
    upcoming = len(my_signups(member))
    total = count(ActionSignup.member_id == member.id, table=ActionSignup)
    organising = count(CampaignOrganiser.member_id == member.id, table=CampaignOrganiser)
    return [
        (
            "deleted",
            _(
                "%(upcoming)s sign-up(s) for actions to come (withdrawn) and their place among "
                "the organisers of %(organising)s campaign(s).",
                upcoming=upcoming,
                organising=organising,
            ),
        ),
        (
            "kept",
            _(
                "%(num)s past action sign-up(s), status and attendance only, so action turnouts "
                "stay right.",
                num=total - upcoming,
            ),
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
