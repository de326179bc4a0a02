"""Member forms. Validation here gives the person a message; operations enforce the rules."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from node.forms import Form
from node.members.models import ROLES, STATUSES


class ProfileForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    phone = StringField("Phone (optional)", validators=[Optional(), Length(max=40)])
    ward = StringField("Ward or branch", validators=[Optional(), Length(max=120)])
    union = StringField("Trade union", validators=[Optional(), Length(max=120)])
    workplace = StringField("Workplace", validators=[Optional(), Length(max=200)])
    consent_email = BooleanField("I agree to receive e-mails from the group")
    consent_phone = BooleanField("I agree to be phoned or texted by the group")


class MemberForm(ProfileForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    joined_on = DateField("Joined", validators=[DataRequired()])
    status = SelectField("Status", choices=[SelectChoice(s, s.title()) for s in STATUSES])
    role = SelectField("Role", choices=[SelectChoice(r, r.title()) for r in ROLES])
    notes = TextAreaField("Notes (officers only)", validators=[Optional(), Length(max=5000)])


class InviteForm(Form):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(
        "Role", choices=[SelectChoice(r, r.title()) for r in ROLES], default="member"
    )


class ImportForm(Form):
    file = FileField("CSV file", validators=[FileRequired()])
