"""Counts on pages in the reader's language (``node.i18n.number``, the ``|number`` filter)."""

from __future__ import annotations

from typing import Any


def test_counts_are_written_as_the_readers_language_writes_them(app: Any) -> None:
    """``|number``: thousands grouped the way the page's locale groups them, so a national
    figure reads as 12,345 (and 12 345 in French), never 12345; a count under 1,000 is as it was."""
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en_GB"):
        assert render_template_string("{{ 12345|number }} {{ 7|number }}") == "12,345 7"
    with app.test_request_context(), force_locale("fr"):
        assert render_template_string("{{ 12345|number }}") == "12\u202f345"
    with app.test_request_context():
        assert render_template_string("[{{ none|number }}]") == "[]"
