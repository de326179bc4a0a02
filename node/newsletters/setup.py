"""Wire the newsletters room into the app: pages, nav link, erasure hook, the sending task."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from node import scheduler
    from node.campaigns.setup import _add
    from node.home import nav_links
    from node.members import erasure
    from node.newsletters import erasure as newsletters_erasure
    from node.newsletters import (
        models,  # noqa: F401  (the tables)
        operations,
    )
    from node.newsletters.views import bp

    app.register_blueprint(bp)
    _add(nav_links, ("Newsletters", "newsletters.index", "organiser"))
    erasure.register(newsletters_erasure.HOOK)
    scheduler.register(operations.TASK, operations.send_due)
