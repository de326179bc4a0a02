"""The union network of a group, members' rep/steward declarations, and union-wide messages."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from node import clock
from node.audit import record
from node.errors import Invalid
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member
from node.organising.messaging import Delivery, message_members
from node.unions.models import REP_ROLES, UnionDetails


@dataclass
class Network:
    total: int = 0
    in_union: int = 0
    by_union: list[tuple[str, int]] = field(default_factory=list)
    by_workplace: list[tuple[str, str, int]] = field(default_factory=list)
    reps: list[tuple[Member, UnionDetails]] = field(default_factory=list)
    sectors: list[tuple[str, int]] = field(default_factory=list)


def active_members(group: Group) -> Select[Member]:
    return select(Member).where(
        Member.group_id == group.id, Member.erased_at.is_(None), Member.status == "active"
    )


def network(group: Group) -> Network:
    members = db.session.scalars(active_members(group)).all()
    net = Network(total=len(members))
    unions: Counter[str] = Counter()
    workplaces: Counter[tuple[str, str]] = Counter()
    for m in members:
        if m.union:
            unions[m.union] += 1
            workplaces[(m.union, m.workplace or "(workplace not given)")] += 1
    net.in_union = sum(unions.values())
    net.by_union = sorted(unions.items(), key=lambda kv: (-kv[1], kv[0]))
    net.by_workplace = sorted(
        ((u, w, n) for (u, w), n in workplaces.items()), key=lambda t: (t[0], -t[2], t[1])
    )
    details = db.session.execute(
        select(Member, UnionDetails)
        .join(UnionDetails, UnionDetails.member_id == Member.id)
        .where(Member.group_id == group.id, Member.erased_at.is_(None))
    ).all()
    net.reps = sorted(((m, d) for m, d in details if d.is_rep), key=lambda t: t[0].name.lower())
    sectors = Counter(d.sector for _, d in details if d.sector)
    net.sectors = sorted(sectors.items(), key=lambda kv: (-kv[1], kv[0]))
    return net


def not_in_union_query(group: Group) -> Select[Member]:
    return (
        active_members(group)
        .where(or_(Member.union.is_(None), Member.union == ""))
        .order_by(func.lower(Member.name), Member.id)
    )


def details_for(member: Member) -> UnionDetails | None:
    return db.session.scalar(select(UnionDetails).where(UnionDetails.member_id == member.id))


def declare(member: Member, sector: str, rep_role: str) -> UnionDetails:
    sector = (sector or "").strip()
    if len(sector) > 120:
        raise Invalid(_("The sector is too long (at most 120 characters)."))
    if rep_role not in REP_ROLES:
        raise Invalid(_("Unknown rep role %(role)s.", role=repr(rep_role)))
    if rep_role and not member.union:
        raise Invalid(_("Add your trade union to your profile before declaring a rep role."))
    details = details_for(member)
    if details is None:
        details = UnionDetails(group_id=member.group_id, member_id=member.id)
        db.session.add(details)
    if rep_role and details.rep_role != rep_role:
        details.rep_since = clock.utcnow_naive()
    if not rep_role:
        details.rep_since = None
    details.sector, details.rep_role = sector or None, rep_role or None
    return details


def message_union(group: Group, union: str, subject: str, body: str, actor: Member) -> Delivery:
    if not union:
        raise Invalid(_("Choose a union."))
    if not subject.strip() or not body.strip():
        raise Invalid(_("A message needs a subject and some text."))
    members = db.session.scalars(active_members(group).where(Member.union == union)).all()
    if not members:
        raise Invalid(_("No active member is in %(union)s.", union=union))
    delivery = message_members(group, members, subject, body, "union")
    record(group, actor, "message-union", union[:200], f"{delivery.sent} sent")
    return delivery


def network_table(group: Group) -> list[list[Any]]:
    rows: list[list[Any]] = [["union", "workplace", "members"]]
    rows += [[u, w, n] for u, w, n in network(group).by_workplace]
    outside = Counter(m.workplace or "" for m in db.session.scalars(not_in_union_query(group)))
    rows += [["(not in a union)", w, n] for w, n in sorted(outside.items())]
    return rows
