"""JSON Schemas (draft 2020-12) for Commonground federation documents.

One file per statement type (``<type>.json``) plus ``common.json`` (shared
``$defs``; every ``$ref`` points at ``urn:commonground:schema:1:common``),
``follow.json``, ``discovery.json`` and ``outbox-page.json``. They ship as
package data so a verifier installed from the wheel needs nothing else.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

STATEMENT_TYPES: tuple[str, ...] = (
    "candidate-endorsement",
    "campaign-endorsement",
    "retraction",
    "key-rotation",
    "registry",
)
OTHER_DOCUMENTS: tuple[str, ...] = ("common", "follow", "discovery", "outbox-page")


def load(name: str) -> dict[str, Any]:
    """Return the parsed schema ``<name>.json`` from this package."""
    if name not in STATEMENT_TYPES + OTHER_DOCUMENTS:
        raise KeyError(name)
    data: dict[str, Any] = json.loads(files(__name__).joinpath(f"{name}.json").read_text("utf-8"))
    return data
