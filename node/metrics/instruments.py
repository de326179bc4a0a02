"""What a process counts for ``/metrics``: requests with their latency, statements ingested, and
runs of the periodic tasks, in one ``CollectorRegistry`` per app.

Requests are labelled by Flask endpoint (``ballots.vote``), never by path: a path carries ids
and tokens and is chosen by whoever sends the request, an endpoint is one of the app's own
names. Durations come from ``time.perf_counter`` (a stopwatch, not the wall clock ``node.clock``
stands for, so tests that move the clock do not distort them).

Statements are counted from the ``statements_received`` signal, periodic work by wrapping
each task in the app's registry (``node.rooms``) and its backlog from the ``task_backlog``
signal that ``node.scheduler.each_item`` sends after every run (so every task that hands its
items to the scheduler is covered), so neither ingest nor the scheduler knows about metrics. A task runs in the ``commonground worker`` process: its counts reach a scrape of
the web process only in multi-process mode (``PROMETHEUS_MULTIPROC_DIR`` shared by both).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.process_collector import ProcessCollector

from node import clock, signals
from node.metrics.database import DatabaseCollector
from node.rooms import Task, rooms_of

EXTENSION_KEY = "commonground.metrics"
UNMATCHED = "unmatched"  # the endpoint label of a request no route matched (404s, probes)
STARTED = "metrics_started"  # the request's start on the stopwatch, in ``g``


@dataclass(frozen=True)
class Instruments:
    """One app's registry and the metrics this process updates in it."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    ingested: Counter
    task_runs: Counter
    task_items: Counter
    task_seconds: Histogram
    backlog: Gauge
    backlog_age: Gauge
    # per task: key of an item left due -> when a run first left it (node.clock, naive UTC)
    left_since: dict[str, dict[str, datetime]] = field(default_factory=dict)


def create_instruments() -> Instruments:
    registry = CollectorRegistry(auto_describe=False)
    instruments = Instruments(
        registry=registry,
        requests=Counter(
            "commonground_http_requests",
            "Requests answered, by Flask endpoint and status class (2xx, 4xx, ...).",
            ["endpoint", "status"],
            registry=registry,
        ),
        latency=Histogram(
            "commonground_http_request_duration_seconds",
            "Time from the request reaching the app to its response, by endpoint and status class.",
            ["endpoint", "status"],
            registry=registry,
        ),
        ingested=Counter(
            "commonground_statements_ingested",
            "Verified statements stored from peers (pushed to an inbox or pulled), by type.",
            ["type"],
            registry=registry,
        ),
        task_runs=Counter(
            "commonground_task_runs",
            "Runs of a periodic task, by outcome (ok, or failed: the whole run raised).",
            ["task", "outcome"],
            registry=registry,
        ),
        task_items=Counter(
            "commonground_task_items_done",
            "Things a periodic task did (ballots opened, deliveries made, ...).",
            ["task"],
            registry=registry,
        ),
        task_seconds=Histogram(
            "commonground_task_run_duration_seconds",
            "How long one run of a periodic task took.",
            ["task"],
            buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, float("inf")),
            registry=registry,
        ),
        backlog=Gauge(
            "commonground_task_backlog_items",
            "Items a periodic task's last run left due: failed, waiting to be retried, given up"
            " or held by another worker (0 while the task keeps up).",
            ["task"],
            multiprocess_mode="mostrecent",
            registry=registry,
        ),
        backlog_age=Gauge(
            "commonground_task_backlog_oldest_seconds",
            "How long the oldest item left due has been left by the task's runs, as of its last"
            " run (0: none).",
            ["task"],
            multiprocess_mode="mostrecent",
            registry=registry,
        ),
    )
    ProcessCollector(registry=registry)  # this process's memory and CPU (single-process mode)
    registry.register(DatabaseCollector())
    return instruments


def instruments_of(app: Flask) -> Instruments:
    found: Instruments = app.extensions[EXTENSION_KEY]
    return found


def status_class(code: int) -> str:
    return f"{code // 100}xx"


def watch(app: Flask) -> Instruments:
    """Create ``app``'s instruments and start counting its requests, ingest and tasks."""
    instruments = create_instruments()
    app.extensions[EXTENSION_KEY] = instruments

    def started() -> None:
        g.setdefault(STARTED, time.perf_counter())

    def answered(response: Response) -> Response:
        began = g.get(STARTED)
        endpoint = request.endpoint or UNMATCHED
        status = status_class(response.status_code)
        instruments.requests.labels(endpoint, status).inc()
        if began is not None:
            instruments.latency.labels(endpoint, status).observe(time.perf_counter() - began)
        return response

    # First of all before-request work, so the group lookup and sign-in are timed too.
    app.before_request_funcs.setdefault(None, []).insert(0, started)
    app.after_request(answered)
    signals.statements_received.connect(count_ingested, sender=app)
    signals.task_backlog.connect(measure_backlog, sender=app)
    rooms = rooms_of(app)
    rooms.tasks[:] = [counted(task, instruments) for task in rooms.tasks]
    return instruments


def count_ingested(sender: Flask, statements: list[Any] | None = None, **_: Any) -> None:
    """``statements_received``: one batch of verified statements was stored."""
    counter = instruments_of(sender).ingested
    for statement in statements or []:
        counter.labels(str(getattr(statement, "type", "unknown"))).inc()


def measure_backlog(sender: Flask, task: str = "", left: list[str] | None = None, **_: Any) -> None:
    """``task_backlog``: a run of ``task`` left ``left`` due. Each item's age counts from the
    first run that left it (this process remembers it; a restart starts the ages again)."""
    instruments = instruments_of(sender)
    now = clock.utcnow_naive()
    earlier = instruments.left_since.get(task, {})
    since = {key: earlier.get(key, now) for key in left or []}
    instruments.left_since[task] = since
    instruments.backlog.labels(task).set(len(since))
    oldest = min(since.values(), default=now)
    instruments.backlog_age.labels(task).set((now - oldest).total_seconds())


def counted(task: Task, instruments: Instruments) -> Task:
    """``task`` with its runs, outcome, duration and things done counted."""
    name, run = task.name, task.run

    def run_counted() -> int:
        began = time.perf_counter()
        try:
            done = run()
        except Exception:
            instruments.task_runs.labels(name, "failed").inc()
            raise
        finally:
            instruments.task_seconds.labels(name).observe(time.perf_counter() - began)
        instruments.task_runs.labels(name, "ok").inc()
        instruments.task_items.labels(name).inc(max(done, 0))
        return done

    return Task(name, run_counted)
