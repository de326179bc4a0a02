"""Demo content for ``commonground demo``: a live campaign with actions and sign-ups."""

from __future__ import annotations

import random

from node.extensions import db
from node.groups.models import Group
from node.organising.demo import at, people


def seed(group: Group, rng: random.Random) -> None:
    from node.campaigns import operations as campaigns

    members, officer = people(group)
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
                "starts_at": at(days, 11),
                "is_deadline": kind == "petition",
            },
            officer,
        )
        for member in rng.sample(members, 5):
            campaigns.sign_up(action, member)
    db.session.flush()
