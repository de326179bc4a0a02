"""Commonground node: one Flask application per install, serving one or more local groups.

This module stays import-light on purpose: ``commonground tally`` and the federation library
must start fast, so Flask and SQLAlchemy are only imported when an app is actually built.
"""

from __future__ import annotations

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~2 ms at start-up)
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"


def create_app(config: dict[str, Any] | None = None):
    """Build the WSGI application (the app factory, as in Flask's tutorial).

    ``config`` overrides settings read from ``COMMONGROUND_*`` environment variables; tests pass
    an instance path and a database URL here.
    """
    from node.app import build_app

    return build_app(config)
