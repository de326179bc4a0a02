"""Selections for the tenant-isolation walk: one with nominations open (a nomination waiting to
be accepted, a valid one with a statement, a pending and an approved question with an answer),
and one closed into a ballot (so its candidate pages and the ballot's links are walked too)."""

from __future__ import annotations

from datetime import timedelta

from node import clock


def populate(group, prefix, people):  # type: ignore[no-untyped-def]
    from node.extensions import db
    from node.selections import balloting, hustings
    from node.selections import operations as ops
    from tests.selections.helpers import spec

    officer, member, organiser = people["officer"], people["member"], people["organiser"]
    text = {"office": f"{prefix} office", "area": f"{prefix} area", "seconders_needed": 0}
    live = ops.open_selection(group, spec(**text), officer)
    waiting = ops.nominate(live, member, organiser.id)
    own = ops.nominate(live, member, member.id)
    ops.write_statement(own, member, f"{prefix} statement")
    pending = hustings.ask(live, organiser, f"{prefix} pending question")
    asked = hustings.ask(live, organiser, f"{prefix} approved question")
    hustings.moderate(live, asked, officer, "approve")
    hustings.answer(live, own, asked, member, f"{prefix} answer")

    closed = ops.open_selection(group, spec(**text, places=1), officer)
    stands = [ops.nominate(closed, m, m.id) for m in (member, organiser, officer)]
    ops.write_statement(stands[0], member, f"{prefix} closed statement")
    db.session.flush()
    with clock.frozen(clock.now() + timedelta(days=2, minutes=5)):
        balloting.close_nominations(closed)
    db.session.commit()
    return [
        live.id,
        closed.id,
        waiting.id,
        own.id,
        pending.id,
        asked.id,
        *(n.id for n in stands),
    ]
