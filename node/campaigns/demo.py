"""Demo content for ``commonground demo``: a live campaign with actions, events and a programme."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from node import clock
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member


def _at(days: int, hour: int) -> datetime:
    day = clock.today() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0)


def seed(group: Group, rng: random.Random) -> None:
    from node.campaigns import operations as campaigns
    from node.education import operations as education
    from node.events import operations as events

    members = db.session.scalars(
        select(Member).where(Member.group_id == group.id).order_by(Member.id)
    ).all()
    officer = next(m for m in members if m.role == "officer")
    campaign = campaigns.create_campaign(
        group,
        {
            "title": "Save Everton Library",
            "summary": "The council plans to close Everton Library; we want it kept open and staffed.",
            "aims": "Keep the library open five days a week.\nNo volunteers replacing paid staff.",
            "partners": "UNISON Liverpool branch\nFriends of Everton Library\nACORN Liverpool",
        },
        officer,
    )
    for days, title, kind, place, target in (
        (3, "Leaflet Heyworth Street", "leaflet", "Meet outside the library", 12),
        (8, "Pack the council cabinet meeting", "council meeting", "Liverpool Town Hall", 40),
        (21, "Petition to the council", "petition", None, 2000),
    ):
        action = campaigns.add_action(
            campaign,
            {
                "title": title,
                "kind": kind,
                "place": place,
                "target": target,
                "starts_at": _at(days, 11),
                "is_deadline": kind == "petition",
            },
            officer,
        )
        for member in rng.sample(members, 5):
            campaigns.sign_up(action, member)
    programme = education.save_programme(
        group,
        None,
        {
            "title": "Reading group: The Ragged-Trousered Philanthropists",
            "kind": "reading group",
            "description": "Fortnightly, two chapters at a time.",
            "open": True,
        },
        officer,
    )
    education.add_material(
        programme, "The book (Project Gutenberg)", "https://www.gutenberg.org/ebooks/3608"
    )
    for member in rng.sample(members, 6):
        education.enrol(programme, member)
    for days, title, kind, capacity, public, programme_id in (
        (5, "Branch meeting", "meeting", None, True, None),
        (9, "Solidarity at the Merseyrail picket", "picket", None, True, None),
        (12, "Social at the Casa", "social", 30, False, None),
        (14, "Reading group: chapters 1–2", "education", 12, False, programme.id),
    ):
        event = events.create_event(
            group,
            {
                "title": title,
                "kind": kind,
                "starts_at": _at(days, 19),
                "ends_at": _at(days, 21),
                "tz": "Europe/London",
                "place": "Casa, Hope Street",
                "capacity": capacity,
                "public": public,
                "programme_id": programme_id,
            },
            officer,
        )
        for member in rng.sample(members, 6):
            events.rsvp(event, member)
    db.session.flush()
