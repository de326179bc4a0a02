"""Officer forms: follow a peer, record a meeting decision, retract. Operations enforce the rules."""

from __future__ import annotations

from wtforms import DateField, HiddenField, IntegerField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from node.forms import Form


class FollowForm(Form):
    url = URLField(
        "The group's address",
        validators=[DataRequired(), URL(require_tld=False), Length(max=500)],
    )
    fingerprint = HiddenField(validators=[Optional(), Length(max=64)])


class MeetingFields(Form):
    meeting_date = DateField("Date of the meeting", validators=[DataRequired()])
    minute = StringField("Minute reference", validators=[DataRequired(), Length(max=200)])
    summary = StringField(
        "Result, as minuted",
        validators=[Optional(), Length(max=1000)],
        default="Agreed at a general meeting",
    )
    turnout = IntegerField(
        "Members present (optional)", validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    confirm = HiddenField()


class CandidateForm(MeetingFields):
    name = StringField("Candidate", validators=[DataRequired(), Length(max=200)])
    office = StringField("Office or seat", validators=[DataRequired(), Length(max=200)])
    area = StringField("Area (ward or division)", validators=[DataRequired(), Length(max=200)])
    election_date = DateField("Election date", validators=[DataRequired()])


class CampaignForm(MeetingFields):
    title = StringField("Campaign", validators=[DataRequired(), Length(max=200)])
    campaign_summary = TextAreaField(
        "What the campaign is for", validators=[DataRequired(), Length(max=2000)]
    )
    url = URLField(
        "Campaign page (optional)", validators=[Optional(), URL(require_tld=False), Length(max=500)]
    )


class RetractForm(Form):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=2000)])
