"""Officer forms: follow a peer, record a meeting decision, retract. Operations enforce the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from node.forms import Form


class FollowForm(Form):
    url = URLField(
        _l("The group's address"),
        validators=[DataRequired(), URL(require_tld=False), Length(max=500)],
    )
    fingerprint = HiddenField(validators=[Optional(), Length(max=64)])


class MeetingFields(Form):
    meeting_date = DateField(_l("Date of the meeting"), validators=[DataRequired()])
    minute = StringField(_l("Minute reference"), validators=[DataRequired(), Length(max=200)])
    summary = StringField(
        _l("Result, as minuted"),
        validators=[Optional(), Length(max=1000)],
        default="Agreed at a general meeting",
    )
    turnout = IntegerField(
        _l("Members present (optional)"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    confirm = HiddenField()


class CandidateForm(MeetingFields):
    name = StringField(_l("Candidate"), validators=[DataRequired(), Length(max=200)])
    office = StringField(_l("Office or seat"), validators=[DataRequired(), Length(max=200)])
    area = StringField(_l("Area (ward or division)"), validators=[DataRequired(), Length(max=200)])
    election_date = DateField(_l("Election date"), validators=[DataRequired()])


class CampaignForm(MeetingFields):
    title = StringField(_l("Campaign"), validators=[DataRequired(), Length(max=200)])
    campaign_summary = TextAreaField(
        _l("What the campaign is for"), validators=[DataRequired(), Length(max=2000)]
    )
    url = URLField(
        _l("Campaign page (optional)"),
        validators=[Optional(), URL(require_tld=False), Length(max=500)],
    )


class RetractForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
