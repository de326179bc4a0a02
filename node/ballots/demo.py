"""Demo content for ``commonground demo``: a published STV selection and an open motion.

The past ballot is run through the real operations (open, vote, close, publish) with the clock
set back, so the demo shows exactly what a real count looks like, downloads and all.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from node import clock
from node.ballots import operations as ops
from node.ballots.electorate import frozen_electorate_query
from node.ballots.voting import cast_vote
from node.extensions import db
from node.members.models import Member

CANDIDATES = ["Aisha Ahmed", "Declan Byrne", "Priya Patel", "Rory Campbell", "Shona Fraser"]


def seed_ballots(group: Any, rng: random.Random) -> None:
    officer = db.session.scalar(
        select(Member).where(Member.group_id == group.id, Member.role == "officer")
    )
    now = clock.utcnow_naive().replace(second=0, microsecond=0)
    opens = now - timedelta(days=14)
    with clock.frozen(opens + timedelta(minutes=5)):
        past = ops.create_ballot(
            group,
            ops.BallotSpec(
                title="Delegates to the regional committee",
                question="Rank the nominees for our two delegates to the regional committee.",
                kind="candidate-selection",
                method="scottish-stv",
                options=CANDIDATES,
                seats=2,
                opens_at=opens,
                closes_at=opens + timedelta(days=7),
                freeze_on=opens.date() - timedelta(days=1),
                quorum_percent=25,
            ),
            officer,
        )
        ops.schedule_ballot(past, officer)
        for member in db.session.scalars(frozen_electorate_query(past)).all():
            if rng.random() < 0.2:
                continue  # not everyone votes
            order = sorted(range(len(CANDIDATES)), key=lambda i: rng.random() * (i + 1.5))
            cast_vote(past, member, order[: rng.randint(1, len(CANDIDATES))])
    with clock.frozen(past.closes_at):
        ops.close_ballot(past, None)
        ops.publish_result(past, officer)
    motion = ops.create_ballot(
        group,
        ops.BallotSpec(
            title="Back the hospital porters' strike fund",
            question="Should the group donate £250 to the porters' strike fund?",
            kind="motion",
            method="motion",
            opens_at=now,
            closes_at=now + timedelta(days=5),
            freeze_on=now.date() - timedelta(days=1),
            quorum_percent=20,
        ),
        officer,
    )
    ops.schedule_ballot(motion, officer)
    db.session.flush()
