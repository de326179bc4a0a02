"""Upload pages say what they accept, and a file over the server's limit gets the app's own page
(in its layout, with the limit and what to do) instead of werkzeug's bare 413, with nothing
stored. The real-server test sends the body through gunicorn, as a browser behind Caddy would."""

from __future__ import annotations

import io

import pytest
import requests

from tests.members.test_csv_import import count_members
from tests.support.server import Install

LIMIT = 100_000


def _big_csv() -> bytes:
    rows = "".join(f"Member {i},m{i}@example.org\n" for i in range(LIMIT // 20))
    return f"name,email\n{rows}".encode()


def test_the_import_page_states_its_limits(officer_client, app):
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    body = officer_client.get("/members/import").get_data(as_text=True)
    assert "at most 5 MB and 50,000 rows" in body
    assert "split it into several files" in body


def test_a_file_over_the_limit_gets_the_apps_page_and_nothing_is_stored(officer_client, group, app):
    app.config["MAX_CONTENT_LENGTH"] = LIMIT
    data = _big_csv()
    assert len(data) > LIMIT
    before = count_members(group)
    response = officer_client.post_form("/members/import", {"file": (io.BytesIO(data), "m.csv")})
    body = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The file is too large" in body and '<strong id="upload-limit">97 KB</strong>' in body
    assert "Split the file into smaller files" in body
    assert "<footer>" in body and "style.css" in body  # the app's layout and stylesheet
    assert "Request Entity Too Large" not in body
    assert count_members(group) == before


def test_a_client_asking_for_json_gets_json(officer_client, app):
    app.config["MAX_CONTENT_LENGTH"] = LIMIT
    response = officer_client.post(
        "/members/import",
        data={"file": (io.BytesIO(_big_csv()), "m.csv")},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 413
    assert response.get_json() == {
        "error": "too-large",
        "detail": "The request is larger than this server accepts (97 KB).",
    }


@pytest.mark.slow
def test_through_a_real_server_the_413_is_the_apps_page(tmp_path):
    env = {"COMMONGROUND_MAX_UPLOAD_BYTES": str(LIMIT)}
    with Install(tmp_path / "node", env=env) as node:
        node.init("Walton", slug="walton")
        node.start()
        session = requests.Session()
        page = session.get(f"{node.url}/signin", timeout=30)
        assert page.status_code == 200
        # Anonymous: the body is refused by size before anyone is asked to sign in.
        response = session.post(
            f"{node.url}/members/import",
            files={"file": ("m.csv", _big_csv(), "text/csv")},
            timeout=30,
        )
        assert response.status_code == 413
        assert "The file is too large" in response.text and "97 KB" in response.text
