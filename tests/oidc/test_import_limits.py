"""The national membership import page says what it accepts (tests/members/test_upload_limits.py
has the 413 page a larger file gets)."""

from __future__ import annotations

from tests.oidc.conftest import HUB


def test_the_national_import_page_states_its_limits(client, sso):
    client.sign_in(sso["hub_officer"].email, base_url=HUB)
    body = client.get("/oidc/members/import", base_url=HUB).get_data(as_text=True)
    assert "at most 5 MB and 50,000 rows" in body
