"""The officer's ballot form. Field checks here give messages; ``spec.validate`` enforces.

The form is guided: the officer first says what the ballot decides (its kind), then sees only
the fields that kind uses (:data:`KIND_FIELDS`), with the counting methods valid for it
(:data:`KIND_METHODS`) and defaults that are a valid ballot as they stand.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
from node.i18n import N_

TIME_FORMAT = "%Y-%m-%dT%H:%M"
# The default method of a candidate selection: the alternative vote for one seat, STV (Scottish
# rules) for more; resolved from the seats when the form is read (``resolve_method``).
RANKED = "ranked"
RANKED_LABEL = N_("Ranked: alternative vote for one seat, single transferable vote for more")

KIND_QUESTIONS = {
    "motion": N_("A motion: members vote yes, no or abstain on a proposal."),
    "candidate-selection": N_(
        "A candidate selection: members choose between people, for one seat or several "
        "(a selection that passes can be published as the group's endorsement)."
    ),
    "endorsement": N_("An endorsement: members vote yes or no on backing a campaign."),
    "choice": N_(
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
    "irv": N_(
        "Ranked: members number the options; the least popular is left out, round by round, "
        "until one has more than half (alternative vote)"
    ),
    "fptp": N_("One cross each: the option with most votes wins (first past the post)"),
}


def shown_fields(kind: str) -> tuple[str, ...]:
    """The names of the fields the form shows for ``kind`` (unknown kinds: the common ones)."""
    extra = KIND_FIELDS.get(kind, ())
    return COMMON_FIELDS + extra + TIME_FIELDS + ELECTORATE_FIELDS + QUORUM_FIELDS


def method_choices(kind: str) -> list[SelectChoice]:
    labels = {RANKED: RANKED_LABEL, **METHODS, **(CHOICE_LABELS if kind == "choice" else {})}
    return [SelectChoice(m, _(labels[m])) for m in KIND_METHODS.get(kind, ("motion",))]


def resolve_method(kind: str, method: str | None, seats: int) -> str:
    """The method to store: a motion's own; "ranked" as IRV for one seat, STV for more."""
    if KIND_METHODS.get(kind) == ("motion",):
        return "motion"
    if method == RANKED:
        return "irv" if seats == 1 else "scottish-stv"
    return method or ""


class BallotForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    question = TextAreaField(
        _l("Question put to members"), validators=[DataRequired(), Length(max=5000)]
    )
    kind = SelectField(
        _l("What are you deciding?"),
        choices=[SelectChoice(k, _l(label)) for k, label in KINDS.items()],
        validators=[DataRequired(_l("Choose what the ballot decides."))],
    )
    method = SelectField(
        _l("Counting method"),
        choices=[SelectChoice(RANKED, _l(RANKED_LABEL))]
        + [SelectChoice(m, _l(label)) for m, label in METHODS.items()],
        default=RANKED,
    )
    options = TextAreaField(
        _l("Candidates, one per line"), validators=[Optional(), Length(max=6200)]
    )
    seats = IntegerField(_l("Seats to fill"), default=1, validators=[NumberRange(min=1, max=49)])
    opens_at = DateTimeLocalField(
        _l("Opens (UK time)"), format=TIME_FORMAT, validators=[DataRequired()]
    )
    closes_at = DateTimeLocalField(
        _l("Closes (UK time)"), format=TIME_FORMAT, validators=[DataRequired()]
    )
    freeze_on = DateField(
        _l("Electorate: members who joined on or before"), validators=[DataRequired()]
    )
    min_days = IntegerField(
        _l("…and had been members for at least this many days by then (optional)"),
        validators=[Optional(), NumberRange(min=0, max=3650)],
    )
    requires_national_good_standing = BooleanField(
        _l("…and in good standing nationally on that date (as the national hub vouches at sign-in)")
    )
    quorum = IntegerField(
        _l("Quorum: number of voters (optional)"), validators=[Optional(), NumberRange(min=1)]
    )
    quorum_percent = IntegerField(
        _l("…or quorum as % of the electorate (optional)"),
        validators=[Optional(), NumberRange(min=1, max=100)],
    )
    threshold = SelectField(
        _l("Motions pass with"),
        choices=[SelectChoice(t, _l(label)) for t, label in THRESHOLDS.items()],
        default="simple",
    )
    # What the decision is about; signed with it when published (see decisions.py).
    office = StringField(_l("Office or seat (optional)"), validators=[Length(max=200)])
    area = StringField(
        _l("Area: ward, division or constituency (optional)"), validators=[Length(max=200)]
    )
    election_date = DateField(_l("Election date (optional)"), validators=[Optional()])
    campaign_id = SelectField(
        _l("Campaign to endorse"),
        coerce=int,
        choices=[SelectChoice("0", "—")],
        default=0,
    )
    campaign_title = StringField(
        _l("…or a campaign not in our list: its name"), validators=[Length(max=200)]
    )
    campaign_summary = TextAreaField(_l("What the campaign is for"), validators=[Length(max=2000)])
    campaign_url = StringField(
        _l("The campaign's web page (optional)"), validators=[Length(max=500)]
    )


class DecisionForm(Form):
    """The details a decision's statement needs that the ballot lacks (operations check them)."""

    office = StringField(_l("Office or seat"), validators=[Length(max=200)])
    area = StringField(_l("Area: ward, division or constituency"), validators=[Length(max=200)])
    election_date = DateField(_l("Election date"), validators=[Optional()])
    campaign_title = StringField(_l("Campaign"), validators=[Length(max=200)])
    campaign_summary = TextAreaField(_l("What the campaign is for"), validators=[Length(max=2000)])
    campaign_url = StringField(
        _l("The campaign's web page (optional)"), validators=[Length(max=500)]
    )


class VoteCodeForm(Form):
    """The public code box at ``/vote``: a printed voting code, typed as it reads on the slip."""

    code = StringField(
        _l("Your voting code"),
        validators=[DataRequired(_l("Type the code printed on your slip.")), Length(max=40)],
    )
