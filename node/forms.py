"""The base of every form, and the text rules shared with paths that bypass forms.

A title with a line break that reaches a mail header can stop every group's ballots, so the
rule lives here, once, and every form inherits it rather than each field
remembering a validator: single-line fields (``StringField`` and its kin — e-mail, URL, hidden,
password) refuse every control character, Unicode line and paragraph separators and the bidi
embedding/override/isolate controls (they reorder how a name reads in a list or a subject line);
multi-line fields (``TextAreaField``) allow tab, CR and LF and refuse the other control characters
(NUL cannot even be stored by PostgreSQL). Every text field also has a length cap, so an
over-long value gets a message instead of a database error. ``tests/security/test_form_fields.py``
walks every form in ``node/`` and fails on one that does not use this base.

CSV import, the CLI and operations call :func:`single_line_problem` / :func:`multi_line_problem`
directly for data that never passes through a form.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import Length

from node.errors import Invalid

SINGLE_LINE_MAX = 1000  # cap for a single-line field that declares no Length(max=…)
MULTI_LINE_MAX = 20_000  # cap for a multi-line field that declares no Length(max=…)

_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")  # what str.splitlines splits on
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MULTI_LINE_ALLOWED = frozenset("\t\n\r")


def _name(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def reason_given(reason: str, most: int, missing: str) -> str:
    """A reason typed in a box, on one line with single spaces. :class:`~node.errors.Invalid`,
    on the field ``reason``, when there is none (``missing`` says why one is needed) or it is
    longer than ``most`` characters."""
    reason = " ".join(reason.split())
    if not reason:
        raise Invalid(missing, fields={"reason": missing})
    if len(reason) > most:
        message = _("Keep the reason to %(max)s characters.", max=f"{most:,}")
        raise Invalid(message, fields={"reason": message})
    return reason


def single_line_problem(value: str) -> str | None:
    """Why ``value`` cannot be a one-line text (a name, a title, a subject), or None if it can."""
    for ch in value:
        if ch in _LINE_BREAKS:
            return _("Keep this to one line: remove the line break.")
        if unicodedata.category(ch) == "Cc":
            return _("Remove the invisible control character (%(char)s).", char=_name(ch))
        if ch in _BIDI_CONTROLS:
            return _(
                "Remove the invisible text-direction control character (%(char)s).",
                char=_name(ch),
            )
    return None


def multi_line_problem(value: str) -> str | None:
    """Why ``value`` cannot be a multi-line text (tab, CR and LF are fine), or None if it can."""
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch not in _MULTI_LINE_ALLOWED:
            return _("Remove the invisible control character (%(char)s).", char=_name(ch))
    return None


def max_length(field: Field) -> int:
    """The field's cap: its own ``Length(max=…)`` if it has one, else this module's default."""
    default = MULTI_LINE_MAX if isinstance(field, TextAreaField) else SINGLE_LINE_MAX
    declared = [v.max for v in field.validators if isinstance(v, Length) and v.max >= 0]
    return min(declared) if declared else default


def text_problem(field: Field) -> str | None:
    """What is wrong with a text field's value under the shared rules (None: nothing)."""
    value = field.data
    if not isinstance(field, StringField) or not isinstance(value, str):  # not typed text
        return None
    multi = isinstance(field, TextAreaField)
    problem = multi_line_problem(value) if multi else single_line_problem(value)
    if problem is None and len(value) > max_length(field):
        has_own = any(isinstance(v, Length) and v.max >= 0 for v in field.validators)
        if not has_own:  # a declared Length already reported it, in its own words
            problem = _("Use at most %(count)s characters.", count=f"{max_length(field):,}")
    return problem


class Form(FlaskForm):
    """Every form's base class: the shared text rules run after each field's own validators.

    They run after the validation chain, not in it, because ``Optional()`` stops the chain and
    clears errors for a value that is only whitespace — and CR or LF alone is whitespace.
    """

    def validate(self, extra_validators: dict[str, Any] | None = None) -> bool:
        ok = bool(super().validate(extra_validators))
        for field in self:
            problem = text_problem(field)
            if problem is not None:
                field.errors = [*field.errors, problem]
                ok = False
        return ok


class EmptyForm(Form):
    """A form with only the CSRF token, for POST buttons (sign out, lapse, erase)."""
