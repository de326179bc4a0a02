"""State changes for campaigns and actions. Views and the CLI call these; they never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from node import clock
from node.audit import record
from node.campaigns.models import (
    ACTION_KINDS,
    STATUSES,
    Action,
    ActionSignup,
    Campaign,
    CampaignOrganiser,
)
from node.errors import Conflict, Invalid
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member
from node.organising import signups
from node.organising.messaging import Delivery, message_members
from node.organising.times import DEFAULT_TZ, to_utc
from node.tenancy import group_url


def campaign_query(group: Group, q: str = "", status: str = "") -> Select[Campaign]:
    stmt = select(Campaign).where(Campaign.group_id == group.id)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(
            or_(func.lower(Campaign.title).like(like), func.lower(Campaign.summary).like(like))
        )
    if status in STATUSES:
        stmt = stmt.where(Campaign.status == status)
    return stmt.order_by(Campaign.status != "active", Campaign.updated_at.desc(), Campaign.id)


def _text(data: dict[str, Any], key: str, limit: int, required: bool = False) -> str | None:
    value = (data.get(key) or "").strip()
    if required and not value:
        raise Invalid(_("The %(field)s is required.", field=key))
    if len(value) > limit:
        raise Invalid(
            _("The %(field)s is too long (at most %(limit)s characters).", field=key, limit=limit)
        )
    return value or None


def _apply(campaign: Campaign, data: dict[str, Any]) -> None:
    campaign.title = _text(data, "title", 200, required=True) or ""
    campaign.summary = _text(data, "summary", 1000) or ""
    campaign.aims = _text(data, "aims", 10_000)
    campaign.partners = _text(data, "partners", 5000)
    status = data.get("status") or "active"
    if status not in STATUSES:
        raise Invalid(_("Unknown status %(status)s.", status=repr(status)))
    campaign.status = status
    if "public" in data:
        campaign.public = bool(data["public"])


def create_campaign(group: Group, data: dict[str, Any], actor: Member) -> Campaign:
    campaign = Campaign(group_id=group.id, created_by=actor.id, origin=group.url)
    _apply(campaign, data)
    db.session.add(campaign)
    db.session.flush()
    campaign.id_url = group_url(group, f"/campaigns/{campaign.id}")
    db.session.add(
        CampaignOrganiser(group_id=group.id, campaign_id=campaign.id, member_id=actor.id)
    )
    record(group, actor, "create-campaign", f"campaign #{campaign.id}")
    return campaign


def update_campaign(campaign: Campaign, data: dict[str, Any], actor: Member) -> None:
    if campaign.received:
        raise Invalid(_("A campaign received from another group is edited by that group."))
    _apply(campaign, data)
    record(campaign.group, actor, "edit-campaign", f"campaign #{campaign.id}")


def add_organiser(campaign: Campaign, email: str, actor: Member) -> Member:
    email = (email or "").strip().lower()
    member = db.session.scalar(
        select(Member).where(
            Member.group_id == campaign.group_id, Member.email == email, Member.erased_at.is_(None)
        )
    )
    if member is None:
        raise Invalid(_("No member of the group has that e-mail address."))
    if any(o.member_id == member.id for o in campaign.organisers):
        raise Invalid(_("%(name)s already organises this campaign.", name=member.name))
    campaign.organisers.append(
        CampaignOrganiser(group_id=campaign.group_id, member_id=member.id, member=member)
    )
    return member


def parse_local(value: str | datetime | None, tz: str = DEFAULT_TZ) -> datetime:
    if isinstance(value, datetime):
        return to_utc(value, tz)
    try:
        return to_utc(datetime.fromisoformat((value or "").strip()), tz)
    except ValueError as exc:
        raise Invalid(_("Give the date and time as YYYY-MM-DD HH:MM.")) from exc


def add_action(campaign: Campaign, data: dict[str, Any], actor: Member) -> Action:
    if campaign.received:
        raise Invalid(_("Actions of a received campaign are organised by its group."))
    kind = data.get("kind") or "other"
    if kind not in ACTION_KINDS:
        raise Invalid(_("Unknown kind of action %(kind)s.", kind=repr(kind)))
    target = data.get("target")
    if target is not None and (not isinstance(target, int) or not 0 < target <= 100_000):
        raise Invalid(_("The target must be a number of people between 1 and 100000."))
    action = Action(
        group_id=campaign.group_id,
        kind=kind,
        title=_text(data, "title", 200, required=True) or "",
        details=_text(data, "details", 5000),
        starts_at=parse_local(data.get("starts_at")),
        is_deadline=bool(data.get("is_deadline")),
        place=_text(data, "place", 300),
        target=target,
    )
    campaign.actions.append(action)
    db.session.flush()
    record(campaign.group, actor, "add-action", f"action #{action.id}")
    return action


def sign_up(action: Action, member: Member) -> ActionSignup:
    if action.campaign.status != "active":
        raise Conflict(_("This campaign is not taking sign-ups just now."))
    if action.recorded_at is not None:
        raise Conflict(_("This action has already happened."))
    signup = signups.join(
        action.signups,
        member,
        lambda: ActionSignup(group_id=action.group_id, member_id=member.id, member=member),
    )
    signup.status = "signed_up"
    return signup


def withdraw(action: Action, member: Member) -> None:
    signups.withdraw(
        action.signups, member, ("signed_up",), _("You are not signed up for this action.")
    )


def message_signups(action: Action, subject: str, body: str, actor: Member) -> Delivery:
    if not subject.strip() or not body.strip():
        raise Invalid(_("A message needs a subject and some text."))
    members = [s.member for s in action.active_signups]
    group = action.campaign.group
    delivery = message_members(group, members, subject, body, "campaign")
    record(group, actor, "message-action", f"action #{action.id}", f"{delivery.sent} sent")
    return delivery


def record_outcome(action: Action, attended: set[int], outcome: str, actor: Member) -> None:
    """After the action: who turned up (member ids) and what happened."""
    if len(outcome) > 10_000:
        raise Invalid(_("The outcome notes are too long."))
    signups.record_attendance(
        action.signups,
        action.group_id,
        attended,
        lambda member_id: ActionSignup(
            group_id=action.group_id, member_id=member_id, status="signed_up"
        ),
    )
    action.outcome = outcome.strip() or None
    action.recorded_at = clock.utcnow_naive()
    turned_up = f"{len(attended)} turned up"
    record(action.campaign.group, actor, "record-action", f"action #{action.id}", turned_up)


def next_actions(group: Group, limit: int = 5) -> list[Action]:
    now = clock.utcnow_naive()
    return list(
        db.session.scalars(
            select(Action)
            .join(Campaign)
            .where(
                Action.group_id == group.id, Campaign.status == "active", Action.starts_at >= now
            )
            .order_by(Action.starts_at)
            .limit(limit)
        )
    )


def my_signups(member: Member, since: datetime | None = None) -> list[ActionSignup]:
    """The member's sign-ups for actions from ``since`` (default: now) on, soonest first."""
    return list(
        db.session.scalars(
            select(ActionSignup)
            .join(Action)
            .where(
                ActionSignup.member_id == member.id,
                ActionSignup.status == "signed_up",
                Action.starts_at >= (since or clock.utcnow_naive()),
            )
            .order_by(Action.starts_at)
        )
    )


def campaigns_table(group: Group) -> list[list[Any]]:
    rows: list[list[Any]] = [["id", "title", "status", "summary", "partners", "actions", "origin"]]
    rows += [
        [
            c.id,
            c.title,
            c.status,
            c.summary,
            "; ".join(c.partner_list),
            len(c.actions),
            c.origin or "",
        ]
        for c in db.session.scalars(campaign_query(group))
    ]
    return rows


def signups_table(action: Action) -> list[list[Any]]:
    return signups.signups_table(action.signups, "signed_up_at", lambda s: s.created_at)
