"""Ballot day, measured from outside: N members vote at once through gunicorn with the production
config, and afterwards every vote is accounted for.

    .venv/bin/python bench/ballot_day.py [--members 10000] [--postgres] [--processes 2]
                                         [--threads 8] [--healthz-every 2]
                                         [--web-workers W] [--web-threads T]

What it does, each step through the real parts (docs/performance.md, "Ballot day"):

1. A fresh instance: SQLite in a temporary folder, or with ``--postgres`` a database of its own
   on 127.0.0.1:5432 (created here and dropped at the end; the server is shared).
   ``commonground init`` and ``commonground members import`` run as processes, the second on a
   generated CSV of N members.
2. A ranked ballot (IRV, five candidates) is created and opened with the ballots operations, in
   this process; opening mails every elector their personal voting link through SMTP, to a sink
   started here, and the links are read from those mails.
3. gunicorn starts with ``deploy/gunicorn.conf.py`` as it is (two workers of four threads,
   preloaded, replaced by memory), its access log to a file. ``--web-workers`` and
   ``--web-threads`` measure another size (``COMMONGROUND_WEB_WORKERS``/``_THREADS``), as an
   operator would before changing theirs.
4. The load: ``--processes`` processes of ``--threads`` threads each (sharing the machine's cores
   with the server, as on a small VPS with a monitor running) take voters off one list. Each
   voter does what a browser does: GET its link (the paper, with a CSRF token and a receipt code
   offered), POST "Check my vote", POST "Cast my vote" with the review's hidden fields. Every
   ``--healthz-every`` voters a thread also GETs ``/healthz``, so those figures are taken under
   the same load, interleaved with the votes.
5. The checks, in the database after gunicorn has stopped: one participation and one paper per
   voter, accepted votes (201 with the offered receipt code) equal to papers, every accepted
   receipt's hash on exactly one paper, and the count (closing the ballot counts it as
   ``tally`` would) equal to the accepted votes: its first-round totals match the first
   preferences the voters cast.

Exit status 0 when every goal is met; 1 for any error or a lost or doubled vote; 2 when every
vote was accounted for but vote p99 was above 1.5 × ``/healthz`` p99. ``--members 30`` runs in
seconds (tests/ballots/test_ballot_day_bench.py does that, checking only the accounting).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ballot_day_load import CANDIDATES, Outcome, load, percentiles
from bench.ballot_day_setup import Instance, MailSink

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO = 1.5


def commonground(instance: Instance, *args: str) -> None:
    """Run ``commonground ARGS`` as its own process with the instance's settings."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from node.cli import main; sys.exit(main())", *args],
        env=instance.env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"commonground {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def import_members(instance: Instance, members: int) -> None:
    roster = instance.folder / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "email", "joined", "status"])
        for n in range(members):
            writer.writerow(
                [f"Voter {n:05d}", f"voter{n}@bench.example.org", "2025-01-01", "active"]
            )
    commonground(instance, "members", "import", str(roster), "--group", "bench")


def open_ballot() -> int:
    """Create and open the ballot (mailing every elector a link); its id."""
    from datetime import timedelta

    from sqlalchemy import select

    from node import clock, create_app
    from node.ballots import operations as ops
    from node.extensions import db
    from node.groups.models import Group

    app = create_app()
    with app.app_context():
        group = db.session.scalar(select(Group).where(Group.slug == "bench"))
        now = clock.utcnow_naive().replace(microsecond=0)
        spec = ops.BallotSpec(
            title="Ballot day",
            question="Who should be our delegate?",
            kind="candidate-selection",
            method="irv",
            options=list(CANDIDATES),
            seats=1,
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=3),
            freeze_on=clock.today(),
        )
        ballot = ops.create_ballot(group, spec, None)
        ops.schedule_ballot(ballot, None, open_now=True)
        db.session.commit()
        ballot_id = ballot.id
        db.engine.dispose()
    return ballot_id


