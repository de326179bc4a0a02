"""Attack class: control characters and over-long values into every form field (issue 13, #4).

Every FlaskForm in ``node/`` is found by importing every module and walking the subclass tree, so
a new form is covered without anyone adding it here. For each text field the test compares the
field's errors for a clean value with its errors for the same value carrying a line break, a NUL,
an escape or one character too many: the bad value must add an error. A form that subclasses
FlaskForm directly instead of ``node.forms.Form`` fails here.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import EmailField, Field, PasswordField, StringField, TextAreaField, URLField

import node
from node.forms import MULTI_LINE_MAX, SINGLE_LINE_MAX, Form

# The forms in the codebase when this test was written; the walk must find at least these.
KNOWN_FORMS = 28
SKIP_MODULES = ("node.wsgi", "node.migrations")  # wsgi builds an app; migrations run on import

SINGLE_LINE_BAD = ["\n", "\r", "\x00", "\x1b", "\u2028", "\u202e", "\x7f", "\x85"]
MULTI_LINE_BAD = ["\x00", "\x1b", "\x07", "\x7f", "\x0b", "\x0c"]


def _all_forms() -> list[type[FlaskForm]]:
    # By file, not pkgutil.walk_packages: some rooms are namespace packages it does not enter.
    root = Path(node.__file__).parent
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if not name.startswith(SKIP_MODULES) and parts[-1] != "__main__":
            importlib.import_module(name)
    found: list[type[FlaskForm]] = []
    todo = list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.append(cls)
            todo.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__.startswith("node.") and cls is not Form]


FORMS = _all_forms()


def _clean(field: Field) -> str:
    """A value of the field's own shape that its validators would accept."""
    if isinstance(field, EmailField):
        return "ann@example.org"
    if isinstance(field, URLField):
        return "https://example.org/page"
    if isinstance(field, PasswordField):
        return "a long enough passphrase"
    return "Ann Café – “quoted” مرحبا 👍 ok"


def _errors(app: Flask, form_cls: type[FlaskForm], name: str, value: str) -> list[str]:
    with app.test_request_context("/", method="POST"):
        form = form_cls(formdata=MultiDict({name: value}), meta={"csrf": False})
        form.validate()
        return list(form[name].errors)


def _text_fields(app: Flask, form_cls: type[FlaskForm]) -> list[tuple[str, Field]]:
    with app.test_request_context("/"):
        form = form_cls(meta={"csrf": False})
        return [(f.name, f) for f in form if isinstance(f, StringField)]


def test_the_walk_finds_every_form() -> None:
    """The test cannot pass on nothing: it finds at least the forms that exist today."""
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in FORMS}
    assert len(FORMS) >= KNOWN_FORMS, sorted(names)
    assert "node.ballots.forms.BallotForm" in names and "node.events.forms.EventForm" in names


@pytest.mark.parametrize("form_cls", FORMS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_form_uses_the_shared_base(form_cls: type[FlaskForm]) -> None:
    assert issubclass(form_cls, Form), (
        f"{form_cls.__qualname__} must subclass node.forms.Form (the shared text rules)"
    )


@pytest.mark.parametrize("form_cls", FORMS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_text_field_refuses_control_characters_and_over_long_values(
    app: Flask, form_cls: type[FlaskForm]
) -> None:
    for name, field in _text_fields(app, form_cls):
        multi = isinstance(field, TextAreaField)
        clean = _clean(field)
        base = set(_errors(app, form_cls, name, clean))
        if multi:
            assert not set(_errors(app, form_cls, name, "one\r\ntwo\n\tthree")) - base, (
                f"{form_cls.__qualname__}.{name} refuses tab or line breaks in a multi-line field"
            )
        for ch in MULTI_LINE_BAD if multi else SINGLE_LINE_BAD:
            for bad in (ch, clean[:3] + ch + clean[3:]):
                added = set(_errors(app, form_cls, name, bad)) - base
                assert added, f"{form_cls.__qualname__}.{name} accepts {bad!r}"
        cap = MULTI_LINE_MAX if multi else SINGLE_LINE_MAX
        long = "x" * (cap + 1)
        if isinstance(field, EmailField):
            long = "x" * cap + "@example.org"
        assert set(_errors(app, form_cls, name, long)) - base, (
            f"{form_cls.__qualname__}.{name} accepts {len(long):,} characters"
        )


def test_a_clean_value_passes_the_shared_rules(app: Flask) -> None:
    """No false alarm: accents, other scripts, emoji, typographic quotes are all fine."""
    from node.ballots.forms import BallotForm

    for name, value in (("title", _clean(StringField())), ("question", "Line 1\r\nLine 2\tend")):
        assert _errors(app, BallotForm, name, value) == []


def test_a_ballot_title_with_a_line_break_is_refused_with_a_message(officer_client: Any) -> None:
    response = officer_client.post_form(
        "/ballots/new",
        {"kind": "motion", "title": "Budget\r\nBcc: everyone@example.org", "question": "Agree?"},
    )
    assert response.status_code == 400
    assert "Keep this to one line" in response.get_data(as_text=True)


# ----------------------------------------------------------------------------- around the forms
def test_paths_that_bypass_forms_refuse_multi_line_names(app: Flask) -> None:
    """The CLI, the demo, CSV import and operations called directly get the same rule."""
    from node.ballots.spec import validate
    from node.errors import Invalid
    from node.groups.operations import create_group
    from node.members.csv_io import parse
    from tests.ballots.helpers import spec

    with pytest.raises(Invalid, match="The title: Keep this to one line"):
        validate(spec(title="Budget\nBcc: x@example.org"))
    with pytest.raises(Invalid, match="Candidate 'Ann"):
        validate(spec(options=["Ann\x1b[31m", "Bob", "Cat"]))
    with pytest.raises(Invalid, match="The question"):
        validate(spec(question="Agree?\x00"))
    validate(spec(question="Agree?\r\nSay yes\tor no"))  # lines and tabs are fine there
    with pytest.raises(Invalid, match="one line"):
        create_group("Walton\r\nBcc: x@example.org", slug="walton-x")
    _, errors = parse(b'name,email\n"Ann\nSmith",ann@example.org\nBob,bob@example.org\n')
    assert [str(e) for e in errors] == [
        "line 3: name: keep this to one line: remove the line break."
    ]
