"""Wire the unions room into the app."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from node.campaigns.setup import _add
    from node.home import nav_links
    from node.members.operations import personal_data_sections
    from node.unions import (
        models,  # noqa: F401
        operations,
    )
    from node.unions.views import bp

    app.register_blueprint(bp)
    _add(nav_links, ("Unions", "unions.index", "organiser"))
    _add(personal_data_sections, operations.details_section)
