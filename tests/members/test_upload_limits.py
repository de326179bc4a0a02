"""Upload pages say what they accept, and a file over the server's limit gets the app's own page
(in its layout, with the limit and what to do) instead of werkzeug's bare 413, with nothing
stored. The real-server test sends the body through gunicorn, as a browser behind Caddy would."""

from __future__ import annotations

import io
import os
import random
import re
import socket
import subprocess
from pathlib import Path

import pytest
import requests

from tests.members.test_csv_import import count_members
from tests.support.server import Install
from tests.support.tools import needs

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _caddy_in_front(config: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HOME": str(config.parent), "XDG_DATA_HOME": str(config.parent / "d")}
    caddy = subprocess.Popen(
        ["caddy", "run", "--config", str(config), "--adapter", "caddyfile"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    for _ in range(400):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return caddy
        try:
            caddy.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f"caddy exited with {caddy.returncode}")
    raise AssertionError("caddy did not start listening")


@pytest.mark.slow
@needs("caddy")
def test_behind_caddy_a_file_over_both_limits_still_gets_the_apps_page(tmp_path):
    """Through the deploy Caddyfile's body limit (6 MB) to gunicorn as deployed (threads): a
    20 MB upload, over the app's 5 MB and Caddy's own limit, still gets the app's page, because
    the node answers from the declared length before Caddy has passed 6 MB on."""
    limit = re.search(r"\n\trequest_body \{.*?\n\t\}\n", (DEPLOY / "Caddyfile").read_text(), re.S)
    assert limit is not None and "max_size 6MB" in limit.group(0)
    with Install(tmp_path / "node") as node:
        node.init("Walton", slug="walton")
        node.start()
        port = _free_port()
        config = tmp_path / "Caddyfile"
        config.write_text(
            f"{{\n\tadmin off\n}}\nhttp://127.0.0.1:{port} {{{limit.group(0)}"
            f"\treverse_proxy 127.0.0.1:{node.port}\n}}\n"
        )
        caddy = _caddy_in_front(config, port)
        try:
            body = random.Random(7).randbytes(20 * 1024 * 1024)
            # Without the node's gentle close about one in twelve of these was a 502: eight tries.
            for _ in range(8):
                response = requests.post(
                    f"http://127.0.0.1:{port}/members/import",
                    files={"file": ("m.csv", body, "text/csv")},
                    timeout=60,
                )
                assert response.status_code == 413, response.text[:200]
                assert "The file is too large" in response.text and "5 MB" in response.text
        finally:
            caddy.terminate()
            caddy.wait(timeout=10)
