"""Events one room announces and others act on, as blinker signals (the library Flask uses).

A sender passes the app as ``sender`` (the real app object, :func:`app_object`) and the facts as
keyword arguments; a room connects its receivers in its ``init_app`` with ``sender=app``, so each
app built in a process has its own receivers and nothing accumulates at module level. A room that
sends never imports a room that listens. Who sends and who listens is drawn in
``docs/architecture.md``.

A signal whose receivers answer (``decision_published`` returns the statements it signed,
``electorate_restricted`` the members it allows) is read with :func:`answers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from blinker import NamedSignal, Namespace
from flask import Flask
from flask.globals import app_ctx

rooms = Namespace()

#: A group was created (``group``). Peering makes its signing key.
group_created: NamedSignal = rooms.signal("group-created")

#: A group decided to back candidates or a campaign (``group``, ``decision``, ``actor``, and
#: ``candidates``: a list of :class:`Candidate`, or ``campaign``: a ``node.rooms.Endorsable``);
#: the listener signs and publishes the statements and returns their rows.
decision_published: NamedSignal = rooms.signal("decision-published")


@dataclass(frozen=True)
class Candidate:
    """An elected candidate a group's decision backs: for which office, where and when."""

    name: str
    office: str
    area: str
    election_date: date


#: Verified statements from one holder were stored (``holder``, ``statements``).
statements_received: NamedSignal = rooms.signal("statements-received")

#: The inbox asks where the statements of a request are in the holder's transparency log
#: (``holder``, ``compacts``); the hub answers ``{statement id: leaf index}`` for those logged.
#: No answer (an ordinary node): the inbox's response says nothing about a log.
log_positions: NamedSignal = rooms.signal("log-positions")

#: Peering asks whether a hub the group joined vouches for a key (``group_id``, ``url``,
#: ``thumbprint``); the hub room answers from its signed registry. No answer: not vouched.
key_vouched: NamedSignal = rooms.signal("key-vouched")

#: The scheduler is about to work on one item of a periodic task (``task``, ``key``), inside that
#: item's protection: a receiver that raises fails that item only. Nothing listens in production;
#: the standing test of periodic work (tests/security/test_periodic_tasks.py) poisons items.
item_starting: NamedSignal = rooms.signal("item-starting")

#: A run of a periodic task went through its due items (``task``, ``left``: the keys of the items
#: still due after it: failed, waiting for a retry, given up, or held by another worker). The
#: operator's metrics (node.metrics) turn it into a queue depth and the age of the oldest item.
task_backlog: NamedSignal = rooms.signal("task-backlog")

#: A ballot restricted to national good standing asks who qualifies (``group_id``, ``on``); the
#: listener returns the ids of the group's members in good standing on that date.
electorate_restricted: NamedSignal = rooms.signal("electorate-restricted")


def app_object() -> Flask:
    """The real app behind ``current_app`` (blinker compares senders by identity)."""
    return app_ctx.app


def send(signal: NamedSignal, **facts: Any) -> list[Any]:
    """Send ``signal`` from the current app; returns what the receivers returned."""
    return [answer for _, answer in signal.send(app_object(), **facts)]


def answers(signal: NamedSignal, **facts: Any) -> list[Any]:
    """Like :func:`send`, but a signal nobody listens to is a mistake, not an empty answer."""
    if not signal.has_receivers_for(app_object()):
        raise LookupError(f"nothing on this node answers {signal.name!r}")
    return send(signal, **facts)
