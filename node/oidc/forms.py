"""Forms of the single sign-on pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField


class ImportForm(FlaskForm):
    file = FileField("National membership CSV", validators=[FileRequired()])


class ConsentForm(FlaskForm):
    decision = HiddenField()
