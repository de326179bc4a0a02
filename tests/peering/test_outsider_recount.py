"""A recount anyone can run (issue 20): an outsider with no account fetches a published
selection's anonymised papers and the group's signed decision, checks the one against the other,
and counts the papers again with `commonground tally` in a process of their own."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

from federation import statements as fst
from node.ballots.operations import b64url_sha256
from node.extensions import db
from tests.peering import test_ballot_decisions as decisions
from tests.peering.conftest import WALTON
from tests.peering.test_ballot_decisions import close, create, ranked, vote

people, officer, voters = decisions.people, decisions.officer, decisions.voters  # fixtures

CANDIDATES = "Ann Lee\nBob Roy\nCat Sims\nDev Shah\nEve Cole"


def _select_two(officer, voters) -> int:  # type: ignore[no-untyped-def]
    ballot_id = create(officer, method="scottish-stv", seats="2", options=CANDIDATES)
    vote(
        voters,
        ballot_id,
        [
            ranked(ballot_id, "Ann Lee", "Bob Roy", "Cat Sims"),
            ranked(ballot_id, "Dev Shah", "Ann Lee"),
            ranked(ballot_id, "Cat Sims", "Eve Cole", "Ann Lee"),
        ],
    )
    close(officer, ballot_id)
    assert officer.post(f"/ballots/{ballot_id}/publish", page=f"/ballots/{ballot_id}/result")
    done = officer.post(f"/ballots/{ballot_id}/decision")
    assert done.status_code == 302, done.get_data(as_text=True)[:1000]
    return ballot_id


def test_an_outsider_recounts_a_published_selection_and_matches_the_signed_statement(
    app, walton, officer, voters, tmp_path: Path
) -> None:
    ballot_id = _select_two(officer, voters)
    outsider = app.test_client()  # no account, no cookie: anyone on the web

    # The group's signed decisions, verified with the protocol library and the group's JWKS.
    jwks = outsider.get("/federation/jwks.json", base_url=WALTON).get_json()
    items = outsider.get("/federation/outbox", base_url=WALTON).get_json()["items"]
    lookup = fst.static_lookup({WALTON: jwks["keys"]})
    bodies = [fst.verify(compact, lookup).payload["body"] for compact in items]
    assert len(bodies) == 2 and {b["decision"]["method"] for b in bodies} == {"scottish-stv"}
    signed_hash = bodies[0]["decision"]["ballots_hash"]
    signed_winners = sorted(b["candidate"] for b in bodies)

    # The public result page, its JSON and the anonymised papers, without signing in.
    page = outsider.get(f"/ballots/{ballot_id}/result", base_url=WALTON)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Check the count yourself" in html
    assert "Find your paper" not in html  # receipts are for members
    result = outsider.get(f"/ballots/{ballot_id}/result.json", base_url=WALTON).get_json()
    blt = outsider.get(f"/ballots/{ballot_id}/ballots.blt", base_url=WALTON).get_data()
    assert b64url_sha256(blt) == signed_hash == result["ballots_hash"]

    # The recount, as the page tells anyone to run it, in the outsider's own process.
    argv = shlex.split(result["recount"])
    assert argv[:2] == ["commonground", "tally"]
    blt_path = tmp_path / argv[2]
    blt_path.write_bytes(blt)
    recount = subprocess.run(
        [str(Path(sys.executable).parent / "commonground"), "tally", str(blt_path), *argv[3:]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert recount.returncode == 0, recount.stderr
    recounted = json.loads(recount.stdout)
    assert recounted["elected"] == result["elected"]
    assert sorted(recounted["elected"]) == signed_winners
    assert recounted["rounds"] == result["rounds"]


def test_a_group_can_keep_published_results_for_members(app, walton, officer, voters) -> None:
    ballot_id = _select_two(officer, voters)
    settings = officer.client.get("/public/settings", base_url=WALTON).get_data(as_text=True)
    box = re.search(r'<input[^>]*name="results_public"[^>]*>', settings)
    assert box is not None and "checked" in box.group(0)  # open to recount by default
    saved = officer.post("/public/settings", {"description": "", "join_open": "y"})
    assert saved.status_code == 302
    db.session.refresh(walton)
    assert walton.results_public is False

    outsider = app.test_client()
    for path in ("result", "result.json", "ballots.blt"):
        refused = outsider.get(f"/ballots/{ballot_id}/{path}", base_url=WALTON)
        assert refused.status_code == 302 and "/signin" in refused.headers["Location"], path
    assert voters[0].get(f"/ballots/{ballot_id}/ballots.blt").status_code == 200


def test_unpublished_results_stay_closed_to_outsiders(app, walton, officer, voters) -> None:
    ballot_id = create(officer)
    close(officer, ballot_id)  # closed, counted, not yet published
    outsider = app.test_client()
    for path in ("result", "result.json", "ballots.blt"):
        refused = outsider.get(f"/ballots/{ballot_id}/{path}", base_url=WALTON)
        assert refused.status_code == 302, path
    assert voters[0].get(f"/ballots/{ballot_id}/result").status_code == 404
