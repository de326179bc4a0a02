"""Real Commonground installs for end-to-end tests: one instance folder + SQLite database each
(or the database ``env`` names), served by gunicorn on a loopback port, driven through the
``commonground`` CLI.

    with Install(tmp_path / "a") as a:
        a.init("Walton", slug="walton")        # commonground init --url <a.url> ...
        a.start()                               # gunicorn node.wsgi:app
        a.get("/healthz").json()
        a.cli("statements", "list", "--group", "walton")
        a.worker_once()                         # commonground worker --once
        a.stop(); a.start()                     # same port, same data

The test binds the listening socket itself and hands it to gunicorn (``--bind fd://N``), so a
request made before the app is up waits in the backlog instead of failing: no sleeping. While
stopped, the socket is closed too, so peers get "connection refused" (a retryable failure) at
once rather than a hang; ``start`` binds the same port again. ``get`` still retries connection
errors a bounded number of times (a server that died shows up as an error, never as a wait).
Processes get ``COMMONGROUND_TESTING=1``; pass ``env`` (e.g. ``COMMONGROUND_TEST_CLOCK_OFFSET``)
to ``cli``/``worker_once``/``start`` to move their clock.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

BIN = Path(sys.executable).parent
READY_ATTEMPTS = 50


def _bind(port: int = 0) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    return sock


class Install:
    """One install on ``http://127.0.0.1:<port>``; its groups' URLs are that origin (Host tenancy)."""

    def __init__(
        self,
        instance: Path,
        env: dict[str, str] | None = None,
        threads: int = 4,
        workers: int = 1,
        wsgi: str = "node.wsgi:app",
    ) -> None:
        self.instance = instance
        self.wsgi = wsgi  # e.g. tests.support.hostile_hub:app, the real app behind a middleware
        self.instance.mkdir(parents=True, exist_ok=True)
        self.sock: socket.socket | None = _bind()
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.threads, self.workers = threads, workers
        inherited = dict(os.environ)
        # the install's own SQLite file unless ``env`` names a database (e.g. the test's PostgreSQL)
        inherited.pop("COMMONGROUND_DATABASE_URL", None)
        self.env = {
            **inherited,
            "COMMONGROUND_INSTANCE_PATH": str(instance),
            "COMMONGROUND_BASE_URL": self.url,
            "COMMONGROUND_MAIL_ENABLED": "false",
            "COMMONGROUND_TESTING": "1",
            "COMMONGROUND_ALLOW_PRIVATE_PEERS": "true",  # every install here is on 127.0.0.1
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = instance / "server.log"

    # -- commands ----------------------------------------------------------------------
    def cli(
        self, *args: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``commonground ARGS`` against this install; raises with stderr on failure."""
        result = subprocess.run(
            [str(BIN / "commonground"), *args],
            env={**self.env, **(env or {})},
            text=True,
            capture_output=True,
            timeout=300,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"commonground {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def init(self, name: str, slug: str, admin: str | None = None) -> None:
        self.cli(
            "init",
            "--group",
            name,
            "--slug",
            slug,
            "--url",
            self.url,
            "--admin",
            admin or f"officer@{slug}.example.org",
        )

    def init_with_invitation(self, name: str, admin: str) -> str:
        """``commonground init`` as a person runs it (no slug, no password): the officer joins
        through the invitation link it prints, which is returned."""
        out = self.cli("init", "--group", name, "--admin", admin, "--url", self.url).stdout
        return re.search(r"http://\S+/invite/\S+", out).group(0)

    def worker_once(
        self, *args: str, env: dict[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return self.cli("worker", "--once", *args, env=env, check=check)

    def python(self, code: str) -> str:
        """Run ``code`` in a process with this install's app context (``app`` is bound)."""
        prelude = "from node import create_app\napp = create_app()\napp.app_context().push()\n"
        result = subprocess.run(
            [sys.executable, "-c", prelude + code],
            env=self.env,
            text=True,
            capture_output=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise AssertionError(f"python snippet failed:\n{result.stderr}")
        return result.stdout

    # -- server ------------------------------------------------------------------------
    def start(self, env: dict[str, str] | None = None, config: Path | None = None) -> Install:
        """Serve with gunicorn; ``config``: a gunicorn config file (e.g. deploy's) under the
        test's own bind, workers, threads and timeouts."""
        if self.sock is None:
            self.sock = _bind(self.port)
        fd = self.sock.fileno()
        os.set_inheritable(fd, True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    *(["--config", str(config)] if config else []),
                    "--bind",
                    f"fd://{fd}",
                    "--workers",
                    str(self.workers),
                    "--threads",
                    str(self.threads),
                    "--worker-class",
                    "gthread",
                    "--graceful-timeout",
                    "2",
                    "--timeout",
                    "60",
                    self.wsgi,
                ],
                env={**self.env, **(env or {})},
                pass_fds=(fd,),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        self.get("/healthz").raise_for_status()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        """GET ``path``, retrying connection errors a bounded number of times."""
        last: Exception | None = None
        for _ in range(READY_ATTEMPTS):
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"server exited; log:\n{self.log.read_text()[-3000:]}")
            try:
                return requests.get(self.url + path, timeout=30, **kwargs)
            except requests.ConnectionError as exc:
                last = exc
        raise AssertionError(f"{self.url}{path} unreachable: {last}")

    def stop(self) -> None:
        """Stop the server and close its socket (peers now get connection refused)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def close(self) -> None:
        self.stop()

    def __enter__(self) -> Install:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
