"""Secrets in URLs (invitation, reset, confirmation, unsubscribe and calendar-feed tokens; the
national sign-in code in the query) stay out of gunicorn's and Caddy's logs.

gunicorn: the logger class deploy/gunicorn.conf.py names writes real access lines. Every route
with a ``token`` argument is covered (a new one fails here until node.ops.accesslog knows it).
Caddy: the Caddyfile's filters carry the same pattern, and a real caddy (when installed) logs a
request for a token URL without the token, in its access log and in its error log.
"""

from __future__ import annotations

import datetime
import os
import re
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from node.ops.accesslog import PATTERN, redact
from tests.support.tools import needs

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SECRET = "Sx7kQp2TokenValue9"


def _gunicorn_settings() -> dict:
    settings: dict = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), settings)
    return settings


def _log_line(tmp_path: Path, method: str, uri: str, referer: str = "-") -> str:
    """One access line as gunicorn, configured by deploy/gunicorn.conf.py, writes it."""
    settings = _gunicorn_settings()
    cfg = Config()
    cfg.set("logger_class", settings.get("logger_class", "gunicorn.glogging.Logger"))
    cfg.set("access_log_format", settings["access_log_format"] + ' "%(f)s" %(U)s %(q)s')
    cfg.set("accesslog", str(tmp_path / "access.log"))
    logger = cfg.logger_class(cfg)
    path, _, query = uri.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "RAW_URI": uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": referer,
    }
    response = SimpleNamespace(status="200 OK", sent=12, headers=[])
    request = SimpleNamespace(headers=[("REFERER", referer)])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=3))
    for handler in list(logger.access_log.handlers):  # gunicorn's logger is process-wide:
        handler.close()  # close the file here, or the next test's setup drops it still open
        logger.access_log.removeHandler(handler)
    return (tmp_path / "access.log").read_text()


@pytest.mark.parametrize(
    "uri",
    [
        f"/invite/{SECRET}",
        f"/g/walton/reset/{SECRET}",
        f"/confirm/{SECRET}",
        f"/unsubscribe/{SECRET}",
        f"/events/feed/{SECRET}.ics",
        f"/signin/national/callback?code={SECRET}&state=abc",
    ],
)
def test_gunicorn_access_log_has_no_tokens(tmp_path, uri):
    line = _log_line(tmp_path, "GET", uri, referer=f"https://walton.example.org/invite/{SECRET}")
    assert SECRET not in line, line
    assert "203.0.113.9" in line and " 200 " in line  # still a useful line
    assert uri.split(SECRET)[0].split("?")[0] in line  # the route stays visible


def test_every_route_with_a_token_is_redacted(app):
    adapter = app.url_map.bind("localhost")
    checked = 0
    for rule in app.url_map.iter_rules():
        secret_args = [a for a in rule.arguments if "token" in a or "secret" in a]
        if not secret_args:
            continue
        values = dict.fromkeys(rule.arguments, "1") | dict.fromkeys(secret_args, SECRET)
        path = adapter.build(rule.endpoint, values)
        assert SECRET not in redact(f"GET {path} HTTP/1.1"), f"{rule.rule} logs its token"
        checked += 1
    assert checked >= 5


def test_caddyfile_filters_use_the_same_pattern():
    text = (DEPLOY / "Caddyfile").read_text()
    filters = re.findall(r'request>uri regexp "([^"]*)" "\$\{1\}\$\{2\}\[redacted\]"', text)
    assert filters == [PATTERN, PATTERN]  # the default (error) log and the access log
    assert text.count("request>headers>Referer delete") == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(process: subprocess.Popen, port: int) -> None:
    for _ in range(400):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        try:
            process.wait(timeout=0.05)  # waits on the process, and notices if it died
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f"caddy exited with {process.returncode}")
    raise AssertionError("caddy did not start listening")


@needs("caddy")
def test_caddy_logs_no_tokens(tmp_path):
    """A real caddy with the Caddyfile's log settings, proxying to a node that is down (so it
    writes an error line too)."""
    text = (DEPLOY / "Caddyfile").read_text()
    default_log = re.search(r"\n\tlog default \{.*?\n\t\}\n", text, re.S).group(0)
    site_log = re.search(r"\n\tlog \{.*?\n\t\}\n", text, re.S).group(0)
    port, dead = _free_port(), _free_port()
    config = tmp_path / "Caddyfile"
    config.write_text(
        f"{{\n\tadmin off{default_log}}}\n"
        f"http://127.0.0.1:{port} {{\n\treverse_proxy 127.0.0.1:{dead}{site_log}}}\n"
    )
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "d")}
    log = tmp_path / "caddy.log"
    with log.open("w") as out:
        caddy = subprocess.Popen(
            ["caddy", "run", "--config", str(config), "--adapter", "caddyfile"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            _wait_for_port(caddy, port)
            url = f"http://127.0.0.1:{port}/g/walton/invite/{SECRET}?code={SECRET}"
            with pytest.raises(urllib.error.HTTPError) as answered:
                urllib.request.urlopen(url, timeout=10)
            answered.value.close()  # the error holds the response and its socket
            assert answered.value.code == 502  # the node behind it is down
        finally:
            caddy.terminate()
            caddy.wait(timeout=10)
    written = log.read_text()
    assert "handled request" in written and "/g/walton/invite/[redacted]?[redacted]" in written
    assert "dial tcp" in written  # the error line was written, filtered
    assert SECRET not in written, written
