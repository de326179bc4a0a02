"""Static checks of deploy/: shellcheck on every script, systemd-analyze verify on the units,
caddy validate on the Caddyfile, and the Docker files read as intended. Each test skips with a
clear reason only when its tool is missing (.ci/run installs shellcheck, systemd and caddy)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.support.tools import needs

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
UNITS = sorted(DEPLOY.glob("commonground-*.service")) + sorted(DEPLOY.glob("*.timer"))


def shell_scripts() -> list[Path]:
    found = [REPO / ".ci" / "run"]
    for path in sorted(DEPLOY.iterdir()):
        if path.is_file() and path.read_bytes()[:2] == b"#!" and b"sh" in path.read_bytes()[:30]:
            found.append(path)
    return found


@needs("shellcheck")
def test_shellcheck_passes_on_every_script():
    scripts = shell_scripts()
    assert {p.name for p in scripts} >= {"install.sh", "commonground.sh", "docker-entrypoint.sh"}
    done = subprocess.run(
        ["shellcheck", "--severity=style", *map(str, scripts)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for script in scripts:
        assert os.access(script, os.X_OK), f"{script} is not executable"


@needs("systemd-analyze")
def test_systemd_units_verify(tmp_path):
    """Verified from a copy whose /opt/commonground/venv/bin/* point at stub executables that
    exist (verify checks ExecStart paths); every other line is the shipped unit's."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("gunicorn", "commonground"):
        stub = bin_dir / name
        stub.write_text("#!/bin/sh\n")
        stub.chmod(0o755)
    copies = []
    for unit in UNITS:
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text().replace("/opt/commonground/venv/bin/", f"{bin_dir}/"))
        copies.append(str(copy))
    done = subprocess.run(
        ["systemd-analyze", "verify", *copies], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), (
        done.stdout + done.stderr
    )


@pytest.mark.parametrize(
    "unit",
    ["commonground-web.service", "commonground-worker.service", "commonground-backup.service"],
)
def test_units_are_hardened(unit):
    text = (DEPLOY / unit).read_text()
    for line in (
        "User=commonground",
        "NoNewPrivileges=true",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/commonground",
        "PrivateTmp=true",
        "ProtectHome=true",
        "EnvironmentFile=/etc/commonground/commonground.env",
    ):
        assert line in text.splitlines(), f"{unit} lacks {line}"
    if unit != "commonground-backup.service":
        assert "Restart=on-failure" in text
    assert "ExecStart=/opt/commonground/venv/bin/" in text


def test_gunicorn_sized_for_a_small_server():
    settings: dict[str, object] = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), settings)
    assert settings["workers"] == 2 and settings["threads"] == 4
    assert settings["max_requests"] and settings["max_requests_jitter"]  # a backstop
    assert 200 <= settings["max_memory_mb"] <= 400  # two of them, the worker and a database: 1 GB
    assert settings["bind"] == "127.0.0.1:8000" and settings["preload_app"] is True


def caddy_validate(text: str, tmp_path: Path) -> None:
    config = tmp_path / "Caddyfile"
    config.write_text(text)
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    done = subprocess.run(
        ["caddy", "validate", "--config", str(config), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Valid configuration" in done.stdout + done.stderr


@needs("caddy")
def test_caddyfile_validates(tmp_path):
    text = (DEPLOY / "Caddyfile").read_text()
    assert set(re.findall(r"@[A-Z]+@", text)) == {"@DOMAIN@", "@EMAIL@", "@OPT@"}
    rendered = (
        text.replace("@DOMAIN@", "walton.example.org")
        .replace("@EMAIL@", "officer@example.org")
        .replace("@OPT@", "/opt/commonground")
    )
    caddy_validate(rendered, tmp_path)


def test_dockerfile_is_multi_stage_non_root_with_healthcheck():
    text = (DEPLOY / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", text, re.M)) == 2
    assert re.search(r"^USER commonground$", text, re.M)
    assert "HEALTHCHECK" in text and "/healthz" in text
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text()
    for copied in re.findall(r"^COPY (?!--from)(?:--\S+ )*(\S+)", text, re.M):
        assert f"!{copied.rstrip('/')}" in ignored or copied == "./", copied
    entry = (DEPLOY / "docker-entrypoint.sh").read_text()
    assert "gunicorn --config /etc/commonground/gunicorn.conf.py node.wsgi:app" in entry


def test_compose_file_parses_and_env_example_uses_real_settings():
    yaml = pytest.importorskip("yaml", reason="PyYAML not installed")
    from node.config import SETTINGS

    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"node", "worker", "postgres"} <= set(services)
    assert services["postgres"]["profiles"] == ["postgres"]
    assert services["worker"]["command"] == ["worker"]
    assert services["node"]["build"]["dockerfile"] == "deploy/Dockerfile"
    known = {s.env for s in SETTINGS} | {"POSTGRES_PASSWORD"}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        line = line.lstrip("#")
        if re.match(r"^[A-Z_]+=", line):
            assert line.split("=")[0] in known, line
