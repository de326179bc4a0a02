"""In a real browser, hub and node as separate processes: a national member signs in to the
node through the hub, consents, lands signed in; the node's officer sees the national status;
the member sees and revokes the node on the hub; signing out of the node works.

The node is addressed as ``localhost`` and the hub as ``127.0.0.1`` so the browser keeps their
session cookies apart (cookies ignore ports).
"""

from __future__ import annotations

import json
import re

import pytest

from tests.support.browser import accept_invitation
from tests.support.server import Install

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _link(text: str) -> str:
    return re.search(r"http://\S+/invite/\S+", text).group(0)


@pytest.fixture
def pair(tmp_path):
    with Install(tmp_path / "hub") as hub, Install(tmp_path / "node") as node:
        node.url = f"http://localhost:{node.port}"
        node.env["COMMONGROUND_BASE_URL"] = node.url
        hub.cli(
            "init",
            "--group",
            "National Hub",
            "--slug",
            "hub",
            "--role",
            "hub",
            "--url",
            hub.url,
            "--admin",
            "office@hub.example.org",
        )
        national = tmp_path / "national.csv"
        national.write_text(
            "name,email,member_since,status,paid_until,groups\n"
            "Gita Good,gita@example.org,2019-05-01,good-standing,,Walton\n"
        )
        hub.cli("oidc", "import-members", str(national), "--group", "hub")
        # The import made Gita's hub account; she chooses its password through a reset link,
        # which is what proves her address (mail is off here, so the link is made in-process).
        gita_link = (
            hub.url
            + hub.python(
                "from datetime import timedelta\n"
                "from node.auth import operations as ops\n"
                "from node.extensions import db\n"
                "account = ops.account_for_email('gita@example.org')\n"
                "token = ops.mailed_link(account, 'reset', timedelta(hours=2))\n"
                "db.session.commit()\n"
                "print('/reset/' + token)\n"
            )
            .strip()
            .splitlines()[-1]
        )

        officer_link = _link(
            node.cli(
                "init",
                "--group",
                "Walton Momentum",
                "--slug",
                "walton",
                "--url",
                node.url,
                "--admin",
                "sam@example.org",
            ).stdout
        )
        roster = tmp_path / "roster.csv"
        roster.write_text("name,email\nGita Good,gita@example.org\n")
        node.cli("members", "import", str(roster), "--group", "walton")
        out = node.cli(
            "oidc", "connect", "--group", "walton", "--issuer", hub.url, "--print-registration"
        ).stdout
        registration = json.loads(out.strip().splitlines()[-1])
        jwks = tmp_path / "walton-jwks.json"
        jwks.write_text(json.dumps(registration["jwks"]))
        hub.cli(
            "oidc",
            "register-client",
            "--group",
            "hub",
            "--client-id",
            registration["client_id"],
            "--redirect-uri",
            registration["redirect_uri"],
            "--jwks-file",
            str(jwks),
            "--name",
            "Walton Momentum",
        )
        hub.start()
        node.start()
        yield hub, node, gita_link, officer_link


def test_member_signs_in_through_the_hub(browser, pair):
    hub, node, gita_link, officer_link = pair
    member = browser.new_context()
    page = member.new_page()
    page.goto(gita_link)
    page.get_by_label("New password").fill("gita-long-password")
    page.get_by_label("Repeat the password").fill("gita-long-password")
    page.get_by_role("button", name="Save the new password").click()
    page.get_by_role("button", name="Sign out").click()  # a fresh visit: signed out of the hub

    page.goto(node.url + "/signin")
    page.get_by_role("link", name="Sign in with your national account").click()
    # On the hub: sign in, then the consent screen names the node.
    page.get_by_label("E-mail").fill("gita@example.org")
    page.get_by_label("Password").fill("gita-long-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=re.compile("Sign in to Walton Momentum")).wait_for()
    page.get_by_role("button", name="Allow").click()
    # Back on the node, signed in.
    page.get_by_text("Signed in with your national account").wait_for()
    assert page.url.startswith(node.url)
    page.get_by_role("heading", name="Walton Momentum").wait_for()

    # The officer sees the national membership status on Gita's page.
    officer = browser.new_context()
    opage = officer.new_page()
    accept_invitation(opage, officer_link, "Sam Officer", "a-long-officer-password")
    opage.get_by_role("link", name="Members", exact=True).click()
    opage.get_by_role("link", name="All members").click()  # the section's page
    opage.get_by_role("link", name="Gita Good").click()
    opage.get_by_role("heading", name="National membership").wait_for()
    assert opage.locator(".national-status").inner_text() == "in good standing"

    # Logout at the node; national sign-in again needs no second consent.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name=re.compile("^Sign in")).wait_for()
    page.get_by_role("link", name="Sign in with your national account").click()
    page.get_by_text("Signed in with your national account").wait_for()

    # On the hub, Gita sees the node and withdraws it.
    page.goto(hub.url + "/oidc/connections")
    page.get_by_text("Walton Momentum").wait_for()
    page.get_by_role("button", name="Revoke").click()
    page.get_by_text("can no longer use your national account").wait_for()
    for ctx in (member, officer):
        ctx.close()
