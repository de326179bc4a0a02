"""Union forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from node.forms import Form
from node.unions.models import REP_ROLE_LABELS, REP_ROLES


class DetailsForm(Form):
    sector = StringField(
        _l("Sector (e.g. health, transport, retail)"), validators=[Optional(), Length(max=120)]
    )
    rep_role = SelectField(
        _l("Are you a union rep or steward?"),
        choices=[SelectChoice(r, _l(REP_ROLE_LABELS[r])) for r in REP_ROLES],
    )


class UnionMessageForm(Form):
    union = SelectField(_l("Union"), choices=[])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=20_000)])
