"""Event forms: times are entered as local wall-clock time in the chosen time zone."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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

from node.events.models import KIND_LABELS, KINDS
from node.forms import Form
from node.organising.times import COMMON_ZONES, DEFAULT_TZ


class EventForm(Form):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, _l(KIND_LABELS[k])) for k in KINDS])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10_000)])
    starts_at = DateTimeLocalField(
        _l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    tz = SelectField(
        _l("Time zone"), choices=[SelectChoice(z, _l(z)) for z in COMMON_ZONES], default=DEFAULT_TZ
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    online_url = URLField(_l("Online link"), validators=[Optional(), Length(max=500)])
    capacity = IntegerField(
        _l("Capacity (empty: no limit)"), validators=[Optional(), NumberRange(1, 100_000)]
    )
    # New events are public unless unticked: the public page and /events.ics list them.
    public = BooleanField(
        _l("List on the public page and calendar"),
        description=_l("Anyone can see it on the group's public page and in /events.ics."),
        default=True,
    )
    programme_id = SelectField(
        _l("Education programme"), coerce=int, choices=[SelectChoice("0", _l("none"))], default=0
    )
    campaign_id = SelectField(
        _l("Campaign"), coerce=int, choices=[SelectChoice("0", _l("none"))], default=0
    )
