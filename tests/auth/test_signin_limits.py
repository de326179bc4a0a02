"""Issue 18: a meeting hall's members share one address, so only refused sign-in attempts
count against the per-connection limit, and a breached limit is a plain page in our layout.

Flask-Limiter keeps its own clock (not node.clock), so "after the window" is simulated with
``limiter.reset()``, which is what the window's end does to the counters."""

from __future__ import annotations

from node.extensions import limiter
from tests.support.fixtures import PASSWORD

FRIENDLY = "Too many tries from this connection."


def _fail(client, email: str):  # type: ignore[no-untyped-def]
    return client.post_form("/signin", {"email": email, "password": "not-the-password"})


def _assert_friendly_429(response) -> None:  # type: ignore[no-untyped-def]
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert FRIENDLY in page and "Too Many Requests" not in page
    assert 'class="skip"' in page and "Walton Momentum" in page  # our layout, not Werkzeug's
    assert int(response.headers["Retry-After"]) > 0


def test_thirty_members_sign_in_from_one_hall_then_failures_are_throttled(app, group, make_member):
    assert app.config["SIGNIN_RATE_LIMIT"].startswith("10 ")
    people = [make_member(group, email=f"member{n}@walton.example.org") for n in range(30)]
    for person in people:
        client = app.test_client()  # same REMOTE_ADDR for everyone, as on a hall's Wi-Fi
        assert (
            client.post_form("/signin", {"email": person.email, "password": PASSWORD}).status_code
            == 302
        ), person.email

    client = app.test_client()
    statuses = [_fail(client, people[0].email).status_code for _ in range(10)]
    assert statuses == [401] * 10
    _assert_friendly_429(_fail(client, people[0].email))
    # Still locked: a good password is refused too until the window ends...
    assert (
        client.post_form("/signin", {"email": people[1].email, "password": PASSWORD}).status_code
        == 429
    )
    limiter.reset()  # ...which is what the end of the window does.
    client.sign_in(people[1].email)


def test_thirty_people_ask_for_links_and_resets_from_one_hall(app, group, make_member, smtp_sink):
    people = [make_member(group, email=f"asker{n}@walton.example.org") for n in range(30)]
    client = app.test_client()
    for person in people:
        asked = client.post_form("/signin/link", {"email": person.email}, page="/signin")
        assert asked.status_code == 200
        reset = client.post_form("/reset", {"email": person.email})
        assert reset.status_code == 302
    assert all(len(smtp_sink.to(person.email)) == 2 for person in people)


def test_one_inbox_cannot_be_flooded_whoever_asks(app, client, officer, smtp_sink):
    app.config["SIGNIN_RATE_LIMIT"] = "3 per minute"
    statuses = [
        client.post_form("/signin/link", {"email": officer.email}, page="/signin").status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert len(smtp_sink.to(officer.email)) == 3
    page = client.post_form("/signin/link", {"email": officer.email}, page="/signin")
    assert "Too many links were asked for this address" in page.get_data(as_text=True)
    # Another address from the same connection is not held up.
    other = client.post_form("/signin/link", {"email": "x@walton.example.org"}, page="/signin")
    assert other.status_code == 200


def test_guessing_reset_tokens_is_still_throttled(app, client, group):
    app.config["SIGNIN_RATE_LIMIT"] = "3 per minute"
    form = {"password": "a-new-password-1", "confirm": "a-new-password-1"}
    statuses = [
        client.post_form(f"/reset/guess{n}", form, page="/reset").status_code for n in range(4)
    ]
    assert statuses[:3] == [400, 400, 400]
    _assert_friendly_429(client.post_form("/reset/guess9", form, page="/reset"))


def test_a_json_client_gets_json_with_the_plain_words(app, client, officer):
    app.config["SIGNIN_RATE_LIMIT"] = "1 per minute"
    assert _fail(client, officer.email).status_code == 401
    response = client.post_form(
        "/signin",
        {"email": officer.email, "password": "nope-nope"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 429
    assert response.get_json() == {
        "error": "too-many-requests",
        "detail": response.get_json()["detail"],
    }
    assert response.get_json()["detail"].startswith(FRIENDLY)
    assert "Retry-After" in response.headers
