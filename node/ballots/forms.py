"""The officer's ballot form. Field checks here give messages; operations.validate enforces."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from node.ballots.models import KINDS, METHODS, THRESHOLDS
from node.forms import Form

TIME_FORMAT = "%Y-%m-%dT%H:%M"


class BallotForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    question = TextAreaField(
        "Question put to members", validators=[DataRequired(), Length(max=5000)]
    )
    kind = SelectField("Kind", choices=[SelectChoice(k, label) for k, label in KINDS.items()])
    method = SelectField(
        "Counting method", choices=[SelectChoice(m, label) for m, label in METHODS.items()]
    )
    options = TextAreaField(
        "Candidates or options, one per line (not used for motions)",
        validators=[Optional(), Length(max=6200)],
    )
    seats = IntegerField("Seats to fill", default=1, validators=[NumberRange(min=1, max=49)])
    opens_at = DateTimeLocalField(
        "Opens (UK time)", format=TIME_FORMAT, validators=[DataRequired()]
    )
    closes_at = DateTimeLocalField(
        "Closes (UK time)", format=TIME_FORMAT, validators=[DataRequired()]
    )
    freeze_on = DateField(
        "Electorate: members who joined on or before", validators=[DataRequired()]
    )
    min_days = IntegerField(
        "…and had been members for at least this many days by then (optional)",
        validators=[Optional(), NumberRange(min=0, max=3650)],
    )
    requires_national_good_standing = BooleanField(
        "…and in good standing nationally on that date (as the national hub vouches at sign-in)"
    )
    quorum = IntegerField(
        "Quorum: number of voters (optional)", validators=[Optional(), NumberRange(min=1)]
    )
    quorum_percent = IntegerField(
        "…or quorum as % of the electorate (optional)",
        validators=[Optional(), NumberRange(min=1, max=100)],
    )
    threshold = SelectField(
        "Motions pass with", choices=[SelectChoice(t, label) for t, label in THRESHOLDS.items()]
    )
    # What the decision is about; signed with it when published (see decisions.py).
    office = StringField("Office or seat (candidate selection)", validators=[Length(max=200)])
    area = StringField("Area: ward, division or constituency", validators=[Length(max=200)])
    election_date = DateField("Election date", validators=[Optional()])
    campaign_id = SelectField(
        "Campaign to endorse (endorsement decision)",
        coerce=int,
        choices=[SelectChoice("0", "—")],
        default=0,
    )
    campaign_title = StringField(
        "…or a campaign not in our list: its name", validators=[Length(max=200)]
    )
    campaign_summary = TextAreaField("What the campaign is for", validators=[Length(max=2000)])
    campaign_url = StringField("The campaign's web page (optional)", validators=[Length(max=500)])


class DecisionForm(Form):
    """The details a decision's statement needs that the ballot lacks (operations check them)."""

    office = StringField("Office or seat", validators=[Length(max=200)])
    area = StringField("Area: ward, division or constituency", validators=[Length(max=200)])
    election_date = DateField("Election date", validators=[Optional()])
    campaign_title = StringField("Campaign", validators=[Length(max=200)])
    campaign_summary = TextAreaField("What the campaign is for", validators=[Length(max=2000)])
    campaign_url = StringField("The campaign's web page (optional)", validators=[Length(max=500)])


class VoteCodeForm(Form):
    """The public code box at ``/vote``: a printed voting code, typed as it reads on the slip."""

    code = StringField(
        "Your voting code",
        validators=[DataRequired("Type the code printed on your slip."), Length(max=40)],
    )
