"""Demo content for ``commonground demo``: events with RSVPs, one a session of the reading group.

Runs after the other rooms' seeds (``order=60``), so the reading group it links to exists."""

from __future__ import annotations

import random

from node.extensions import db
from node.groups.models import Group
from node.organising.demo import at, people
from node.organising.items import event_links

READING_GROUP = "Reading group"


def seed(group: Group, rng: random.Random) -> None:
    from node.events import operations as events

    members, officer = people(group)
    programmes = [
        i
        for links in event_links(group)
        if links.column == "programme_id"
        for i, title in links.choices
        if title.startswith(READING_GROUP)
    ]
    reading_group = programmes[0] if programmes else None
    for days, title, kind, capacity, public, programme_id in (
        (5, "Branch meeting", "meeting", None, True, None),
        (9, "Solidarity at the Merseyrail picket", "picket", None, True, None),
        (12, "Social at the Casa", "social", 30, False, None),
        (14, f"{READING_GROUP}: chapters 1–2", "education", 12, False, reading_group),
    ):
        event = events.create_event(
            group,
            {
                "title": title,
                "kind": kind,
                "starts_at": at(days, 19),
                "ends_at": at(days, 21),
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
