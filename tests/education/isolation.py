"""Programmes, materials and enrolments of one group, for the tenant-isolation walk."""

from __future__ import annotations


def populate(group, prefix, people):  # type: ignore[no-untyped-def]
    from node.education import operations as ops
    from node.extensions import db

    programme = ops.save_programme(
        group,
        None,
        {
            "title": f"{prefix} Programme",
            "kind": "reading group",
            "description": f"{prefix} description",
        },
        people["officer"],
    )
    material = ops.add_material(programme, f"{prefix} Material", "https://example.org/read")
    enrolment = ops.enrol(programme, people["member"])
    db.session.commit()
    return [programme.id, material.id, enrolment.id]
