"""Wire the unions room into the app."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from node.campaigns.setup import _add
    from node.home import nav_links
    from node.members import erasure
    from node.unions import erasure as unions_erasure
    from node.unions import models  # noqa: F401
    from node.unions.views import bp

    app.register_blueprint(bp)
    _add(nav_links, ("Unions", "unions.index", "organiser"))
    erasure.register(unions_erasure.HOOK)