def start_gunicorn(
    instance: Instance, workers: int | None = None, threads: int | None = None
) -> subprocess.Popen[bytes]:
    port = instance.port
    env = {**instance.env, "COMMONGROUND_BIND": f"127.0.0.1:{port}"}
    for name, value in (("WORKERS", workers), ("THREADS", threads)):
        if value is not None:
            env[f"COMMONGROUND_WEB_{name}"] = str(value)
    log = (instance.folder / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "node.wsgi:app",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    import requests

    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {instance.folder / 'gunicorn.log'}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within a minute")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def verify(ballot_id: int, outcomes: list[Outcome]) -> list[str]:
    """What is wrong in the database, compared with what the voters were told (empty: nothing)."""
    from sqlalchemy import func, select

    from node import create_app
    from node.ballots import operations as ops
    from node.ballots.models import Ballot, CastBallot, Participation
    from node.ballots.voting import receipt_hash
    from node.extensions import db

    accepted = [o for o in outcomes if o.accepted]
    problems: list[str] = []
    app = create_app()
    with app.app_context():
        doubled = db.session.scalar(
            select(func.count()).select_from(
                select(Participation.member_id)
                .where(Participation.ballot_id == ballot_id)
                .group_by(Participation.member_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
        participations = db.session.scalar(
            select(func.count()).where(Participation.ballot_id == ballot_id)
        )
        hashes = Counter(
            db.session.scalars(
                select(CastBallot.receipt_hash).where(CastBallot.ballot_id == ballot_id)
            )
        )
        papers = sum(hashes.values())
        if doubled:
            problems.append(f"{doubled} members with more than one participation")
        if participations != len(accepted) or papers != len(accepted):
            problems.append(
                f"{len(accepted)} votes accepted, {participations} participations, {papers} papers"
            )
        unmatched = [o for o in accepted if hashes[receipt_hash(o.receipt)] != 1]
        if unmatched:
            problems.append(f"{len(unmatched)} accepted receipts not on exactly one paper")
        ballot = db.session.get(Ballot, ballot_id)
        result = ops.close_ballot(ballot, None)
        db.session.commit()
        first_round = result_first_round(result)
        expected = Counter(o.first_choice for o in accepted)
        if first_round != {name: expected.get(name, 0) for name in CANDIDATES}:
            problems.append(f"the count's first round {first_round} is not the votes {expected}")
        if ballot.turnout != len(accepted):
            problems.append(f"the count's turnout {ballot.turnout} is not {len(accepted)} votes")
        db.engine.dispose()
    return problems


def result_first_round(result: dict[str, Any]) -> dict[str, int]:
    """Candidate name → first-preference votes in the count's first round."""
    first = result["rounds"][0]
    tallies = first.get("tallies") or first.get("votes") or {}
    return {str(name): round(float(votes)) for name, votes in tallies.items()}


def report(
    outcomes: list[Outcome], health: list[tuple[float, str]], seconds: float
) -> tuple[float, int]:
    """Print the figures; (vote p99 / healthz p99, errors)."""
    accepted = [o for o in outcomes if o.accepted]
    errors = [o for o in outcomes if not o.accepted]
    health_errors = Counter(why for _, why in health if why)
    casts = percentiles([o.cast for o in accepted])
    pages = percentiles([o.page for o in accepted])
    reviews = percentiles([o.review for o in accepted])
    probes = percentiles([h for h, why in health if not why])
    print(
        f"{len(accepted)} votes accepted in {seconds:.1f} s: {len(accepted) / seconds:.1f} votes/s"
    )
    for name, figures in (
        ("cast (POST)", casts),
        ("paper (GET)", pages),
        ("review (POST)", reviews),
        ("/healthz", probes),
    ):
        p50, p95, p99 = (f * 1000 for f in figures)
        print(f"  {name:<14} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms")
    ratio = casts[2] / probes[2] if probes[2] else float("inf")
    print(f"  vote p99 / healthz p99: {ratio:.2f} (goal <= {GOAL_RATIO})")
    failed = "".join(f"; {n} × {why}" for why, n in health_errors.items())
    print(f"  {len(health)} /healthz probes, {health_errors.total()} failed{failed}")
    reasons = Counter(o.error for o in errors)
    print(f"errors: {len(errors)} voters{''.join(f'; {n} × {r}' for r, n in reasons.items())}")
    return ratio, len(errors) + health_errors.total()


def ballot_day(args: argparse.Namespace, instance: Instance, sink: MailSink) -> tuple[bool, bool]:
    """Set up, vote, check; whether every vote was accounted for without an error, and whether
    the p99 goal was met."""
    began = time.perf_counter()
    commonground(instance, "init", "--group", "Bench", "--slug", "bench", "--url",
                 instance.base_url, "--admin", "officer@bench.example.org")  # fmt: skip
    import_members(instance, args.members)
    imported = time.perf_counter()
    os.environ.update(instance.env)  # the ballot is opened and checked in this process
    ballot_id = open_ballot()
    links = sink.links(instance.base_url)
    voters = sorted(address for address in links if address.startswith("voter"))
    print(
        f"{instance.kind}: {args.members} members imported in {imported - began:.1f} s, ballot "
        f"opened with {len(links)} links mailed in {time.perf_counter() - imported:.1f} s"
    )
    if len(voters) != args.members:
        print(f"FAIL: {len(voters)} voting links mailed for {args.members} members")
        return False, False
    server = start_gunicorn(instance, args.web_workers, args.web_threads)
    try:
        started = time.perf_counter()
        paths = [links[v] for v in voters]
        outcomes, health = load(
            instance.base_url, paths, args.processes, args.threads, args.healthz_every
        )
        seconds = time.perf_counter() - started
    finally:
        stop(server)
        if args.keep_log:
            shutil.copyfile(instance.folder / "gunicorn.log", args.keep_log)
    ratio, errors = report(outcomes, health, seconds)
    problems = verify(ballot_id, outcomes)
    for problem in problems:
        print(f"FAIL: {problem}")
    if not problems:
        print("checks: one participation and one paper per voter, receipts and count agree")
    return not problems and errors == 0, ratio <= GOAL_RATIO


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000, help="members who vote")
    parser.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database")
    parser.add_argument("--processes", type=int, default=2, help="load generator processes")
    parser.add_argument("--threads", type=int, default=8, help="voters at once per process")
    parser.add_argument("--healthz-every", type=int, default=2, help="voters per /healthz probe")
    parser.add_argument("--keep-log", type=Path, help="copy gunicorn's log (access log) here")
    parser.add_argument("--web-workers", type=int, help="gunicorn workers (default: the config's)")
    parser.add_argument("--web-threads", type=int, help="threads per worker (default: config's)")
    args = parser.parse_args()
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load_avg} before the run")
    sizes = [f"--{name} {value}" for name, value in
             (("web-workers", args.web_workers), ("web-threads", args.web_threads)) if value]  # fmt: skip
    if sizes:
        print(f"not the goal's condition: {' '.join(sizes)}")
    with (
        tempfile.TemporaryDirectory(prefix="ballot-day-") as folder,
        MailSink() as sink,
        Instance(Path(folder), sink.port, args.postgres) as instance,
    ):
        correct, fast = ballot_day(args, instance, sink)
    if not correct:
        print("goals: MISSED (errors, or votes lost or doubled)")
        return 1
    if not fast:
        print(f"goals: MISSED (vote p99 above {GOAL_RATIO} x /healthz p99); every vote counted")
        return 2
    print("goals: met" + (" (with the sizes above, not the goal's condition)" if sizes else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
