"""State changes for campaigns and actions. Views and the CLI call these; they never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select

from node import clock, csv_export
from node.audit import record
from node.campaigns.messaging import Delivery, message_members
from node.campaigns.models import (
    ACTION_KINDS,
    STATUSES,
    Action,
    ActionSignup,
    Campaign,
    CampaignOrganiser,
)
from node.events.models import DEFAULT_TZ
from node.events.times import to_utc
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member
from node.tenancy import group_url


class CampaignError(ValueError):
    """A change was refused; the message is safe to show."""


def campaign_query(group: Group, q: str = "", status: str = "") -> Select[tuple[Campaign]]:
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
        raise CampaignError(f"The {key} is required.")
    if len(value) > limit:
        raise CampaignError(f"The {key} is too long (at most {limit} characters).")
    return value or None


def _apply(campaign: Campaign, data: dict[str, Any]) -> None:
    campaign.title = _text(data, "title", 200, required=True) or ""
    campaign.summary = _text(data, "summary", 1000) or ""
    campaign.aims = _text(data, "aims", 10_000)
    campaign.partners = _text(data, "partners", 5000)
    status = data.get("status") or "active"
    if status not in STATUSES:
        raise CampaignError(f"Unknown status {status!r}.")
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
        raise CampaignError("A campaign received from another group is edited by that group.")
    _apply(campaign, data)
    record(
        db.session.get(Group, campaign.group_id), actor, "edit-campaign", f"campaign #{campaign.id}"
    )


def add_organiser(campaign: Campaign, email: str, actor: Member) -> Member:
    email = (email or "").strip().lower()
    member = db.session.scalar(
        select(Member).where(
            Member.group_id == campaign.group_id, Member.email == email, Member.erased_at.is_(None)
        )
    )
    if member is None:
        raise CampaignError("No member of the group has that e-mail address.")
    if any(o.member_id == member.id for o in campaign.organisers):
        raise CampaignError(f"{member.name} already organises this campaign.")
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
        raise CampaignError("Give the date and time as YYYY-MM-DD HH:MM.") from exc


def add_action(campaign: Campaign, data: dict[str, Any], actor: Member) -> Action:
    if campaign.received:
        raise CampaignError("Actions of a received campaign are organised by its group.")
    kind = data.get("kind") or "other"
    if kind not in ACTION_KINDS:
        raise CampaignError(f"Unknown kind of action {kind!r}.")
    target = data.get("target")
    if target is not None and (not isinstance(target, int) or not 0 < target <= 100_000):
        raise CampaignError("The target must be a number of people between 1 and 100000.")
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
    record(db.session.get(Group, campaign.group_id), actor, "add-action", f"action #{action.id}")
    return action


def _signup(action: Action, member: Member) -> ActionSignup | None:
    return next((s for s in action.signups if s.member_id == member.id), None)


def sign_up(action: Action, member: Member) -> ActionSignup:
    if action.campaign.status != "active":
        raise CampaignError("This campaign is not taking sign-ups just now.")
    if action.recorded_at is not None:
        raise CampaignError("This action has already happened.")
    signup = _signup(action, member)
    if signup is None:
        signup = ActionSignup(group_id=action.group_id, member_id=member.id, member=member)
        action.signups.append(signup)
    signup.status = "signed_up"
    return signup


def withdraw(action: Action, member: Member) -> None:
    signup = _signup(action, member)
    if signup is None or signup.status != "signed_up":
        raise CampaignError("You are not signed up for this action.")
    signup.status = "withdrawn"


def message_signups(action: Action, subject: str, body: str, actor: Member) -> Delivery:
    if not subject.strip() or not body.strip():
        raise CampaignError("A message needs a subject and some text.")
    members = [s.member for s in action.active_signups]
    group = db.session.get(Group, action.group_id)
    assert group is not None
    delivery = message_members(group, members, subject, body, "campaign")
    record(group, actor, "message-action", f"action #{action.id}", f"{delivery.sent} sent")
    return delivery


def record_outcome(action: Action, attended: set[int], outcome: str, actor: Member) -> None:
    """After the action: who turned up (member ids) and what happened."""
    if len(outcome) > 10_000:
        raise CampaignError("The outcome notes are too long.")
    known = {s.member_id for s in action.signups}
    walk_ins = attended - known
    for member_id in walk_ins:
        member = db.session.get(Member, member_id)
        if member is None or member.group_id != action.group_id:
            raise CampaignError("Attendance can only be recorded for members of the group.")
        action.signups.append(
            ActionSignup(group_id=action.group_id, member_id=member_id, status="signed_up")
        )
    for signup in action.signups:
        signup.attended = signup.member_id in attended
    action.outcome = outcome.strip() or None
    action.recorded_at = clock.utcnow_naive()
    record(
        db.session.get(Group, action.group_id),
        actor,
        "record-action",
        f"action #{action.id}",
        f"{len(attended)} turned up",
    )


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


def my_signups(member: Member) -> list[ActionSignup]:
    return list(
        db.session.scalars(
            select(ActionSignup)
            .join(Action)
            .where(
                ActionSignup.member_id == member.id,
                ActionSignup.status == "signed_up",
                Action.starts_at >= clock.utcnow_naive(),
            )
            .order_by(Action.starts_at)
        )
    )


def campaigns_csv(group: Group) -> str:
    rows: list[list[Any]] = [["id", "title", "status", "summary", "partners", "actions", "origin"]]
    for c in db.session.scalars(campaign_query(group)):
        rows.append(
            [
                c.id,
                c.title,
                c.status,
                c.summary,
                "; ".join(c.partner_list),
                len(c.actions),
                c.origin or "",
            ]
        )
    return csv_export.to_csv(rows)


def signups_csv(action: Action) -> str:
    rows: list[list[Any]] = [["name", "email", "status", "signed_up_at", "attended"]]
    for s in action.signups:
        attended = "" if s.attended is None else ("yes" if s.attended else "no")
        rows.append(
            [
                s.member.name,
                s.member.email or "",
                s.status,
                s.created_at.isoformat(timespec="minutes"),
                attended,
            ]
        )
    return csv_export.to_csv(rows)


def signups_section(member: Member) -> dict[str, Any]:
    """Subject-access export: this member's action sign-ups."""
    rows = db.session.scalars(select(ActionSignup).where(ActionSignup.member_id == member.id))
    return {
        "campaign_actions": [
            {
                "action": s.action.title,
                "status": s.status,
                "attended": s.attended,
                "at": s.action.starts_at.isoformat(),
            }
            for s in rows
        ]
    }
