"""Wire the education room into the app."""

from __future__ import annotations

from flask import Flask

from node.rooms import Rooms


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.education import (
        digest,
        linking,
        models,  # noqa: F401
    )
    from node.education import erasure as education_erasure
    from node.education.demo import seed as seed_demo
    from node.education.views import bp

    app.register_blueprint(bp)
    rooms.nav("Education", "education.index")
    rooms.erasure(education_erasure.HOOK)
    rooms.record_entries.append(linking.record_entries)
    rooms.event_links.append(linking.event_links)
    rooms.demo(seed_demo)
    rooms.digest_sections.append(digest.segments)
