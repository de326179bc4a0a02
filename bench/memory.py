"""Resident memory of a node as deployed: gunicorn (deploy/gunicorn.conf.py: master + 2 workers
x 4 threads) and `commonground worker`, after a few hundred real requests.

    .venv/bin/python bench/memory.py [--requests 400] [--members 200]

A throwaway SQLite instance gets a group, an officer (through the real invitation page) and
MEMBERS members; then the officer's browser is imitated (dashboard, roster, a member, sign-in
page, health check, stylesheet) for REQUESTS requests. RSS counts shared pages once per
process (an over-estimate for forked workers); PSS shares them out (what the server really
spends). Figures go to docs/deploy.md by hand.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
HOST = "bench.example.org"
PASSWORD = "bench-password-1889"
COMMAND = str(Path(sys.executable).parent / "commonground")


def kib(pid: int, field: str) -> int:
    if field == "Pss":
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    else:
        text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(match.group(1)) if match else 0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [COMMAND, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--members", type=int, default=200)
    options = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="cg-memory-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("COMMONGROUND_") or k.startswith("COMMONGROUND_WEB_")
    }
    env.update(
        COMMONGROUND_INSTANCE_PATH=str(tmp),
        COMMONGROUND_BASE_URL=f"http://{HOST}",
        COMMONGROUND_MAIL_ENABLED="false",
        COMMONGROUND_SIGNIN_RATE_LIMIT="1000 per minute",
    )
    out = cli(
        env,
        "init",
        "--group",
        "Bench",
        "--admin",
        "officer@bench.example.org",
        "--url",
        f"http://{HOST}",
    )
    invite = re.search(r"/invite/\S+", out).group(0)  # type: ignore[union-attr]
    rows = ["name,email,phone,ward,union,workplace,joined,status,role"] + [
        f"Member {i},m{i}@bench.example.org,,Ward {i % 9},Unite,Depot {i % 5},2024-01-01,active,member"
        for i in range(options.members)
    ]
    (tmp / "members.csv").write_text("\n".join(rows) + "\n")
    cli(env, "members", "import", str(tmp / "members.csv"), "--group", "bench")

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(REPO / "deploy" / "gunicorn.conf.py"),
            "--bind",
            f"fd://{sock.fileno()}",
            "node.wsgi:app",
        ],
        env=env,
        pass_fds=[sock.fileno()],
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    has_worker = " worker " in cli(env, "--help")
    worker = (
        subprocess.Popen(
            [COMMAND, "worker"],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if has_worker
        else None
    )
    try:
        http = requests.Session()
        http.headers["Host"] = HOST
        page = http.get(base + invite, timeout=120).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        accepted = http.post(
            base + invite,
            timeout=60,
            allow_redirects=False,
            data={"csrf_token": token, "name": "Olive", "password": PASSWORD, "confirm": PASSWORD},
        )
        assert accepted.status_code == 302, accepted.status_code
        paths = [
            "/",
            "/members",
            "/members?page=2",
            "/members/5",
            "/healthz",
            "/static/style.css",
            "/members/export.csv",
        ]
        statuses: dict[int, int] = {}
        for i in range(options.requests):
            status = http.get(base + paths[i % len(paths)], timeout=60).status_code
            statuses[status] = statuses.get(status, 0) + 1
        workers = children(web.pid)
        procs = [("web master", web.pid)] + [
            (f"web worker {i + 1}", p) for i, p in enumerate(workers)
        ]
        if worker is not None:
            procs.append(("commonground worker", worker.pid))
        print(f"{options.requests} requests, statuses {statuses}, {options.members} members")
        print(f"{'process':<22}{'RSS MB':>8}{'PSS MB':>8}")
        total_rss = total_pss = 0
        for name, pid in procs:
            rss, pss = kib(pid, "VmRSS"), kib(pid, "Pss")
            total_rss += rss
            total_pss += pss
            print(f"{name:<22}{rss / 1024:>8.1f}{pss / 1024:>8.1f}")
        print(f"{'total':<22}{total_rss / 1024:>8.1f}{total_pss / 1024:>8.1f}")
        if worker is None:
            print("(no `commonground worker` command in this build: worker not measured)")
    finally:
        for proc in (web, worker):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=60)
        sock.close()


if __name__ == "__main__":
    main()
