"""Motion forms. Validation here gives the person a message; operations enforce the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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

MARKDOWN_HINT = _l("Plain text; *italic*, **bold**, lists and links work (Markdown).")


class MotionForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    text = TextAreaField(
        _l("The motion"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        description=MARKDOWN_HINT,
    )
    campaign_id = SelectField(
        _l("Campaign it would endorse (optional)"), coerce=int, default=0, validate_choice=False
    )


class PostForm(Form):
    body = TextAreaField(
        _l("Your post"),
        validators=[DataRequired(), Length(max=MAX_POST)],
        description=MARKDOWN_HINT,
    )
    parent_id = HiddenField()


class EditPostForm(Form):
    body = TextAreaField(_l("Your post"), validators=[DataRequired(), Length(max=MAX_POST)])


class AmendmentForm(Form):
    text = TextAreaField(
        _l("The motion as it would read"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        description=_l("Change the words you want changed; the page shows the difference."),
    )
    reason = TextAreaField(_l("Why (optional)"), validators=[Optional(), Length(max=MAX_REASON)])


class HideForm(Form):
    reason = StringField(
        _l("Why it is hidden (shown to members)"),
        validators=[DataRequired(), Length(max=MAX_REASON)],
    )


class VoteForm(Form):
    days = IntegerField(
        _l("Days each ballot stays open"),
        default=7,
        validators=[DataRequired(), NumberRange(1, MAX_DAYS)],
    )
    quorum = IntegerField(
        _l("Quorum for the motion's ballot (members who must vote; optional)"),
        validators=[Optional(), NumberRange(1, 100_000)],
    )


class MeetingForm(Form):
    result = SelectField(
        _l("Result"),
        choices=[SelectChoice("carried", _l("Carried")), SelectChoice("lost", _l("Lost"))],
    )
    meeting_date = DateField(_l("Date of the meeting"), validators=[DataRequired()])
    minute = StringField(_l("Minute reference"), validators=[DataRequired(), Length(max=200)])


class SettingsForm(Form):
    seconders = IntegerField(
        _l("Seconders a motion needs to reach the agenda"),
        validators=[InputRequired(message=_l("Give a number.")), NumberRange(0, 50)],
    )
