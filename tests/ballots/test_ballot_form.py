"""The guided ballot form through the web: kind first, only that kind's fields, defaults that save
as they stand, errors summarised at the top and marked on their fields, past times refused."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from node import clock
from node.extensions import db

TIME = "%Y-%m-%dT%H:%M"


class _Fields(HTMLParser):
    """The named controls of a page's POST form and the values a browser would send untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.tags: dict[str, dict[str, str | None]] = {}
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_post = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._in_post = a.get("method") == "post" and "signout" not in (a.get("class") or "")
        if not self._in_post:
            return
        name = a.get("name")
        if tag == "input" and name:
            self.tags[name] = a
            kind = a.get("type")
            if kind not in ("checkbox", "radio") or "checked" in a:
                self.values.setdefault(name, a.get("value") or "")
        elif tag == "select" and name:
            self.tags[name], self._select = a, name
            self.options[name] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(a.get("value") or "")
            if "selected" in a or self._select not in self.values:
                self.values[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self.tags[name], self._textarea = a, name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_post = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data.removeprefix("\n")


def _fields(html: str) -> _Fields:
    parser = _Fields()
    parser.feed(html)
    return parser


def _ballots() -> int:
    from node.ballots.models import Ballot

    return db.session.scalar(select(func.count()).select_from(Ballot)) or 0


def _uk(delta: timedelta) -> str:
    from node.ballots.spec import to_london

    return to_london(clock.utcnow_naive() + delta).strftime(TIME)


def test_the_form_asks_what_is_decided_first(officer_client):
    page = officer_client.get("/ballots/new").get_data(as_text=True)
    assert "What are you deciding?" in page
    assert re.findall(r'type="radio" name="kind" id="kind-([a-z-]+)"', page) == [
        "motion",
        "candidate-selection",
        "endorsement",
        "choice",
    ]
    assert 'name="title"' not in page  # nothing else is asked yet
    unknown = officer_client.get("/ballots/new?kind=referendum").get_data(as_text=True)
    assert "What are you deciding?" in unknown and 'href="#kind-motion"' in unknown


@pytest.mark.parametrize(
    ("kind", "present", "absent"),
    [
        ("motion", {"threshold"}, {"options", "seats", "campaign_id", "office"}),
        (
            "candidate-selection",
            {"options", "seats", "office", "area", "election_date"},
            {"threshold", "campaign_id", "campaign_title"},
        ),
        (
            "endorsement",
            {"threshold", "campaign_id", "campaign_title", "campaign_summary", "campaign_url"},
            {"options", "seats", "office"},
        ),
        (
            "choice",
            {"options", "method"},
            {"seats", "threshold", "campaign_id", "office", "area", "election_date"},
        ),
    ],
)
def test_each_kind_shows_only_its_fields(officer_client, kind, present, absent):
    fields = _fields(officer_client.get(f"/ballots/new?kind={kind}").get_data(as_text=True))
    names = set(fields.tags)
    common = {"title", "question", "opens_at", "closes_at", "freeze_on", "quorum"}
    assert common | present <= names and not absent & names, names
    assert fields.tags["kind"]["type"] == "hidden" and fields.values["kind"] == kind
    if kind == "candidate-selection":
        assert fields.options["method"][0] == "ranked" and "motion" not in fields.options["method"]
    elif kind == "choice":  # one winner: ranked (the alternative vote) first, or a single cross
        assert fields.options["method"] == ["irv", "fptp"]
    else:  # a motion and an endorsement are counted yes / no / abstain: nothing to choose
        assert fields.tags["method"]["type"] == "hidden" and fields.values["method"] == "motion"


@pytest.mark.parametrize("kind", ["motion", "candidate-selection", "endorsement", "choice"])
def test_every_kinds_defaults_save_as_they_stand(officer_client, kind):
    """Only what has no sensible default is typed: the rest is submitted as the page gave it."""
    from node.ballots.models import Ballot

    path = f"/ballots/new?kind={kind}"
    data = _fields(officer_client.get(path).get_data(as_text=True)).values
    data.update(title="Our question", question="Do we agree?")
    if kind in ("candidate-selection", "choice"):
        data["options"] = "Ann\r\nBob\r\nCat"
    response = officer_client.post_form("/ballots/new", data, page=path)
    assert response.status_code == 302, response.get_data(as_text=True)
    ballot = db.session.scalar(select(Ballot))
    # one seat: the alternative vote
    expected = {"candidate-selection": "irv", "choice": "irv"}.get(kind, "motion")
    assert ballot.kind == kind and ballot.method == expected
    assert ballot.opens_at > clock.utcnow_naive()  # a default never opens anything at once


def test_ranked_default_is_stv_for_more_than_one_seat(officer_client):
    from node.ballots.models import Ballot

    path = "/ballots/new?kind=candidate-selection"
    data = _fields(officer_client.get(path).get_data(as_text=True)).values
    data.update(title="Delegates", question="Who?", options="Ann\nBob\nCat\nDee", seats="2")
    assert officer_client.post_form("/ballots/new", data, page=path).status_code == 302
    ballot = db.session.scalar(select(Ballot))
    assert (ballot.method, ballot.seats) == ("scottish-stv", 2)


def test_a_rule_error_is_summarised_and_marked_on_its_field(officer_client):
    path = "/ballots/new?kind=candidate-selection"
    data = _fields(officer_client.get(path).get_data(as_text=True)).values
    data.update(title="Delegates", question="Who?", options="Ann\nBob", seats="2", method="fptp")
    response = officer_client.post_form("/ballots/new", data, page=path)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', page, re.S)
    assert summary and 'href="#seats"' in summary.group(0)
    assert "fewer seats than candidates" in summary.group(0)
    marked = _fields(page).tags["seats"]
    assert marked["aria-invalid"] == "true" and marked["aria-describedby"] == "seats-error"
    assert re.search(r'id="seats-error">[^<]*fewer seats than candidates', page)
    assert _fields(page).values["title"] == "Delegates"  # what was typed is kept
    assert page.count("fewer seats than candidates") == 2  # summary and field, no banner too
    assert _ballots() == 0


def test_a_ballot_whose_times_have_passed_is_refused_when_saved(officer_client):
    path = "/ballots/new?kind=motion"
    base = _fields(officer_client.get(path).get_data(as_text=True)).values
    base.update(title="Late", question="Too late?")
    cases = [
        ({"opens_at": _uk(-timedelta(days=3)), "closes_at": _uk(-timedelta(days=1))}, "closes_at"),
        ({"opens_at": _uk(-timedelta(hours=2)), "closes_at": _uk(timedelta(days=1))}, "opens_at"),
        ({"opens_at": _uk(timedelta(days=2)), "closes_at": _uk(timedelta(days=1))}, "closes_at"),
    ]
    for change, field in cases:
        response = officer_client.post_form("/ballots/new", base | change, page=path)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, change
        assert f'href="#{field}"' in page and f'id="{field}-error"' in page, change
    assert _ballots() == 0


def test_editing_a_draft_whose_opening_time_passed_asks_for_a_new_time(
    officer_client, group, officer
):
    from tests.ballots.helpers import make_ballot

    ballot = make_ballot(group, officer, opens_at=clock.utcnow_naive() + timedelta(hours=1))
    path = f"/ballots/{ballot.id}/edit"
    clock.advance(timedelta(hours=3))
    data = _fields(officer_client.get(path).get_data(as_text=True)).values
    response = officer_client.post_form(path, data | {"title": "Renamed"}, page=path)
    assert response.status_code == 400
    assert 'href="#opens_at"' in response.get_data(as_text=True), re.findall(
        r"<li>.*?</li>|flash.*", response.get_data(as_text=True)
    )
    db.session.refresh(ballot)
    assert ballot.title == "Delegates"


def test_scheduling_a_draft_whose_opening_time_passed_is_confirmed_first(
    officer_client, group, officer, smtp_sink
):
    from tests.ballots.helpers import make_ballot

    ballot = make_ballot(group, officer)  # opened a minute ago: scheduling opens it now
    path = f"/ballots/{ballot.id}/schedule"
    page = officer_client.post_form(path, page=f"/ballots/{ballot.id}/electorate")
    assert page.status_code == 200 and "cannot be undone" in page.get_data(as_text=True)
    db.session.refresh(ballot)
    assert ballot.state == "draft" and not ballot.scheduled and smtp_sink.messages == []
    done = officer_client.post_form(path, {"confirm": "yes"}, page=f"/ballots/{ballot.id}")
    assert done.status_code == 302
    db.session.refresh(ballot)
    assert ballot.state == "open"
    shown = officer_client.get(done.location).get_data(as_text=True)
    assert "The ballot is open. 1 elector e-mailed." in shown


def test_a_choice_between_options_is_voted_and_counted_with_one_winner(
    officer_client, group, officer, make_member
):
    """The officer types the options; a seat count or a multi-winner method is not accepted;
    the ranked paper speaks of options and the count elects one."""
    from node.ballots import operations as ops
    from node.ballots.models import Ballot
    from node.ballots.voting import cast_vote

    path = "/ballots/new?kind=choice"
    page = officer_client.get(path).get_data(as_text=True)
    assert "Options, one per line" in page and "Candidates" not in page
    data = _fields(page).values | {"title": "Summer social", "question": "Where shall we go?"}
    for change, message in [
        ({"options": "Park"}, "between 2 and 50 options"),
        ({"options": "Park\nBeach", "method": "scottish-stv"}, "one winner"),
        ({"options": "Park\npark"}, "Two options have the same name"),
    ]:
        refused = officer_client.post_form("/ballots/new", data | change, page=path)
        assert refused.status_code == 400 and message in refused.get_data(as_text=True), change
    assert _ballots() == 0
    data["options"] = "Park\r\nBeach\r\nPub"
    saved = officer_client.post_form("/ballots/new", data | {"seats": "2"}, page=path)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    ballot = db.session.scalar(select(Ballot))
    assert (ballot.kind, ballot.method, ballot.seats) == ("choice", "irv", 1)
    assert [o.name for o in ballot.options] == ["Park", "Beach", "Pub"]

    voters = [make_member(group) for _ in range(5)]
    ops.schedule_ballot(ballot, officer, open_now=True)
    db.session.commit()
    paper = officer_client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "Number the options in order of preference" in paper, paper[paper.find("<main") :]
    # Park 2, Beach 2, Pub 1 first preferences; Pub's voter prefers Beach next: Beach wins.
    for voter, ranking in zip(voters, ([0], [0, 2], [1], [1, 0], [2, 1]), strict=True):
        cast_vote(ballot, voter, ranking)
    with clock.frozen(clock.now() + timedelta(days=9)):
        result = ops.close_ballot(ballot, officer)
    assert result["elected"] == ["Beach"]
