"""The whole electorate votes, end to end, against real processes and the real SMTP sink.

A group imports 40 members by CSV (``commonground members import``: none has an account; the
importer requires an address, so the code voters are members voting in the room), an STV ballot opens (in a separate process, mailing the sink), and every
elector with an address receives exactly one mail with a working link. Then, against a real
gunicorn: 30 vote by link, each in a fresh browser context (Debian's chromium, one browser for
the module, no account): they open the mailed link, rank on the real ballot form, submit and see
the receipt. The officer prints 3 voting codes on the web and those 3 vote at ``/vote``; 2
members vote signed in (both over ``requests`` sessions). Reusing a link or a code is refused
with a clear page. The worker closes the ballot (clock moved forward), the turnout is 35 with the
right split by method, and the published BLT recounts through ``node.ballots.counting`` to the
published result.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import requests
from playwright.sync_api import expect

from node.ballots.counting import count, read_blt
from tests.support.fixtures import PASSWORD
from tests.support.server import Install

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LINK = re.compile(r"http://127\.0\.0\.1:\d+(/vote/[A-Za-z0-9_-]+)")
SLIP = re.compile(r'class="slip-name">([^<]+)<.*?class="receipt slip-code">([A-Z0-9-]+)<', re.S)
CANDIDATES = ["Ann", "Bob", "Cat", "Dee"]
OPEN = """
from datetime import timedelta
from sqlalchemy import select
from werkzeug.security import generate_password_hash
from node import clock
from node.ballots import operations as ops
from node.extensions import db
from node.groups.models import Group
from node.members.models import Account, Member
group = db.session.scalar(select(Group))
hashed = generate_password_hash({password!r}, method="pbkdf2:sha256:1000")
for email in {accounts!r}:
    member = db.session.scalar(select(Member).where(Member.email == email))
    if member is None:  # the officer `init` invited (as if they had accepted)
        member = Member(group_id=group.id, name="Olive Officer", email=email, role="officer")
        db.session.add(member)
    if member.account_id is None:
        account = Account(email=email, password_hash=hashed)
        db.session.add(account)
        db.session.flush()
        member.account_id = account.id
    else:
        db.session.get(Account, member.account_id).password_hash = hashed
