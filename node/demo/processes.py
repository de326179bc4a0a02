"""The processes of ``commonground demo-federation``: ports, gunicorn per site, workers, stopping.

Ports are bound here, in the demo's own process, before anything is created or seeded: a busy
port is one sentence (which port, how to choose others) and leaves nothing behind, and no other
program can take the port between the check and gunicorn starting on the bound socket. Every
child is asked to die with the demo (Linux PR_SET_PDEATHSIG), so even a demo killed with -9
leaves no server holding a port; Ctrl-C and SIGTERM stop them in order (``stop``).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from node.cli.serve import listen

READY_ATTEMPTS = 50
BIN = Path(sys.executable).parent
PORT_HINT = (
    "start on other ports with --port N or COMMONGROUND_DEMO_PORT=N make run "
    "(the hub takes N, the groups N+1 and N+2)"
)


@dataclass
class Site:
    slug: str
    name: str
    port: int
    region: str | None
    folder: Path
    host: str = "127.0.0.1"
    sock: socket.socket | None = None
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def is_hub(self) -> bool:
        return self.region is None

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "COMMONGROUND_INSTANCE_PATH": str(self.folder),
            "COMMONGROUND_BASE_URL": self.url,
            "COMMONGROUND_MAIL_ENABLED": os.environ.get("COMMONGROUND_MAIL_ENABLED", "false"),
            "COMMONGROUND_ALLOW_PRIVATE_PEERS": "true",  # the demo's sites are on 127.0.0.1
        }
        env.pop("COMMONGROUND_DATABASE_URL", None)  # always the site's own SQLite file
        return env

    def app(self) -> Any:
        from node import create_app

        return create_app(
            {
                "INSTANCE_PATH": str(self.folder),
                "BASE_URL": self.url,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{self.folder / 'commonground.db'}",
                "MAIL_ENABLED": False,
                "ALLOW_PRIVATE_PEERS": True,
            }
        )


def _parent_death_signal() -> Callable[[], None] | None:
    """A pre-exec function asking the kernel to SIGTERM the child when the demo dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def set_signal() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return set_signal


def bind(all_sites: list[Site]) -> None:
    """Listen on every site's port now, or close what was bound and fail with one sentence."""
    try:
        for site in all_sites:
            if site.sock is None:
                site.sock = listen(site.host, site.port, PORT_HINT)
                os.set_inheritable(site.sock.fileno(), True)
    except click.ClickException:
        release(all_sites)
        raise


def release(all_sites: list[Site]) -> None:
    for site in all_sites:
        if site.sock is not None:
            site.sock.close()
            site.sock = None


def _spawn(site: Site, argv: list[str], log: Path, pass_fds: tuple[int, ...] = ()) -> None:
    out = open(log, "ab")  # noqa: SIM115 - the child keeps it
    try:
        site.processes.append(
            subprocess.Popen(  # noqa: S603 (our own gunicorn and worker command lines)
                argv,
                env=site.env(),
                pass_fds=pass_fds,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_parent_death_signal(),
            )
        )
    finally:
        out.close()


def start_servers(all_sites: list[Site], log: Path | None = None) -> None:
    """gunicorn per site on its socket bound here (a request waits in the backlog until the app
    is up, so nothing polls or sleeps); then one bounded readiness request each."""
    import requests

    bind(all_sites)
    for site in all_sites:
        if site.sock is None:
            raise click.ClickException(f"the port of {site.slug} was not bound")
        site.folder.mkdir(parents=True, exist_ok=True)
        fd = site.sock.fileno()
        argv = [
            str(BIN / "gunicorn"), "--bind", f"fd://{fd}", "--workers", "1", "--threads", "4",
            "--worker-class", "gthread", "--graceful-timeout", "2", "--timeout", "60",
            "node.wsgi:app",
        ]  # fmt: skip
        _spawn(site, argv, log or site.folder / "server.log", pass_fds=(fd,))
    for site in all_sites:
        for _ in range(READY_ATTEMPTS):
            if site.processes[-1].poll() is not None:
                raise click.ClickException(f"{site.name} server exited; see its server.log")
            try:
                requests.get(site.url + "/healthz", timeout=60).raise_for_status()
                break
            except (requests.ConnectionError, requests.Timeout):
                continue
        else:
            raise click.ClickException(f"{site.url} did not answer")


def start_workers(all_sites: list[Site]) -> None:
    for site in all_sites:
        argv = [str(BIN / "commonground"), "worker", "--interval", "5"]
        _spawn(site, argv, site.folder / "worker.log")


def stop(all_sites: list[Site]) -> None:
    """SIGTERM every child, wait for each (kill after 15 s), then close the sockets."""
    for site in all_sites:
        for process in site.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
    for site in all_sites:
        for process in site.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        site.processes.clear()
    release(all_sites)
