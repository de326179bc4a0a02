"""What an officer asks for (:class:`BallotSpec`), the checks on it, the campaigns a ballot can
back, and the UK-time conversions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from node.ballots.models import KINDS, METHODS, THRESHOLDS
from node.errors import Invalid
from node.forms import multi_line_problem, single_line_problem
from node.groups.models import Group
from node.rooms import Endorsable, rooms_of

LONDON = ZoneInfo("Europe/London")
MAX_OPTIONS = 50
URL_RE = re.compile(r"^https?://[^\s#]{1,490}$")
# How long ago a new or edited ballot may say it opened: the form has minutes, and filling it in
# takes a while. Anything older was a mistake (it would open, and mail everyone, at once).
OPENING_GRACE = timedelta(minutes=15)
# A choice between options has one winner: ranked (the alternative vote) or a single cross.
CHOICE_METHODS = ("irv", "fptp")


# ----------------------------------------------------------------------------- time helpers
def to_london(value: datetime | None) -> datetime | None:
    """A stored naive-UTC timestamp as Europe/London local time (for display and forms)."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(LONDON)


def to_london_naive(value: datetime) -> datetime:
    """A stored naive-UTC timestamp as the naive Europe/London wall-clock time a form shows."""
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(LONDON).replace(tzinfo=None)


def from_london(value: datetime) -> datetime:
    """A naive Europe/London wall-clock time (from a form) as naive UTC for storage."""
    return value.replace(tzinfo=LONDON).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


@dataclass
class BallotSpec:
    title: str
    question: str
    kind: str
    method: str
    opens_at: datetime  # naive UTC
    closes_at: datetime  # naive UTC
    freeze_on: date
    options: list[str] = field(default_factory=list)
    seats: int = 1
    min_days: int | None = None
    requires_national_good_standing: bool = False
    quorum: int | None = None
    quorum_percent: int | None = None
    threshold: str = "simple"
    # What a decision would be about (signed with it; see node/ballots/decisions.py). Optional
    # here: the officer can supply them when publishing the decision.
    office: str | None = None
    area: str | None = None
    election_date: date | None = None
    campaign_id: int | None = None  # a campaign of the group…
    campaign_title: str | None = None  # …or one described here
    campaign_summary: str | None = None
    campaign_url: str | None = None


# The spec's fields that operations copies onto the ballot (the options are copied separately).
FIELDS = tuple(f.name for f in fields(BallotSpec) if f.name != "options")


def _refuse(field_name: str, message: str) -> Invalid:
    """A refusal that marks the form field it is about (``node.web.show_invalid``)."""
    return Invalid(message, fields={field_name: message})


def validate(spec: BallotSpec, now: datetime | None = None) -> None:
    """Refuse a ballot that could not be voted on or counted, with a message saying why and the
    field it is about. With ``now`` (naive UTC, given when an officer saves), also refuse times
    that have passed: a closing time, or an opening time more than ``OPENING_GRACE`` ago."""
    if not spec.title.strip() or len(spec.title) > 200:
        raise _refuse("title", _("Give the ballot a title (up to 200 characters)."))
    if not spec.question.strip() or len(spec.question) > 5000:
        raise _refuse("question", _("Give the question put to members (up to 5,000 characters)."))
    if spec.kind not in KINDS:
        raise _refuse("kind", _("Unknown kind of ballot %(kind)s.", kind=repr(spec.kind)))
    if spec.method not in METHODS:
        raise _refuse("method", _("Unknown counting method %(method)s.", method=repr(spec.method)))
    if spec.kind == "motion" and spec.method != "motion":
        raise _refuse("method", _("A plain motion is counted as a motion (yes / no / abstain)."))
    if spec.kind == "candidate-selection" and spec.method == "motion":
        raise _refuse(
            "method", _("A candidate selection needs candidates: choose FPTP, approval or STV.")
        )
    if spec.kind == "choice" and spec.method not in CHOICE_METHODS:
        raise _refuse(
            "method",
            _(
                "A choice between options has one winner: count it by the alternative vote "
                "(ranked) or first past the post."
            ),
        )
    if spec.kind == "choice":
        spec.seats = 1
    if spec.method == "motion":
        spec.options, spec.seats = [], 1
    else:
        _validate_candidates(spec)
    _validate_times(spec, now)
    if spec.quorum is not None and spec.quorum_percent is not None:
        message = _("Give the quorum as a number of members or as a percentage, not both.")
        raise Invalid(message, fields={"quorum": message, "quorum_percent": message})
    if spec.quorum is not None and spec.quorum < 1:
        raise _refuse("quorum", _("The quorum must be at least one member."))
    if spec.quorum_percent is not None and not 1 <= spec.quorum_percent <= 100:
        raise _refuse("quorum_percent", _("The quorum percentage must be between 1 and 100."))
    if spec.min_days is not None and not 0 <= spec.min_days <= 3650:
        raise _refuse("min_days", _("The minimum membership must be between 0 and 3650 days."))
    if spec.threshold not in THRESHOLDS:
        raise _refuse(
            "threshold", _("Unknown threshold %(threshold)s.", threshold=repr(spec.threshold))
        )
    validate_subject(spec)
    validate_text(spec)


