"""Campaign and action forms. Validation here gives the person a message; operations enforce."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from node.campaigns.models import ACTION_KINDS, STATUSES
from node.forms import Form


class CampaignForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField("Summary (one or two sentences)", validators=[Length(max=1000)])
    aims = TextAreaField("Aims", validators=[Optional(), Length(max=10_000)])
    partners = TextAreaField(
        "Partner organisations (one per line)", validators=[Optional(), Length(max=5000)]
    )
    status = SelectField(
        "Status", choices=[SelectChoice(s, s.title()) for s in STATUSES], default="active"
    )
    public = BooleanField(
        "Show on the public home page",
        description="Its title, summary, aims and partners appear there; never who is involved.",
    )


class ActionForm(Form):
    kind = SelectField("Kind", choices=[SelectChoice(k, k.capitalize()) for k in ACTION_KINDS])
    title = StringField("What to do", validators=[DataRequired(), Length(max=200)])
    details = TextAreaField("Details", validators=[Optional(), Length(max=5000)])
    starts_at = DateTimeLocalField(
        "Date and time (UK time)", format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    is_deadline = BooleanField("This is a deadline (e.g. a petition), not a meeting time")
    place = StringField("Place", validators=[Optional(), Length(max=300)])
    target = IntegerField(
        "Target number of people", validators=[Optional(), NumberRange(1, 100_000)]
    )


class OrganiserForm(Form):
    email = EmailField("Member's e-mail", validators=[DataRequired(), Email(), Length(max=254)])


class MessageForm(Form):
    subject = StringField("Subject", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=20_000)])


class OutcomeForm(Form):
    outcome = TextAreaField("What happened", validators=[Optional(), Length(max=10_000)])
