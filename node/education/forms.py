"""Programme forms."""

from __future__ import annotations

from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional

from node.education.models import KINDS
from node.forms import Form


class ProgrammeForm(Form):
    kind = SelectField("Kind", choices=[SelectChoice(k, k.capitalize()) for k in KINDS])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=10_000)])
    open = BooleanField("Open for enrolment", default=True)


class MaterialForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    url = URLField("Link", validators=[DataRequired(), Length(max=500)])