def _validate_candidates(spec: BallotSpec) -> None:
    options = spec.kind == "choice"
    names = [n.strip() for n in spec.options if n.strip()]
    if len(names) < 2 or len(names) > MAX_OPTIONS:
        raise _refuse(
            "options",
            _("List between 2 and %(max)s options, one per line.", max=MAX_OPTIONS)
            if options
            else _("List between 2 and %(max)s candidates, one per line.", max=MAX_OPTIONS),
        )
    if any(len(n) > 120 or '"' in n for n in names):
        raise _refuse(
            "options",
            _("Option names are at most 120 characters, without double quotes.")
            if options
            else _("Candidate names are at most 120 characters, without double quotes."),
        )
    if len({n.casefold() for n in names}) != len(names):
        raise _refuse(
            "options",
            _("Two options have the same name.")
            if options
            else _("Two candidates have the same name."),
        )
    spec.options = names
    if spec.method == "irv" and spec.seats != 1:
        raise _refuse("seats", _("The alternative vote (IRV) fills one seat; use STV for more."))
    if not 1 <= spec.seats < len(names):
        raise _refuse("seats", _("There must be fewer seats than candidates (and at least one)."))


def _validate_times(spec: BallotSpec, now: datetime | None) -> None:
    if spec.closes_at <= spec.opens_at:
        raise _refuse("closes_at", _("The ballot must close after it opens."))
    if spec.closes_at - spec.opens_at > timedelta(days=92):
        raise _refuse("closes_at", _("A ballot can stay open for at most three months."))
    if now is None:
        return
    if spec.closes_at <= now:
        raise _refuse(
            "closes_at", _("The closing time has already passed. Choose a time in the future.")
        )
    if spec.opens_at < now - OPENING_GRACE:
        raise _refuse(
            "opens_at",
            _(
                "The opening time has already passed. Choose a time from now on "
                "(to open it straight away, save it and then choose “Open now”)."
            ),
        )


def validate_text(spec: BallotSpec) -> None:
    """Names, titles and addresses are one line (the title goes into mail subjects); the
    question and summary may have lines but no other control characters. Forms check this too;
    this is for every other way in (CLI, demo, federation, tests)."""
    single = {
        ("title", _("The title")): spec.title,
        ("office", _("The office or seat")): spec.office,
        ("area", _("The area")): spec.area,
        ("campaign_title", _("The campaign's title")): spec.campaign_title,
        ("campaign_url", _("The campaign's address")): spec.campaign_url,
        **{
            ("options", _("Candidate %(name)s", name=repr(name[:40]))): name
            for name in spec.options
        },
    }
    for (name, what), value in single.items():
        if value and (problem := single_line_problem(value)):
            raise _refuse(name, f"{what}: {problem}")
    multi = (
        ("question", _("The question"), spec.question),
        ("campaign_summary", _("The summary"), spec.campaign_summary),
    )
    for name, what, value in multi:
        if value and (problem := multi_line_problem(value)):
            raise _refuse(name, f"{what}: {problem}")


def _clean(value: str | None, limit: int, name: str, what: str) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        most = f"{limit:,}"
        raise _refuse(
            name,
            _("%(what)s is at most %(limit)s characters.", what=what, limit=most),
        )
    return value or None


def validate_subject(spec: BallotSpec) -> None:
    """Tidy and check what the decision is about; fields of the other kinds are dropped."""
    spec.office = _clean(spec.office, 200, "office", _("The office or seat"))
    spec.area = _clean(spec.area, 200, "area", _("The area"))
    spec.campaign_title = _clean(
        spec.campaign_title, 200, "campaign_title", _("The campaign's title")
    )
    spec.campaign_summary = _clean(
        spec.campaign_summary, 2000, "campaign_summary", _("The campaign's summary")
    )
    spec.campaign_url = _clean(spec.campaign_url, 500, "campaign_url", _("The campaign's address"))
    if spec.kind != "candidate-selection":
        spec.office = spec.area = spec.election_date = None
    if spec.kind != "endorsement":
        spec.campaign_id = None
        spec.campaign_title = spec.campaign_summary = spec.campaign_url = None
    if spec.campaign_id is not None and spec.campaign_title:
        raise _refuse(
            "campaign_title", _("Choose one of the group's campaigns or describe one, not both.")
        )
    if (spec.campaign_summary or spec.campaign_url) and not spec.campaign_title:
        raise _refuse(
            "campaign_title", _("Give the campaign's title as well as its summary or address.")
        )
    if spec.campaign_url and not URL_RE.match(spec.campaign_url):
        raise _refuse(
            "campaign_url", _("The campaign's address must be a web address (http:// or https://).")
        )
    if spec.election_date is not None and not 1900 <= spec.election_date.year <= 2200:
        raise _refuse("election_date", _("The election date is not a plausible date."))


# ----------------------------------------------------------------------------- campaigns to back
def campaign_choices(group: Group) -> list[tuple[int, str]]:
    """The campaigns the group's ballots can back, for the ballot form (``Rooms.endorsable``)."""
    return [choice for source in rooms_of().endorsable for choice in source.choices(group)]


def describe_campaign(group: Group, campaign_id: int) -> Endorsable | None:
    """One of the group's campaigns as a decision would back it, or None if it is not one."""
    for source in rooms_of().endorsable:
        found = source.describe(group, campaign_id)
        if found is not None:
            return found
    return None


def mark_campaign_endorsed(group: Group, campaign_id: int, when: datetime) -> None:
    for source in rooms_of().endorsable:
        source.mark_endorsed(group, campaign_id, when)
