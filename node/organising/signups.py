"""Signing up for something, withdrawing, and recording who turned up, for any room's rows.

An item members sign up for (a campaign's action, an event) keeps its sign-up rows in a list;
each row has ``member_id``, ``status`` and ``attended``. Both rooms keep their own tables and
their own statuses (``signed_up``; ``going``/``waitlisted``) and pass the list and a maker of
new rows to these functions, so the rules are written once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from flask_babel import gettext as _

from node.errors import Conflict, Invalid
from node.extensions import db
from node.members.models import Member

WITHDRAWN = "withdrawn"


class Place(Protocol):
    """A member's place on something: a sign-up, an RSVP, an enrolment."""

    member_id: int
    status: str


class SignUp(Place, Protocol):
    """A place whose attendance is recorded afterwards."""

    member: Member
    attended: bool | None


P = TypeVar("P", bound=Place)
S = TypeVar("S", bound=SignUp)


def place_of(places: Iterable[P], member_id: int) -> P | None:
    return next((p for p in places if p.member_id == member_id), None)


def join(places: list[P], member: Member, make: Callable[[], P]) -> P:
    """The member's place (made with ``make`` and added when they have none); status unchanged."""
    place = place_of(places, member.id)
    if place is None:
        place = make()
        places.append(place)
    return place


def withdraw(places: Iterable[P], member: Member, active: Collection[str], refusal: str) -> P:
    """Mark the member's place withdrawn; ``refusal`` (409) when they hold no active place."""
    place = place_of(places, member.id)
    if place is None or place.status not in active:
        raise Conflict(refusal)
    place.status = WITHDRAWN
    return place


def record_attendance(
    signups: list[S], group_id: int, attended: set[int], make: Callable[[int], S]
) -> None:
    """Mark who turned up (member ids); a member who came without signing up gets a row."""
    known = {s.member_id for s in signups}
    for member_id in sorted(attended - known):
        member = db.session.get(Member, member_id)
        if member is None or member.group_id != group_id:
            raise Invalid(_("Attendance can only be recorded for members of the group."))
        signups.append(make(member_id))
    for signup in signups:
        signup.attended = signup.member_id in attended


def signups_table(
    signups: Iterable[S], since: str, when: Callable[[S], datetime]
) -> list[list[Any]]:
    """Who signed up (name, e-mail, status, ``since`` column from ``when``, attended), for CSV."""
    rows: list[list[Any]] = [["name", "email", "status", since, "attended"]]
    for s in signups:
        attended = "" if s.attended is None else ("yes" if s.attended else "no")
        rows.append(
            [
                s.member.name,
                s.member.email or "",
                s.status,
                when(s).isoformat(timespec="minutes"),
                attended,
            ]
        )
    return rows
