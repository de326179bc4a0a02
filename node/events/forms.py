"""Event forms: times are entered as local wall-clock time in the chosen time zone."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from node.events.models import KINDS
from node.forms import Form
from node.organising.times import COMMON_ZONES, DEFAULT_TZ


class EventForm(Form):
    kind = SelectField("Kind", choices=[SelectChoice(k, k.capitalize()) for k in KINDS])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=10_000)])
    starts_at = DateTimeLocalField("Starts", format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    ends_at = DateTimeLocalField("Ends", format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    tz = SelectField(
        "Time zone", choices=[SelectChoice(z) for z in COMMON_ZONES], default=DEFAULT_TZ
    )
    place = StringField("Place", validators=[Optional(), Length(max=300)])
    online_url = URLField("Online link", validators=[Optional(), Length(max=500)])
    capacity = IntegerField(
        "Capacity (empty: no limit)", validators=[Optional(), NumberRange(1, 100_000)]
    )
    # New events are public unless unticked: the public page and /events.ics list them.
    public = BooleanField(
        "List on the public page and calendar",
        description="Anyone can see it on the group's public page and in /events.ics.",
        default=True,
    )
    programme_id = SelectField(
        "Education programme", coerce=int, choices=[SelectChoice("0", "none")], default=0
    )
    campaign_id = SelectField(
        "Campaign", coerce=int, choices=[SelectChoice("0", "none")], default=0
    )
