"""What an officer asks for when opening a selection (:class:`SelectionSpec`), and the checks on
it: the timetable must run in order, each refusal naming the field it is about so the form can
mark it (``node.web.show_invalid``)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from node.errors import Invalid
from node.forms import single_line_problem
from node.i18n import N_

MAX_PLACES = 20
MAX_SECONDERS = 20
MAX_BALLOT = timedelta(days=92)  # as node.ballots.spec: a ballot stays open three months at most
# The form has minutes, and filling it in takes a while (as node.ballots.spec.OPENING_GRACE).
GRACE = timedelta(minutes=15)


@dataclass
class SelectionSpec:
    office: str
    area: str
    election_date: date
    places: int
    nominations_open_at: datetime  # naive UTC, like every time below
    nominations_close_at: datetime
    questions_close_at: datetime
    answers_due_at: datetime
    ballot_opens_at: datetime
    ballot_closes_at: datetime
    self_nomination: bool = True
    seconders_needed: int = 2
    min_days: int = 0


FIELDS = tuple(f.name for f in fields(SelectionSpec))

# Each step of the timetable, the one before it, whether it may be the same moment, and why.
ORDER = (
    (
        "nominations_close_at",
        "nominations_open_at",
        False,
        N_("Nominations must close after they open."),
    ),
    (
        "questions_close_at",
        "nominations_close_at",
        True,
        N_(
            "Hustings questions close when nominations close or later: members ask knowing who stands."
        ),
    ),
    (
        "answers_due_at",
        "questions_close_at",
        False,
        N_("Answers are due after the questions close, so candidates have time to write them."),
    ),
    (
        "ballot_opens_at",
        "answers_due_at",
        True,
        N_(
            "The ballot opens when the answers are published or later: members vote having read them."
        ),
    ),
    ("ballot_closes_at", "ballot_opens_at", False, N_("The ballot must close after it opens.")),
)


def _refuse(name: str, message: str) -> Invalid:
    return Invalid(message, fields={name: message})


def validate(spec: SelectionSpec, now: datetime | None = None) -> None:
    """Refuse a selection that could not run, saying why on the field it is about. With ``now``
    (naive UTC, when an officer saves) also refuse a nominations close that has passed."""
    spec.office, spec.area = spec.office.strip(), spec.area.strip()
    for name, what, value in (
        ("office", _("The office"), spec.office),
        ("area", _("The area"), spec.area),
    ):
        if not value or len(value) > 200:
            raise _refuse(name, _("%(what)s is needed (up to 200 characters).", what=what))
        if problem := single_line_problem(value):
            raise _refuse(name, _("%(what)s: %(problem)s", what=what, problem=problem))
    if '"' in spec.office + spec.area:
        raise _refuse("office", _("Leave double quotes out of the office and area."))
    if not 1900 <= spec.election_date.year <= 2200:
        raise _refuse("election_date", _("The election date is not a plausible date."))
    if not 1 <= spec.places <= MAX_PLACES:
        raise _refuse(
            "places", _("The number of places is between 1 and %(limit)s.", limit=MAX_PLACES)
        )
    if not 0 <= spec.seconders_needed <= MAX_SECONDERS:
        raise _refuse(
            "seconders_needed", _("Seconders needed: between 0 and %(limit)s.", limit=MAX_SECONDERS)
        )
    if not 0 <= spec.min_days <= 3650:
        raise _refuse("min_days", _("The minimum membership is between 0 and 3650 days."))
    for later, earlier, same_ok, message in ORDER:
        a, b = getattr(spec, later), getattr(spec, earlier)
        if a < b or (a == b and not same_ok):
            raise _refuse(later, _(message))
    if spec.ballot_closes_at - spec.ballot_opens_at > MAX_BALLOT:
        raise _refuse("ballot_closes_at", _("A ballot can stay open for at most three months."))
    if spec.election_date < spec.ballot_closes_at.date():
        raise _refuse("election_date", _("The election is before the ballot closes."))
    if now is not None and spec.nominations_close_at <= now - GRACE:
        raise _refuse("nominations_close_at", _("This time has passed. Choose a time from now on."))
