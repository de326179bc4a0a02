"""deploy/install.sh end to end, into a throwaway root: install, serve, upgrade in place.

The real script runs with the knobs only tests use (``CG_INSTALL_ROOT`` prefix, no apt, no
systemd, no system user). To stay fast and offline it builds the wheel once (the first run builds
it from this source tree, exactly as on a server) and installs it ``--no-index --no-deps`` into a
virtualenv whose path also holds the dev virtualenv's packages (``CG_EXTRA_SITE``): what is
tested is the script, the wheel and the written configuration, not PyPI.

gunicorn is then started from the installed virtualenv with the installed gunicorn.conf.py and
the written env file, on a socket this test binds first (so no polling for readiness), and the
first officer accepts the printed invitation over real HTTP. A second run upgrades: it backs up,
installs a new release, migrates, keeps the group, the officer and the secret.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "deploy" / "install.sh"
DOMAIN = "walton.example.org"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
PASSWORD = "solidarity-forever-1889"

pytestmark = pytest.mark.slow


def _dev_site() -> str:
    """The folder holding this interpreter's third-party packages (flask, gunicorn…)."""
    import flask

    return str(Path(flask.__file__).resolve().parents[1])


def run_install(root: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMONGROUND_", "CG_"))}
    env.update(
        CG_INSTALL_ROOT=str(root),
        CG_SKIP_APT="1",
        CG_SKIP_SYSTEMD="1",
        CG_SKIP_USER="1",
        CG_PYTHON=sys.executable,
        CG_PIP_ARGS="--no-index --no-deps",
        CG_EXTRA_SITE=_dev_site(),
        **extra,
    )
    done = subprocess.run(
        ["bash", str(INSTALL), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"install.sh failed:\n{done.stdout}\n{done.stderr}"
    return done


def read_env(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


class Served:
    """gunicorn from the installed release, on a pre-bound loopback socket."""

    def __init__(self, root: Path) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        opt = root / "opt" / "commonground"
        env = {
            "PATH": os.environ["PATH"],
            "LANG": "C.UTF-8",
            **read_env(root / "etc" / "commonground" / "commonground.env"),
        }
        # The unit runs venv/bin/gunicorn; gunicorn itself comes from CG_EXTRA_SITE here.
        self.proc = subprocess.Popen(
            [
                str(opt / "venv" / "bin" / "python"),
                "-m",
                "gunicorn",
                "--config",
                str(opt / "gunicorn.conf.py"),
                "--bind",
                f"fd://{self.sock.fileno()}",
                "node.wsgi:app",
            ],
            env=env,
            pass_fds=[self.sock.fileno()],
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.http = requests.Session()
        self.http.headers.update({"Host": DOMAIN, "X-Forwarded-Proto": "https"})

    def get(self, path: str) -> requests.Response:
        response = self.http.get(self.base + path, timeout=60, allow_redirects=False)
        self._unsecure_cookies()
        return response

    def post_form(self, path: str, data: dict[str, str]) -> requests.Response:
        page = self.get(path)
        match = CSRF.search(page.text)
        assert match, f"no CSRF token on {path}"
        token = next(g for g in match.groups() if g)
        response = self.http.post(
            self.base + path,
            data={**data, "csrf_token": token},
            timeout=60,
            allow_redirects=False,
            headers={"Referer": f"https://{DOMAIN}{path}"},
        )
        self._unsecure_cookies()
        return response

    def _unsecure_cookies(self) -> None:
        # The node marks cookies Secure (it is "behind HTTPS"); this test speaks plain HTTP.
        for cookie in self.http.cookies:
            cookie.secure = False

    def stop(self) -> str:
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=60)
        finally:
            self.sock.close()
        return err.decode(errors="replace")


def test_install_serve_then_upgrade_in_place(tmp_path):
    root = tmp_path / "root"
    first = run_install(root, DOMAIN, "officer@walton.example.org", "--group", "Walton Momentum")
    assert "Created group 'Walton Momentum'" in first.stdout
    link = re.search(rf"https://{re.escape(DOMAIN)}(/invite/\S+)", first.stdout)
    assert link, first.stdout

    env_file = root / "etc" / "commonground" / "commonground.env"
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"
    settings = read_env(env_file)
    assert settings["COMMONGROUND_BASE_URL"] == f"https://{DOMAIN}"
    assert settings["COMMONGROUND_SECURE_COOKIES"] == "true"
    assert settings["COMMONGROUND_INSTANCE_PATH"] == str(root / "var" / "lib" / "commonground")
    assert len(settings["COMMONGROUND_SECRET_KEY"]) >= 48
    for unit in (
        "commonground-web.service",
        "commonground-worker.service",
        "commonground-backup.service",
        "commonground-backup.timer",
    ):
        assert (root / "etc" / "systemd" / "system" / unit).is_file()
    caddyfile = (root / "etc" / "caddy" / "Caddyfile").read_text()
    assert f"{DOMAIN} {{" in caddyfile and not re.search(r"@[A-Z]+@", caddyfile)
    assert (root / "opt" / "commonground" / "static" / "style.css").is_file()
    if shutil.which("caddy"):
        from tests.deploy.test_config_files import caddy_validate

        caddy_validate(caddyfile, tmp_path)
    first_release = os.readlink(root / "opt" / "commonground" / "venv")

    server = Served(root)
    try:
        health = server.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert server.get("/signin").status_code == 200
        accepted = server.post_form(
            link.group(1), {"name": "Olive Officer", "password": PASSWORD, "confirm": PASSWORD}
        )
        assert accepted.status_code == 302, accepted.text[:500]
    finally:
        server.stop()

    # The wrapper installed for the administrator runs the installed command with the env file.
    wrapper = root / "usr" / "local" / "bin" / "commonground"
    roster = subprocess.run(
        [str(wrapper), "members", "export", "--group", "walton-momentum"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "Olive Officer" in roster.stdout

    wheel = next((Path(first_release).parent).glob("commonground-*.whl"))
    second = run_install(root, DOMAIN, "officer@walton.example.org", CG_WHEEL=str(wheel))
    assert "Backing up before the upgrade" in second.stdout
    assert "Existing groups kept" in second.stdout
    assert "/invite/" not in second.stdout  # never re-initialised
    assert read_env(env_file) == settings  # settings and secret untouched
    assert os.readlink(root / "opt" / "commonground" / "venv") != first_release
    assert list((root / "var" / "lib" / "commonground" / "backups").glob("pre-upgrade-*.tar.gz"))

    server = Served(root)
    try:
        assert server.get("/healthz").status_code == 200
        signed_in = server.post_form(
            "/signin", {"email": "officer@walton.example.org", "password": PASSWORD}
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        assert server.get("/").status_code == 200
    finally:
        server.stop()


def test_install_refuses_bad_arguments(tmp_path):
    env = {**os.environ, "CG_INSTALL_ROOT": str(tmp_path), "CG_SKIP_APT": "1"}
    for args, message in (
        ([], "install.sh DOMAIN ADMIN_EMAIL"),
        (["not a domain", "a@example.org"], "DOMAIN must be a host name"),
        (["walton.example.org", "nobody"], "ADMIN_EMAIL must be an e-mail address"),
        (["walton.example.org", "a@example.org", "--colour"], "unknown option --colour"),
    ):
        done = subprocess.run(
            ["bash", str(INSTALL), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode != 0
        assert message in done.stderr, done.stderr
    assert not any(tmp_path.iterdir())
