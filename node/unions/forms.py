"""Union forms."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from node.forms import Form
from node.unions.models import REP_ROLES


class DetailsForm(Form):
    sector = StringField(
        "Sector (e.g. health, transport, retail)", validators=[Optional(), Length(max=120)]
    )
    rep_role = SelectField(
        "Are you a union rep or steward?",
        choices=[SelectChoice(r, r.capitalize() if r else "No") for r in REP_ROLES],
    )


class UnionMessageForm(Form):
    union = SelectField("Union", choices=[])
    subject = StringField("Subject", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=20_000)])
