"""Real node processes for end-to-end tests.

The listening socket is bound by the test *before* gunicorn starts and handed over as an
inherited file descriptor (``--bind fd://N``), so the first request simply waits in the socket's
backlog until the app is up: no polling, no sleeping.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


class NodeProcess:
    """One install (instance folder + SQLite database) served by gunicorn on a loopback port."""

    def __init__(
        self, instance: Path, env: dict[str, str] | None = None, threads: int = 8, workers: int = 1
    ) -> None:
        self.instance = instance
        self.instance.mkdir(parents=True, exist_ok=True)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.threads, self.workers = threads, workers
        self.env = {
            **os.environ,
            "COMMONGROUND_INSTANCE_PATH": str(instance),
            "COMMONGROUND_BASE_URL": self.url,
            "COMMONGROUND_MAIL_ENABLED": "false",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = instance / "server.log"

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``commonground ARGS`` against this install (same configuration as the server)."""
        result = subprocess.run(
            [str(BIN / "commonground"), *args],
            env=self.env,
            text=True,
            capture_output=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"commonground {' '.join(args)} failed:\n{result.stderr}")
        return result

    def start(self) -> NodeProcess:
        fd = self.sock.fileno()
        os.set_inheritable(fd, True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
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
                    "node.wsgi:app",
                ],
                env=self.env,
                pass_fds=(fd,),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()
        self.sock.close()

    def __enter__(self) -> NodeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
