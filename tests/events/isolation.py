"""Events, RSVPs and a feed token of one group, for the tenant-isolation walk."""

from __future__ import annotations

from datetime import datetime, timedelta


def populate(group, prefix, people):  # type: ignore[no-untyped-def]
    from node import clock
    from node.events import operations as ops
    from node.extensions import db

    day = clock.today() + timedelta(days=2)
    event = ops.create_event(
        group,
        {
            "title": f"{prefix} Event",
            "kind": "meeting",
            "description": f"{prefix} description",
            "starts_at": datetime(day.year, day.month, day.day, 19),
            "ends_at": datetime(day.year, day.month, day.day, 21),
            "tz": "Europe/London",
            "place": f"{prefix} Hall",
            "capacity": 1,
            "public": False,
        },
        people["officer"],
    )
    going = ops.rsvp(event, people["member"])
    waiting = ops.rsvp(event, people["organiser"])
    token = ops.feed_token(people["member"])
    db.session.commit()
    return [event.id, going.id, waiting.id, token.id]
