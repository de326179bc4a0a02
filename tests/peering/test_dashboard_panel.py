"""The dashboard's "From groups we follow" says each thing once: the hub re-signs its registry
often, and the same line twice ("National Hub published its list…") told members nothing."""

from __future__ import annotations

from types import SimpleNamespace

from node.peering import operations
from node.rooms import rooms_of


def test_each_line_shows_once_newest_first(app, monkeypatch) -> None:
    [panel_of] = [p for p in rooms_of(app).ordered_panels() if p.__module__ == "node.peering.setup"]

    def row(type_: str, seq: int) -> SimpleNamespace:
        return SimpleNamespace(type=type_, seq=seq, body={"reason": "typo"})

    received = [
        (row("registry", 9), "National Hub"),
        (row("registry", 8), "National Hub"),
        (row("retraction", 7), "Walton"),
        (row("registry", 6), "National Hub"),
    ]
    monkeypatch.setattr(operations, "received_statements", lambda group, limit: received)
    panel = panel_of(None, None)
    assert [(r.seq, text) for r, text in panel["entries"]] == [
        (9, "National Hub published its list of enrolled groups"),
        (7, "Walton retracted an earlier statement: typo"),
    ]
