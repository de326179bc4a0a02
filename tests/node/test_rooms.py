"""Each app has its own room registry and signal receivers: building more apps in one process
(the tests do it hundreds of times; a hub and its nodes in the demo) changes nothing shared."""

from __future__ import annotations

from typing import Any

from flask import Flask

from node import create_app, signals
from node.rooms import rooms_of


def _hooks(app: Flask) -> dict[str, Any]:
    rooms = rooms_of(app)
    receivers = {
        name: len(list(signal.receivers_for(app))) for name, signal in signals.rooms.items()
    }
    return {
        "rooms": list(rooms.names),
        "nav": [(link.label, link.endpoint, link.role) for link in rooms.nav_links],
        "panels": [f"{p.__module__}.{p.__qualname__}" for p in rooms.ordered_panels()],
        "tasks": [task.name for task in rooms.tasks],
        "erasure": [hook.room for hook in rooms.erasure_hooks],
        "seeds": [f"{s.__module__}.{s.__qualname__}" for s in rooms.ordered_demo_seeds()],
        "sections": list(rooms.member_sections),
        "receivers": receivers,
        "context_processors": len(app.template_context_processors[None]),
        "before_request": len(app.before_request_funcs.get(None, [])),
    }


def test_three_apps_have_equal_separate_hooks(app_config: dict[str, Any]) -> None:
    apps = [create_app(dict(app_config)) for _ in range(3)]
    first, *others = [_hooks(app) for app in apps]
    assert all(other == first for other in others)
    assert len(set(first["panels"])) == len(first["panels"]), "a panel registered twice"
    assert len(set(first["nav"])) == len(first["nav"]), "a nav link registered twice"
    assert first["tasks"] and first["erasure"] and first["rooms"]
    # a receiver belongs to the app that connected it
    assert first["receivers"]["group-created"] == 1
    assert first["receivers"]["statements-received"] == 2  # hub aggregates, hub log
    assert rooms_of(apps[0]) is not rooms_of(apps[1])


def test_the_scheduler_panel_comes_first(app: Flask) -> None:
    panels = rooms_of(app).ordered_panels()
    assert panels[0].__module__ == "node.scheduler.setup"
