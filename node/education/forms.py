"""Programme forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional

from node.education.models import KIND_LABELS, KINDS
from node.forms import Form


class ProgrammeForm(Form):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, _l(KIND_LABELS[k])) for k in KINDS])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10_000)])
    open = BooleanField(_l("Open for enrolment"), default=True)


class MaterialForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    url = URLField(_l("Link"), validators=[DataRequired(), Length(max=500)])
