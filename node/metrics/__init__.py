"""The operator's Prometheus endpoint, ``GET /metrics`` (the contract is in docs/deploy.md).

Off unless ``COMMONGROUND_METRICS_TOKEN`` is set: then the route exists and answers only a
request carrying ``Authorization: Bearer <token>`` (compared in constant time); otherwise the
route is not registered at all, so ``/metrics`` is the same 404 as any unknown address and the
app does no counting. The figures are install-wide, for the operator, never per member: labels
are Flask endpoint names, task names, statement types, states and peer origins
(scheme://host:port of another install), so no name or address of a person can appear and the
number of series stays bounded whatever addresses visitors ask for.

Two kinds of figure, both in the app's own ``CollectorRegistry`` (never prometheus_client's
global one: a process may build many apps, as the test suite does):

* counted in this process (:mod:`node.metrics.instruments`): requests and their latency,
  statements ingested, periodic task runs and what each run left due (every task's backlog);
* read from the database at scrape time (:mod:`node.metrics.database`): due items and their age
  per periodic task, failing items and dead letters, deliveries per peer, circuit breakers,
  statements held. These are the same whichever process answers.

Gunicorn runs several worker processes, and the worker runs in its own process, so a process's
counters alone would jump about from one scrape to the next. With ``PROMETHEUS_MULTIPROC_DIR``
set (prometheus_client's multi-process mode, read when it is imported), every process writes
its counters to files in that folder and a scrape adds them all up.
"""

from __future__ import annotations

import hmac
import os

from flask import Flask, Response, request
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from node.extensions import csrf
from node.members.access import public
from node.metrics.database import DatabaseCollector
from node.metrics.instruments import instruments_of, watch

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def authorised(token: str) -> bool:
    """Whether the request carries ``Authorization: Bearer <token>``, compared in constant time."""
    scheme, _, supplied = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(supplied.strip().encode(), token.encode())


def scrape_registry(app: Flask) -> CollectorRegistry:
    """What one scrape reads: this process's registry, or every process's files plus the
    database in multi-process mode."""
    if not os.environ.get(MULTIPROCESS_ENV):
        return instruments_of(app).registry
    registry = CollectorRegistry(auto_describe=False)
    MultiProcessCollector(registry)
    registry.register(DatabaseCollector())
    return registry


def init_app(app: Flask) -> None:
    """Count requests, ingest and periodic work, and serve ``/metrics``, when a token is set."""
    token = str(app.config.get("METRICS_TOKEN") or "")
    if not token:
        return
    watch(app)

    @app.route("/metrics")
    @public  # the bearer token is the access check: operators, not members, read it
    def metrics() -> Response:
        """Prometheus text exposition of the install's figures (docs/deploy.md, "Metrics")."""
        if not authorised(token):
            return Response(
                "A valid bearer token is needed.\n",
                status=401,
                mimetype="text/plain",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"},
            )
        # The text format, or OpenMetrics when the scraper asks for it (Prometheus does).
        encode, content_type = choose_encoder(request.headers.get("Accept", ""))
        body = encode(scrape_registry(app))
        return Response(body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})

    csrf.exempt(metrics)
