"""Throwaway PostgreSQL servers for the tests that restart or replicate one: never the shared
server on 5432 (other runs use it), always a fresh ``initdb`` in a temporary folder, on a free
loopback port, with trust authentication and replication allowed from 127.0.0.1 (initdb's own
``pg_hba.conf`` with ``--auth=trust``).

    with Cluster.create() as primary:
        primary.url("cg")                       # postgresql+psycopg://postgres@127.0.0.1:PORT/cg
        with primary.replica() as standby:      # pg_basebackup -R, started as a hot standby
            standby.wait_for(primary.lsn())     # polls the standby's replay position
        primary.restart()                       # pg_ctl restart -m fast -w

PostgreSQL refuses to run as root, so as root every command runs as the user ``postgres``
(``runuser``) and the folder is made in /tmp and given to that user (pytest's own temporary
folders are private to root). ``pg_ctl -w`` waits until the server accepts connections: no
sleeping. Every server is stopped and its folder removed on exit, even after a failure.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

TOOL = "postgresql"
REASON = "needs system tool postgresql (apt package postgresql)"
REPLAY_WAIT = 60.0  # seconds at most for a standby to replay a position (an upper bound only)


def bin_dir() -> Path | None:
    """The folder of initdb, postgres and pg_ctl (Debian keeps them out of PATH)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_basebackup"):
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _as_root() -> bool:
    return os.geteuid() == 0


def available() -> bool:
    found = bin_dir()
    if found is None or not (found / "pg_basebackup").exists():
        return False
    if not _as_root():
        return True
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return shutil.which("runuser") is not None


def require() -> None:
    if not available():
        pytest.skip(REASON)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = list(args)
    if _as_root():
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(command, text=True, capture_output=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result


class Cluster:
    """One PostgreSQL server in ``folder`` (data in ``data/``, its log in ``server.log``)."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.data = folder / "data"
        self.log = folder / "server.log"
        self.bin = bin_dir()
        self.running = False
        self.standbys: list[Cluster] = []

    @staticmethod
    def _folder() -> Path:
        folder = Path(tempfile.mkdtemp(prefix="cg-pg-"))
        if _as_root():
            user = pwd.getpwnam("postgres")
            os.chown(folder, user.pw_uid, user.pw_gid)
        return folder

    @classmethod
    def create(cls, databases: tuple[str, ...] = ("cg",)) -> Cluster:
        require()
        cluster = cls(cls._folder(), free_port())
        try:
            cluster._pg("initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust")
            cluster.start()
            engine = create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                for name in databases:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            engine.dispose()
        except BaseException:
            cluster.close()
            raise
        return cluster

    def _pg(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert self.bin is not None
        return _run(str(self.bin / tool), *args, check=check)

    def url(self, database: str = "cg") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._pg("pg_ctl", "start", "-w", "-D", str(self.data), "-l", str(self.log), "-o", options)
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._pg("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data), check=False)
            self.running = False

    def restart(self) -> None:
        """Stop (fast: open connections are cut, as a real restart does) and start again."""
        self.stop()
        self.start()

    def replica(self) -> Cluster:
        """A hot standby streaming from this server: ``pg_basebackup -R`` into a new folder,
        started on its own port."""
        standby = Cluster(self._folder(), free_port())
        self.standbys.append(standby)
        self._pg(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-D",
            str(standby.data),
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",  # not wait for the next scheduled checkpoint (minutes)
        )
        standby.start()
        return standby

    def scalar(self, sql: str, database: str = "cg") -> Any:
        engine = create_engine(self.url(database), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql)).scalar()
        finally:
            engine.dispose()

    def execute(self, sql: str, database: str = "cg") -> None:
        engine = create_engine(self.url(database), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(sql))
        finally:
            engine.dispose()

    def lsn(self) -> str:
        """The primary's current write position."""
        return str(self.scalar("SELECT pg_current_wal_lsn()"))

    def wait_for(self, lsn: str) -> None:
        """Poll this standby until it has replayed ``lsn`` (bounded: a standby that never gets
        there fails the test with its log)."""
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        deadline = time.monotonic() + REPLAY_WAIT
        try:
            with engine.connect() as conn:
                query = text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)")
                while not conn.execute(query, {"lsn": lsn}).scalar():
                    if time.monotonic() > deadline:
                        raise AssertionError(f"standby never replayed {lsn}:\n{self.tail()}")
                    time.sleep(0.02)  # polling a condition, not waiting for time to pass
        finally:
            engine.dispose()

    def tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else "(no log)"

    def close(self) -> None:
        for standby in self.standbys:
            standby.close()
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
