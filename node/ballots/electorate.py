"""Who may vote in a ballot, and who has: the live rule before it opens, the frozen list after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select

from node import signals
from node.ballots.models import Ballot, Elector, Participation
from node.extensions import db
from node.members.models import Member


def electorate_query(ballot: Ballot) -> Select[Member]:
    """Who may vote under the ballot's rule (before it opens) — the live roster, not frozen."""
    cutoff = ballot.freeze_on - timedelta(days=ballot.min_days or 0)
    stmt = (
        select(Member)
        .where(
            Member.group_id == ballot.group_id,
            Member.status == "active",
            Member.erased_at.is_(None),
            Member.joined_on <= cutoff,
        )
        .order_by(func.lower(Member.name), Member.id)
    )
    if getattr(ballot, "requires_national_good_standing", False):
        answers = signals.answers(
            signals.electorate_restricted, group_id=ballot.group_id, on=ballot.freeze_on
        )
        good = set().union(*answers)
        stmt = stmt.where(Member.id.in_(good))
    return stmt


def frozen_electorate_query(ballot: Ballot) -> Select[Member]:
    return (
        select(Member)
        .join(Elector, (Elector.member_id == Member.id) & (Elector.ballot_id == ballot.id))
        .where(Elector.group_id == ballot.group_id)
        .order_by(func.lower(Member.name), Member.id)
    )


def electorate_size(ballot: Ballot) -> int:
    if ballot.state != "draft":
        return ballot.electorate_size or 0
    stmt = electorate_query(ballot).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(stmt)) or 0


def is_elector(ballot: Ballot, member: Member) -> bool:
    return (
        db.session.get(Elector, {"ballot_id": ballot.id, "member_id": member.id}) is not None
        and ballot.group_id == member.group_id
    )


@dataclass(frozen=True)
class Standing:
    """A member's place in a ballot, read in one query: on its frozen electorate (and of its
    group), and whether a vote of theirs is stored. A request reads it once and passes it on
    (each query on a busy server is one more wait for the interpreter lock)."""

    elector: bool
    voted: bool

    @classmethod
    def of(cls, ballot: Ballot, member: Member, on_electorate: Any, voted: Any) -> Standing:
        """From the two columns of :func:`standing_columns` as read: an elector only of their
        own group's ballot."""
        return cls(bool(on_electorate) and ballot.group_id == member.group_id, bool(voted))


def voted_column(ballot_id: Any, member_id: Any) -> ColumnElement[bool]:
    """Whether a vote of ``member_id`` in ``ballot_id`` is stored (values or columns of an
    enclosing query)."""
    return exists().where(
        Participation.ballot_id == ballot_id, Participation.member_id == member_id
    )


def standing_columns(
    ballot_id: Any, member_id: Any
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The two facts of :class:`Standing` as columns for ``ballot_id`` and ``member_id`` (values
    or columns of an enclosing query), so a query that loads the ballot can read them too."""
    elector = exists().where(Elector.ballot_id == ballot_id, Elector.member_id == member_id)
    return elector, voted_column(ballot_id, member_id)


def standing(ballot: Ballot, member: Member) -> Standing:
    elector, voted = db.session.execute(select(*standing_columns(ballot.id, member.id))).one()
    return Standing.of(ballot, member, elector, voted)


def has_voted(ballot: Ballot, member: Member) -> Participation | None:
    return db.session.scalar(
        select(Participation).where(
            Participation.ballot_id == ballot.id, Participation.member_id == member.id
        )
    )
