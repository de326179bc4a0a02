"""Selection forms. Times are entered as UK wall-clock time (converted to UTC by the view)."""

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


def _when(label: str) -> DateTimeLocalField:
    return DateTimeLocalField(label, format=TIME, validators=[DataRequired()])


class SelectionForm(Form):
    office = StringField("Office or seat", validators=[DataRequired(), Length(max=200)])
    area = StringField(
        "Area (ward, division or constituency)", validators=[DataRequired(), Length(max=200)]
    )
    election_date = DateField("Election date", validators=[DataRequired()])
    places = IntegerField(
        "Places to fill",
        default=1,
        validators=[InputRequired(), NumberRange(1, MAX_PLACES)],
        description="One place: the alternative vote. More: single transferable vote.",
    )
    nominations_open_at = _when("Nominations open")
    nominations_close_at = _when("Nominations close")
    questions_close_at = _when("Hustings questions close")
    answers_due_at = _when("Candidates' answers due (all published then)")
    ballot_opens_at = _when("Ballot opens")
    ballot_closes_at = _when("Ballot closes")
    self_nomination = BooleanField("Members may nominate themselves", default=True)
    seconders_needed = IntegerField(
        "Seconders each nomination needs",
        default=2,
        validators=[InputRequired(), NumberRange(0, MAX_SECONDERS)],
    )
    min_days = IntegerField(
        "Days of membership needed to nominate, second or stand",
        default=0,
        validators=[InputRequired(), NumberRange(0, 3650)],
        description="0: any active member.",
    )


class NominateForm(Form):
    nominee_id = SelectField("Member to nominate", coerce=int, validators=[DataRequired()])


class StatementForm(Form):
    statement = TextAreaField(
        "Your statement",
        validators=[Length(max=MAX_STATEMENT)],
        description=f"Up to {MAX_STATEMENT:,} characters. Markdown: *italic*, **bold**, lists, links.",
    )


class QuestionForm(Form):
    text = TextAreaField(
        "Your question",
        validators=[DataRequired(), Length(max=MAX_QUESTION)],
        description=f"Up to {MAX_QUESTION:,} characters. Officers check questions before the candidates see them.",
    )


class AnswerForm(Form):
    text = TextAreaField("Your answer", validators=[DataRequired(), Length(max=MAX_ANSWER)])


class ModerateForm(Form):
    action = SelectField(
        "Decision",
        choices=[
            SelectChoice("approve", "Approve"),
            SelectChoice("reject", "Reject"),
            SelectChoice("merge", "Merge into…"),
        ],
    )
    into = SelectField(
        "Merge into",
        coerce=int,
        choices=[SelectChoice("0", "—")],
        default=0,
        validators=[Optional()],
    )


class HustingsEventForm(Form):
    starts_at = DateTimeLocalField("Starts", format=TIME, validators=[DataRequired()])
    ends_at = DateTimeLocalField("Ends", format=TIME, validators=[DataRequired()])
    place = StringField("Place", validators=[Optional(), Length(max=300)])
    online_url = URLField("Online link", validators=[Optional(), Length(max=500)])
