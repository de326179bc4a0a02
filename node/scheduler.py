"""Periodic work that must happen on time without anyone watching (ballots opening and closing,
reminders, federation deliveries and pulls).

Rooms register tasks in ``init_app``; ``commonground worker`` runs :func:`run_due_tasks` in a
loop (and ``--once`` runs it a single time). Each task is a callable taking no argument that does
whatever is due at ``node.clock.now()`` in its own transaction(s) and returns how many things it
did, so the worker can report progress and tests can call it directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    name: str
    run: Callable[[], int]


periodic_tasks: list[Task] = []


def register(name: str, run: Callable[[], int]) -> None:
    if all(task.name != name for task in periodic_tasks):
        periodic_tasks.append(Task(name, run))


def run_due_tasks() -> dict[str, int]:
    """Run every registered task once; one failing task never stops the others."""
    from node.extensions import db

    done: dict[str, int] = {}
    for task in periodic_tasks:
        try:
            done[task.name] = task.run()
        except Exception:  # a worker must survive a bad row; the error is logged with its task
            db.session.rollback()
            log.exception("periodic task %s failed", task.name)
            done[task.name] = -1
    return done
