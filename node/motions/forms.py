"""Motion forms. Validation here gives the person a message; operations enforce the rules."""

from __future__ import annotations

from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from node.forms import Form
from node.motions.deciding import MAX_DAYS
from node.motions.models import MAX_POST, MAX_REASON, MAX_TEXT, MAX_TITLE

MARKDOWN_HINT = "Plain text; *italic*, **bold**, lists and links work (Markdown)."


class MotionForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=MAX_TITLE)])
    text = TextAreaField(
        "The motion", validators=[DataRequired(), Length(max=MAX_TEXT)], description=MARKDOWN_HINT
    )
    campaign_id = SelectField(
        "Campaign it would endorse (optional)", coerce=int, default=0, validate_choice=False
    )


class PostForm(Form):
    body = TextAreaField(
        "Your post", validators=[DataRequired(), Length(max=MAX_POST)], description=MARKDOWN_HINT
    )
    parent_id = HiddenField()


class EditPostForm(Form):
    body = TextAreaField("Your post", validators=[DataRequired(), Length(max=MAX_POST)])


class AmendmentForm(Form):
    text = TextAreaField(
        "The motion as it would read",
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        description="Change the words you want changed; the page shows the difference.",
    )
    reason = TextAreaField("Why (optional)", validators=[Optional(), Length(max=MAX_REASON)])


class HideForm(Form):
    reason = StringField(
        "Why it is hidden (shown to members)", validators=[DataRequired(), Length(max=MAX_REASON)]
    )


class VoteForm(Form):
    days = IntegerField(
        "Days each ballot stays open",
        default=7,
        validators=[DataRequired(), NumberRange(1, MAX_DAYS)],
    )
    quorum = IntegerField(
        "Quorum for the motion's ballot (members who must vote; optional)",
        validators=[Optional(), NumberRange(1, 100_000)],
    )


class MeetingForm(Form):
    result = SelectField(
        "Result", choices=[SelectChoice("carried", "Carried"), SelectChoice("lost", "Lost")]
    )
    meeting_date = DateField("Date of the meeting", validators=[DataRequired()])
    minute = StringField("Minute reference", validators=[DataRequired(), Length(max=200)])


class SettingsForm(Form):
    seconders = IntegerField(
        "Seconders a motion needs to reach the agenda",
        validators=[InputRequired(message="Give a number."), NumberRange(0, 50)],
    )