now = clock.utcnow_naive().replace(microsecond=0)
spec = ops.BallotSpec(
    title="Regional delegates", question="Rank the nominees for two delegates.",
    kind="candidate-selection", method="scottish-stv", options={candidates!r}, seats=2,
    opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=2),
    freeze_on=clock.today(), office="Regional committee", area="South East",
)
ballot = ops.create_ballot(group, spec, None)
ops.schedule_ballot(ballot, None, open_now=True)
db.session.commit()
print(ballot.id, ballot.electorate_size)
"""


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=60)
    assert page.status_code == 200, page.text[:300]
    return CSRF.search(page.text).group(1)


def _ranking(n: int) -> list[str]:
    """Varied rankings, so the STV count transfers votes."""
    order = CANDIDATES[n % 4 :] + CANDIDATES[: n % 4]
    return order[: 1 + n % 3] if n % 5 else [order[1], order[0]]


def _form(option_ids: dict[str, str], names: list[str]) -> dict[str, str]:
    form = {f"rank-{i}": "" for i in option_ids.values()}
    form.update({f"rank-{option_ids[name]}": str(n) for n, name in enumerate(names, 1)})
    return form


def _sign_in(url: str, email: str) -> requests.Session:
    session = requests.Session()
    reply = session.post(
        f"{url}/signin",
        data={"email": email, "password": PASSWORD, "csrf_token": _csrf(session, f"{url}/signin")},
        allow_redirects=False,
        timeout=60,
    )
    assert reply.status_code == 302, reply.text[:300]
    return session


def test_forty_imported_members_vote_by_link_code_and_signed_in(browser, tmp_path, smtp_sink):
    smtp_sink.clear()
    mail = {
        "COMMONGROUND_MAIL_ENABLED": "true",
        "COMMONGROUND_SMTP_HOST": "127.0.0.1",
        "COMMONGROUND_SMTP_PORT": str(smtp_sink.port),
    }
    with Install(tmp_path / "node", env=mail) as node:
        node.init("Walton", slug="walton", admin="officer@walton.example.org")
        roster = tmp_path / "roster.csv"
        rows = [f"Member {n:02d},m{n:02d}@walton.example.org\n" for n in range(40)]
        roster.write_text("name,email\n" + "".join(rows))
        node.cli("members", "import", str(roster), "--group", "walton")
        smtp_sink.clear()  # the officer's invitation from init

        signed_in = ["m33@walton.example.org", "m34@walton.example.org"]
        accounts = [*signed_in, "officer@walton.example.org"]
        out = node.python(OPEN.format(password=PASSWORD, accounts=accounts, candidates=CANDIDATES))
        ballot_id, electorate = (int(v) for v in out.split())
        assert electorate == 41  # 40 imported + the officer

        # Every elector with an address: exactly one mail, with exactly one link.
        with_address = [f"m{n:02d}@walton.example.org" for n in range(40)]
        assert sorted(smtp_sink.recipients()) == sorted([*with_address, accounts[-1]])
        links = {}
        for address in [*with_address, accounts[-1]]:
            (message,) = smtp_sink.to(address)
            found = LINK.findall(smtp_sink.body(message))
            assert len(found) == 1, smtp_sink.body(message)
            links[address] = found[0]
        assert len(set(links.values())) == 41

        node.start()
        options: dict[str, str] | None = None
        for n, address in enumerate(with_address[:30]):  # 30 by link, fresh context, no account
            context = browser.new_context()
            context.set_default_timeout(60_000)
            page = context.new_page()
            opened = page.goto(node.url + links[address])
            assert opened is not None and opened.status == 200, page.content()[:300]
            assert page.get_by_role("link", name="Sign in").count() == 0  # no account needed
            if options is None:
                ids = re.findall(r'<label for="rank-(\d+)">([^<]+)</label>', page.content())
                options = {name: i for i, name in ids}
            ranking = _ranking(n)
            for rank, name in enumerate(ranking, 1):
                page.get_by_label(name, exact=True).select_option(str(rank))
            page.get_by_role("button", name="Check my vote").click()
            with page.expect_response(lambda r: r.request.method == "POST") as posted:
                page.get_by_role("button", name="Cast my vote").click()
            assert posted.value.status == 201, page.content()[:500]
            expect(page.get_by_role("heading", name="Your vote is in")).to_be_visible()
            assert page.locator("#receipt-choices").inner_text() == " > ".join(ranking)
            context.close()
        assert options is not None

        reused = requests.get(node.url + links[with_address[0]], timeout=60)
        assert reused.status_code == 409
        assert "This voting link has already been used to vote" in reused.text
        context = browser.new_context()  # and in a fresh browser, as a voter would see it
        page = context.new_page()
        opened = page.goto(node.url + links[with_address[0]])
        assert opened is not None and opened.status == 409
        expect(
            page.get_by_role("heading", name="This voting link has already been used to vote")
        ).to_be_visible()
        context.close()

        # The officer prints 3 codes for members voting in the room; they vote at /vote.
        officer = _sign_in(node.url, accounts[-1])
        turnout = officer.get(f"{node.url}/ballots/{ballot_id}/turnout", timeout=60).text
        no_email = re.findall(
            r'name="member" value="(\d+)" id="member-\d+" aria-label="Print a code for Member 3[0-2]"',
            turnout,
        )
        assert len(no_email) == 3
        slips = officer.post(
            f"{node.url}/ballots/{ballot_id}/codes",
            data={"member": no_email, "csrf_token": CSRF.search(turnout).group(1)},
            timeout=60,
        )
        assert slips.status_code == 200 and "once only" in slips.text
        codes = SLIP.findall(slips.text)
        assert sorted(name for name, _ in codes) == ["Member 30", "Member 31", "Member 32"]
        for n, (_, code) in enumerate(codes, 30):
            voter = requests.Session()
            token = _csrf(voter, f"{node.url}/vote")
            paper = voter.post(
                f"{node.url}/vote", data={"code": code, "csrf_token": token}, timeout=60
            )
            assert paper.status_code == 200 and "Regional delegates" in paper.text
            reply = voter.post(
                f"{node.url}/vote",
                data={
                    **_form(options, _ranking(n)),
                    "code": code,
                    "cast": "1",
                    "csrf_token": token,
                },
                timeout=60,
            )
            assert reply.status_code == 201, reply.text[:500]
        again = requests.Session()
        refused = again.post(
            f"{node.url}/vote",
            data={"code": codes[0][1], "csrf_token": _csrf(again, f"{node.url}/vote")},
            timeout=60,
        )
        assert refused.status_code == 409
        assert "This voting code has already been used to vote" in refused.text

        for n, address in enumerate(signed_in, 33):  # 2 signed in
            member = _sign_in(node.url, address)
            token = _csrf(member, f"{node.url}/ballots/{ballot_id}")
            reply = member.post(
                f"{node.url}/ballots/{ballot_id}/vote",
                data={**_form(options, _ranking(n)), "csrf_token": token},
                timeout=60,
            )
            assert reply.status_code == 201, reply.text[:500]

        turnout = officer.get(f"{node.url}/ballots/{ballot_id}/turnout", timeout=60).text
        assert re.search(r'id="turnout-total">35<', turnout)
        assert re.search(r'id="method-link">30<', turnout)
        assert re.search(r'id="method-code">3<', turnout)
        assert re.search(r'id="method-signed_in">2<', turnout)

        # Close (the worker, with its clock past the close), publish, download, recount.
        later = {"COMMONGROUND_TEST_CLOCK_OFFSET": str(timedelta(days=3).total_seconds())}
        node.worker_once(env=later)
        result_page = officer.get(f"{node.url}/ballots/{ballot_id}/result", timeout=60)
        published = officer.post(
            f"{node.url}/ballots/{ballot_id}/publish",
            data={"csrf_token": CSRF.search(result_page.text).group(1)},
            timeout=60,
        )
        assert published.status_code == 200
        result = json.loads(officer.get(f"{node.url}/ballots/{ballot_id}/result.json").text)
        assert result["state"] == "published" and result["turnout"] == 35
        blt = officer.get(f"{node.url}/ballots/{ballot_id}/ballots.blt", timeout=60).text
        election = read_blt(blt)
        assert election.total_weight == 35
        recount = count(election, "scottish-stv", seats=2, seed=result["seed"])
        assert recount.elected == result["elected"] and len(result["elected"]) == 2
        assert requests.get(node.url + links[with_address[35]], timeout=60).status_code == 410
