"""Ballots for the tenant-isolation walk: a draft, an open ballot and a published one per group
(a candidate selection that passed, so its decision confirmation page is walked too)."""

from __future__ import annotations

from datetime import timedelta

from node import clock


def populate(group, prefix, people):  # type: ignore[no-untyped-def]
    from node.ballots import operations as ops
    from node.ballots.voting import cast_vote
    from node.extensions import db
    from tests.ballots.helpers import spec

    officer = people["officer"]
    opts = [f"{prefix} Ann", f"{prefix} Bob", f"{prefix} Cat"]
    text = {
        "title": f"{prefix} ballot",
        "question": f"{prefix} question?",
        "options": opts,
        "office": f"{prefix} office",
        "area": f"{prefix} area",
    }
    draft = ops.create_ballot(group, spec(**text), officer)
    open_ = ops.create_ballot(group, spec(**text), officer)
    ops.schedule_ballot(open_, officer, open_now=True)
    done = ops.create_ballot(group, spec(**text), officer)
    ops.schedule_ballot(done, officer, open_now=True)
    cast_vote(done, people["member"], [0, 1])
    with clock.frozen(clock.now() + timedelta(days=4)):
        ops.close_ballot(done, officer)
        ops.publish_result(done, officer)
    db.session.commit()
    return [draft.id, open_.id, done.id]
