"""Queue depth and oldest item per periodic task: every task the rooms register reports both
after a run, and a stuck item shows up, ages with the clock, and goes once it is done."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from node import clock, signals
from node.extensions import db
from node.rooms import rooms_of
from node.scheduler import run_due_tasks
from tests.metrics.conftest import scrape

BACKLOG = "commonground_task_backlog_items"
OLDEST = "commonground_task_backlog_oldest_seconds"


def test_every_registered_task_reports_its_backlog(app, client):
    registered = {task.name for task in rooms_of(app).tasks}
    run_due_tasks()
    page = scrape(client)
    reported = page.label_values(BACKLOG, "task")
    # a task reports under its own name, or under "<name>.<part>" for each part of its work
    # (the federation task delivers and pulls)
    for name in registered:
        parts = {r for r in reported if r == name or r.startswith(f"{name}.")}
        assert parts, f"periodic task {name!r} reports no backlog"
        for part in parts:
            assert page.value(BACKLOG, task=part) == 0 and page.value(OLDEST, task=part) == 0
    assert page.label_values(OLDEST, "task") == reported


def _due_ballot(group: Any, officer: Any) -> None:
    from node.ballots import operations as ops
    from tests.ballots.helpers import make_ballot

    ballot = make_ballot(group, officer, opens_at=clock.utcnow_naive() + timedelta(minutes=1))
    ops.schedule_ballot(ballot, officer)
    db.session.commit()


def test_a_stuck_item_is_counted_ages_and_goes_when_done(app, client, group, officer):
    poisoned = {"on": True}

    def poison(sender: Any, task: str = "", key: str = "", **_: Any) -> None:
        if task == "ballots" and poisoned["on"]:
            raise RuntimeError("poisoned for the test")

    with clock.frozen(clock.now()), signals.item_starting.connected_to(poison, sender=app):
        _due_ballot(group, officer)
        clock.advance(timedelta(minutes=2))  # the ballot is due to open now
        run_due_tasks()
        first = scrape(client)
        assert first.value(BACKLOG, task="ballots") == 1
        assert first.value(OLDEST, task="ballots") == 0  # left for the first time just now

        clock.advance(timedelta(minutes=10))  # past its retry time: tried again, fails again
        run_due_tasks()
        later = scrape(client)
        assert later.value(BACKLOG, task="ballots") == 1
        assert later.value(OLDEST, task="ballots") == 600

        poisoned["on"] = False
        clock.advance(timedelta(minutes=10))
        run_due_tasks()
        done = scrape(client)
    assert done.value(BACKLOG, task="ballots") == 0 and done.value(OLDEST, task="ballots") == 0
    # the task's runs are counted too, and a failing item never fails the whole run
    assert done.value("commonground_task_runs_total", task="ballots", outcome="ok") == 3
