"""Selection forms. Times are entered as UK wall-clock time (converted to UTC by the view)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from node.forms import Form
from node.selections.models import MAX_ANSWER, MAX_QUESTION, MAX_STATEMENT
from node.selections.timetable import MAX_PLACES, MAX_SECONDERS

TIME = "%Y-%m-%dT%H:%M"
TIMES = (
    "nominations_open_at",
    "nominations_close_at",
    "questions_close_at",
    "answers_due_at",
    "ballot_opens_at",
    "ballot_closes_at",
)


def _when(label: str | LazyString) -> DateTimeLocalField:
    return DateTimeLocalField(label, format=TIME, validators=[DataRequired()])


class SelectionForm(Form):
    office = StringField(_l("Office or seat"), validators=[DataRequired(), Length(max=200)])
    area = StringField(
        _l("Area (ward, division or constituency)"), validators=[DataRequired(), Length(max=200)]
    )
    election_date = DateField(_l("Election date"), validators=[DataRequired()])
    places = IntegerField(
        _l("Places to fill"),
        default=1,
        validators=[InputRequired(), NumberRange(1, MAX_PLACES)],
        description=_l("One place: the alternative vote. More: single transferable vote."),
    )
    nominations_open_at = _when(_l("Nominations open"))
    nominations_close_at = _when(_l("Nominations close"))
    questions_close_at = _when(_l("Hustings questions close"))
    answers_due_at = _when(_l("Candidates' answers due (all published then)"))
    ballot_opens_at = _when(_l("Ballot opens"))
    ballot_closes_at = _when(_l("Ballot closes"))
    self_nomination = BooleanField(_l("Members may nominate themselves"), default=True)
    seconders_needed = IntegerField(
        _l("Seconders each nomination needs"),
        default=2,
        validators=[InputRequired(), NumberRange(0, MAX_SECONDERS)],
    )
    min_days = IntegerField(
        _l("Days of membership needed to nominate, second or stand"),
        default=0,
        validators=[InputRequired(), NumberRange(0, 3650)],
        description=_l("0: any active member."),
    )


class NominateForm(Form):
    nominee_id = SelectField(_l("Member to nominate"), coerce=int, validators=[DataRequired()])


class StatementForm(Form):
    statement = TextAreaField(
        _l("Your statement"),
        validators=[Length(max=MAX_STATEMENT)],
        description=_l(
            "Up to %(limit)s characters. Markdown: *italic*, **bold**, lists, links.",
            limit=f"{MAX_STATEMENT:,}",
        ),
    )


class QuestionForm(Form):
    text = TextAreaField(
        _l("Your question"),
        validators=[DataRequired(), Length(max=MAX_QUESTION)],
        description=_l(
            "Up to %(limit)s characters. Officers check questions before the candidates see them.",
            limit=f"{MAX_QUESTION:,}",
        ),
    )


class AnswerForm(Form):
    text = TextAreaField(_l("Your answer"), validators=[DataRequired(), Length(max=MAX_ANSWER)])


class ModerateForm(Form):
    action = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice("approve", _l("Approve")),
            SelectChoice("reject", _l("Reject")),
            SelectChoice("merge", _l("Merge into…")),
        ],
    )
    into = SelectField(
        _l("Merge into"),
        coerce=int,
        choices=[SelectChoice("0", "—")],
        default=0,
        validators=[Optional()],
    )


class HustingsEventForm(Form):
    starts_at = DateTimeLocalField(_l("Starts"), format=TIME, validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format=TIME, validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    online_url = URLField(_l("Online link"), validators=[Optional(), Length(max=500)])
