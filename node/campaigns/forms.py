"""Campaign and action forms. Validation here gives the person a message; operations enforce."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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

# The choices' labels, in the order of models.STATUSES and models.ACTION_KINDS.
STATUS_LABELS = (_l("Active"), _l("Paused"), _l("Won"), _l("Lost"))
KIND_LABELS = (
    _l("Leaflet"),
    _l("Picket"),
    _l("Phone bank"),
    _l("Petition"),
    _l("Council meeting"),
    _l("Door knock"),
    _l("Other"),
)


class CampaignForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary (one or two sentences)"), validators=[Length(max=1000)])
    aims = TextAreaField(_l("Aims"), validators=[Optional(), Length(max=10_000)])
    partners = TextAreaField(
        _l("Partner organisations (one per line)"), validators=[Optional(), Length(max=5000)]
    )
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s, label) for s, label in zip(STATUSES, STATUS_LABELS, strict=True)],
        default="active",
    )
    public = BooleanField(
        _l("Show on the public home page"),
        description=_l(
            "Its title, summary, aims and partners appear there; never who is involved."
        ),
    )


class ActionForm(Form):
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice(k, label) for k, label in zip(ACTION_KINDS, KIND_LABELS, strict=True)
        ],
    )
    title = StringField(_l("What to do"), validators=[DataRequired(), Length(max=200)])
    details = TextAreaField(_l("Details"), validators=[Optional(), Length(max=5000)])
    starts_at = DateTimeLocalField(
        _l("Date and time (UK time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    is_deadline = BooleanField(_l("This is a deadline (e.g. a petition), not a meeting time"))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    target = IntegerField(
        _l("Target number of people"), validators=[Optional(), NumberRange(1, 100_000)]
    )


class OrganiserForm(Form):
    email = EmailField(_l("Member's e-mail"), validators=[DataRequired(), Email(), Length(max=254)])


class MessageForm(Form):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=20_000)])


class OutcomeForm(Form):
    outcome = TextAreaField(_l("What happened"), validators=[Optional(), Length(max=10_000)])
