"""Motions for the tenant-isolation walk: one being voted on (amendment ballot open), one on
the agenda with a post, a reply and an amendment, so every motion route has an object to try."""

from __future__ import annotations


def populate(group, prefix, people):  # type: ignore[no-untyped-def]
    from node.extensions import db
    from node.motions import amending, deciding
    from node.motions import operations as ops

    member, officer, organiser = people["member"], people["officer"], people.get("organiser")
    ops.set_seconders(group, 1, officer)
    made = []
    for n in (1, 2):
        motion = ops.propose(
            group, ops.Proposal(f"{prefix} motion {n}", f"{prefix} text of motion {n}"), member
        )
        ops.second(motion, officer)
        first = ops.post(motion, f"{prefix} post", member)
        reply = ops.post(motion, f"{prefix} reply", organiser or officer, first.id)
        amendment = amending.propose_amendment(
            # adds only figures, so the diff shows no words outside the stored texts
            motion,
            f"{prefix} text of motion {n} (2027)",
            f"{prefix} reason",
            officer,
        )
        made += [motion.id, first.id, reply.id, amendment.id]
    deciding.put_to_vote(motion, 3, None, officer)
    db.session.commit()
    return made
