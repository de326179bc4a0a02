"""Demo content for ``commonground demo``: a reading group with its book and members enrolled."""

from __future__ import annotations

import random

from node.extensions import db
from node.groups.models import Group
from node.organising.demo import people


def seed(group: Group, rng: random.Random) -> None:
    from node.education import operations as education

    members, officer = people(group)
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
    db.session.flush()
