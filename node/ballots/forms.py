"""The officer's ballot form. Field checks here give messages; ``spec.validate`` enforces.

The form is guided: the officer first says what the ballot decides (its kind), then sees only
the fields that kind uses (:data:`KIND_FIELDS`), with the counting methods valid for it
(:data:`KIND_METHODS`) and defaults that are a valid ballot as they stand.
"""

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
from node.ballots.spec import CHOICE_METHODS
from node.forms import Form

TIME_FORMAT = "%Y-%m-%dT%H:%M"
# The default method of a candidate selection: the alternative vote for one seat, STV (Scottish
# rules) for more; resolved from the seats when the form is read (``resolve_method``).
RANKED = "ranked"
RANKED_LABEL = "Ranked: alternative vote for one seat, single transferable vote for more"

KIND_QUESTIONS = {
    "motion": "A motion: members vote yes, no or abstain on a proposal.",
    "candidate-selection": (
        "A candidate selection: members choose between people, for one seat or several "
        "(a selection that passes can be published as the group's endorsement)."
    ),
    "endorsement": "An endorsement: members vote yes or no on backing a campaign.",
    "choice": (
        "A choice between options: members choose one of the options you list "
        "(a date, a venue, a name…)."
    ),
}
# The fields every ballot has, then those each kind adds (in the order the form shows them).
COMMON_FIELDS = ("title", "question")
TIME_FIELDS = ("opens_at", "closes_at")
ELECTORATE_FIELDS = ("freeze_on", "min_days", "requires_national_good_standing")
QUORUM_FIELDS = ("quorum", "quorum_percent")
KIND_FIELDS = {
    "motion": ("threshold",),
    "endorsement": (
        "threshold",
        "campaign_id",
        "campaign_title",
        "campaign_summary",
        "campaign_url",
    ),
    "candidate-selection": ("options", "seats", "method", "office", "area", "election_date"),
    "choice": ("options", "method"),
}
KIND_METHODS = {
    "motion": ("motion",),
    "endorsement": ("motion",),
    "candidate-selection": (RANKED, "irv", "scottish-stv", "meek-stv", "fptp", "approval"),
    "choice": CHOICE_METHODS,
}
# A choice has one winner: its methods in words that do not talk of seats or candidates.
CHOICE_LABELS = {
    "irv": "Ranked: members number the options; the least popular is left out, round by round, "
    "until one has more than half (alternative vote)",
    "fptp": "One cross each: the option with most votes wins (first past the post)",
}


def shown_fields(kind: str) -> tuple[str, ...]:
    """The names of the fields the form shows for ``kind`` (unknown kinds: the common ones)."""
    extra = KIND_FIELDS.get(kind, ())
    return COMMON_FIELDS + extra + TIME_FIELDS + ELECTORATE_FIELDS + QUORUM_FIELDS


def method_choices(kind: str) -> list[SelectChoice]:
    labels = {RANKED: RANKED_LABEL, **METHODS, **(CHOICE_LABELS if kind == "choice" else {})}
    return [SelectChoice(m, labels[m]) for m in KIND_METHODS.get(kind, ("motion",))]


def resolve_method(kind: str, method: str | None, seats: int) -> str:
    """The method to store: a motion's own; "ranked" as IRV for one seat, STV for more."""
    if KIND_METHODS.get(kind) == ("motion",):
        return "motion"
    if method == RANKED:
        return "irv" if seats == 1 else "scottish-stv"
    return method or ""


class BallotForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    question = TextAreaField(
        "Question put to members", validators=[DataRequired(), Length(max=5000)]
    )
    kind = SelectField(
        "What are you deciding?",
        choices=[SelectChoice(k, label) for k, label in KINDS.items()],
        validators=[DataRequired("Choose what the ballot decides.")],
    )
    method = SelectField(
        "Counting method",
        choices=[SelectChoice(RANKED, RANKED_LABEL)]
        + [SelectChoice(m, label) for m, label in METHODS.items()],
        default=RANKED,
    )
    options = TextAreaField("Candidates, one per line", validators=[Optional(), Length(max=6200)])
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
        "Motions pass with",
        choices=[SelectChoice(t, label) for t, label in THRESHOLDS.items()],
        default="simple",
    )
    # What the decision is about; signed with it when published (see decisions.py).
    office = StringField("Office or seat (optional)", validators=[Length(max=200)])
    area = StringField(
        "Area: ward, division or constituency (optional)", validators=[Length(max=200)]
    )
    election_date = DateField("Election date (optional)", validators=[Optional()])
    campaign_id = SelectField(
        "Campaign to endorse",
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
