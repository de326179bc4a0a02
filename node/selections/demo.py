"""Demo content for ``commonground demo``: a council selection with nominations open, three
nominees (one still to accept), seconders, statements and two hustings questions."""

from __future__ import annotations

import random
from datetime import date, timedelta

from node import clock
from node.extensions import db
from node.groups.models import Group
from node.organising.demo import people
from node.selections import hustings
from node.selections import operations as ops
from node.selections.timetable import SelectionSpec

STATEMENTS = (
    "I have lived in the ward for twenty years and organised the **tenants' union** on the "
    "Parkside estate.\n\nMy priorities:\n\n- repairs done on time\n- a bus back to the hospital",
    "I work at the **hospital** and chair our union branch. I want the council to buy local and "
    "pay the real living wage.",
)


def seed(group: Group, rng: random.Random) -> None:
    members, officer = people(group)
    if len(members) < 12:
        return
    now = clock.utcnow_naive().replace(second=0, microsecond=0)
    day = timedelta(days=1)
    selection = ops.open_selection(
        group,
        SelectionSpec(
            office="City Council",
            area="Riverside ward",
            election_date=date(now.year + 1, 5, 6),
            places=2,
            nominations_open_at=now - 2 * day,
            nominations_close_at=now + 5 * day,
            questions_close_at=now + 7 * day,
            answers_due_at=now + 10 * day,
            ballot_opens_at=now + 10 * day,
            ballot_closes_at=now + 17 * day,
            self_nomination=True,
            seconders_needed=2,
        ),
        officer,
    )
    # The demo roster has lapsed and pending members too; only those in good standing take part.
    members = [m for m in members if ops.in_good_standing(selection, m)]
    if len(members) < 12:
        return
    nominees = [m for m in members if m.id != officer.id][:3]
    for n, nominee in enumerate(nominees):
        nominator = nominee if n < 2 else members[-1]
        nomination = ops.nominate(selection, nominator, nominee.id)
        if n < 2:
            ops.write_statement(nomination, nominee, STATEMENTS[n])
            for seconder in rng.sample(list(members[4:11]), 2):
                if seconder.id not in (nominee.id, nominator.id):
                    ops.second(nomination, seconder)
    for asker, text in (
        (members[5], "How will you vote on the housing budget?"),
        (members[6], "What will you do for the bus routes cut last year?"),
    ):
        question = hustings.ask(selection, asker, text)
        hustings.moderate(selection, question, officer, "approve")
    db.session.flush()
