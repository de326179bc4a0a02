"""Wire the education room into the app."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from node.campaigns.setup import _add
    from node.education import erasure as education_erasure
    from node.education import models  # noqa: F401
    from node.education.views import bp
    from node.home import nav_links
    from node.members import erasure

    app.register_blueprint(bp)
    _add(nav_links, ("Education", "education.index", "member"))
    erasure.register(education_erasure.HOOK)
