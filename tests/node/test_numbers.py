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


def test_counts_in_sentences_are_grouped_too(app: Any) -> None:
    """A count inside a sentence (``ngettext``'s ``%(num)s``, in a template or in code) is
    grouped like ``|number``, still picks the singular or plural, and the sentence's other
    values are escaped as before."""
    from flask import render_template_string
    from flask_babel import force_locale

    from node.i18n import ngettext

    page = '{{ ngettext("%(num)s member for %(who)s", "%(num)s members for %(who)s", n, who=w) }}'
    with app.test_request_context(), force_locale("en_GB"):
        assert render_template_string(page, n=12345, w="<b>") == "12,345 members for &lt;b&gt;"
        assert render_template_string(page, n=1, w="Walton") == "1 member for Walton"
        assert ngettext("%(num)s elector e-mailed", "%(num)s electors e-mailed", 1234) == (
            "1,234 electors e-mailed"
        )
    with app.test_request_context(), force_locale("fr"):
        assert ngettext("%(num)s vote", "%(num)s votes", 12345) == "12\u202f345 votes"


def test_no_sentence_writes_a_count_that_cannot_be_grouped() -> None:
    """``%(num)d`` prints 12345 whatever the language: counts in sentences are ``%(num)s``."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "node"
    found = [
        str(path.relative_to(root))
        for pattern in ("*.py", "*.html", "*.txt")
        for path in root.rglob(pattern)
        if "%(num)d" in path.read_text(encoding="utf-8")
    ]
    assert found == [], f"write %(num)s, not %(num)d, in {found}"
