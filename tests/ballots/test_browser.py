"""A whole ballot in a real browser against a real server: the officer creates a ranked STV
ballot and opens it, three members vote in their own browser contexts, the ballot closes (the
server is restarted with its clock moved past the close, via COMMONGROUND_TEST_CLOCK_OFFSET),
the result page shows the right winners, and the downloaded BLT recounts to the same result
through ``commonground tally`` in a separate process. The officer then publishes the result and
signs it as the group's endorsement of the two elected."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from node import clock
from node.ballots.operations import to_london
from tests.support.fixtures import PASSWORD
from tests.support.server import Install

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _sign_in(browser, url: str, email: str):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    context.set_default_timeout(120_000)  # a loaded CI machine starts gunicorn slowly
    page = context.new_page()
    page.goto(f"{url}/signin")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def _local(dt) -> str:  # type: ignore[no-untyped-def]
    return to_london(dt).strftime("%Y-%m-%dT%H:%M")


def test_a_whole_ranked_ballot_in_the_browser(
    browser, app, app_config, group, officer, make_member, tmp_path
):
    members = [make_member(group, email=f"voter{i}@walton.example.org") for i in range(3)]
    env = {
        "COMMONGROUND_DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "COMMONGROUND_TESTING": "1",
    }
    now = clock.utcnow_naive()
    with Install(tmp_path / "node", env=env).start() as node:
        page = _sign_in(browser, node.url, officer.email)
        page.goto(f"{node.url}/ballots/new")
        page.get_by_label("A candidate selection").check()
        page.get_by_role("button", name="Continue").click()
        assert page.get_by_label("Motions pass with").count() == 0  # only this kind's fields
        page.get_by_label("Title").fill("Regional delegates")
        page.get_by_label("Question put to members").fill("Rank the nominees for two delegates.")
        page.get_by_label("Counting method").select_option("scottish-stv")
        page.get_by_label("Candidates, one per line").fill("Ann\nBob\nCat\nDee")
        page.get_by_label("Seats to fill").fill("2")
        page.get_by_label("Opens (UK time)").fill(_local(now + timedelta(minutes=1)))
        page.get_by_label("Closes (UK time)").fill(_local(now + timedelta(days=2)))
        page.get_by_label("Electorate: members who joined").fill(clock.today().isoformat())
        page.get_by_label("Office or seat").fill("Regional committee")
        page.get_by_label("Area: ward").fill("South East")
        page.get_by_label("Election date").fill("2027-05-06")
        page.get_by_role("button", name="Save draft").click()
        assert page.locator("#electorate-size").inner_text() == "4"
        page.get_by_role("button", name="Open now").click()
        assert page.locator("#confirm-electorate").inner_text() == "4"
        page.get_by_role("button", name="Open the ballot and e-mail the electors").click()
        assert "The ballot is open" in page.content()
        ballot_path = urlsplit(page.url).path

        for member, order in zip(
            members, (["Ann", "Bob"], ["Ann", "Cat"], ["Cat", "Bob", "Dee"]), strict=True
        ):
            voter = _sign_in(browser, node.url, member.email)
            voter.goto(node.url + ballot_path)
            for rank, name in enumerate(order, 1):
                voter.get_by_label(name, exact=True).select_option(str(rank))
            voter.get_by_role("button", name="Check my vote").click()
            voter.get_by_role("heading", name="Check your vote").wait_for()
            assert voter.locator("#review-choices li").first.inner_text().startswith("1 ")
            voter.get_by_role("button", name="Cast my vote").click()
            voter.get_by_role("heading", name="Your vote is in").wait_for()
            assert re.fullmatch(
                r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", voter.locator("#receipt-code").inner_text()
            )
            voter.context.close()
        page.context.close()

    # The group's signing key was made in this test's instance folder; the server needs it.
    shutil.copytree(
        Path(app.instance_path) / "keys", tmp_path / "node" / "keys", dirs_exist_ok=True
    )
    # Two days later, on a server that nobody has told to close anything.
    later = {**env, "COMMONGROUND_TEST_CLOCK_OFFSET": str(int(timedelta(days=3).total_seconds()))}
    with Install(tmp_path / "node", env=later).start() as node:
        page = _sign_in(browser, node.url, officer.email)
        page.goto(f"{node.url}{ballot_path}/result")
        assert page.locator("#elected li").all_inner_texts() == ["Ann", "Cat"]
        assert page.locator("#turnout").inner_text() == "3"
        assert page.locator("svg.chart").count() == 1
        recount = page.locator("#recount-command").inner_text()
        with page.expect_download() as download:
            page.locator("#blt-link").click()
        blt = tmp_path / download.value.suggested_filename
        download.value.save_as(blt)
        page.get_by_role("button", name="Publish the result").click()
        assert "The result is published" in page.content()
        page.get_by_role("link", name="Publish as a signed endorsement").click()
        assert page.locator("#decision-preview").inner_text().count("Regional committee") == 1
        page.get_by_role("button", name="Sign and publish").click()
        page.locator("#signed-statements").wait_for()
        assert "Signed and published as statements 1, 2" in page.content()
        assert page.locator("#signed-statements code").count() == 2
        page.context.close()

    command = recount.split()
    assert command[:2] == ["commonground", "tally"]
    exe = shutil.which("commonground") or str(Path(sys.executable).parent / "commonground")
    out = subprocess.run(
        [exe, "tally", str(blt), *command[3:]],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(out.stdout)["elected"] == ["Ann", "Cat"]
