"""Forms of the single sign-on pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField

from node.forms import Form


class ImportForm(Form):
    file = FileField(_l("National membership CSV"), validators=[FileRequired()])


class ConsentForm(Form):
    decision = HiddenField()
