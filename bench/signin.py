"""What one password sign-in costs, with werkzeug's default scrypt and with ours, in one run.

    .venv/bin/python bench/signin.py [--rounds 30] [--members 200]

(1) One verification alone (``check_password_hash``), CPU milliseconds, median of ROUNDS, for
werkzeug's default method (scrypt N=2**15, r=8, p=1) and for node.auth.passwords.METHOD.
(2) Whole sign-ins through the real app (Flask's test client, one thread, a throwaway SQLite
instance migrated to head): MEMBERS accounts each POST /signin once (CSRF and the rate limit are
off: the first would need a GET per sign-in, the second is about refusals). Three rows:
``before`` is the app with werkzeug's default as its method (what it did before), ``ours`` the
app as it is, ``upgrade`` the first sign-in of accounts still stored with the default (checked
with the old parameters, then re-hashed with ours). Sign-ins per CPU second is what one vCPU
can do; the ratio is ours over before. A last line shows a refusal for an unknown address
costs what a wrong password costs (the work is the same on purpose).
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from werkzeug.security import check_password_hash, generate_password_hash

from node.auth import passwords

PASSWORD = "bench-password-1889"
WERKZEUG_DEFAULT = "scrypt:32768:8:1"


def verify_cpu_ms(method: str, rounds: int) -> float:
    stored = generate_password_hash(PASSWORD, method=method)
    spent = []
    for _ in range(rounds):
        start = time.process_time()
        if not check_password_hash(stored, PASSWORD):
            raise SystemExit("the password did not match its own hash")
        spent.append(time.process_time() - start)
    return statistics.median(spent) * 1000


def build_app(folder: str, members: int, stored_method: str):  # type: ignore[no-untyped-def]
    from flask_migrate import upgrade

    from node import create_app
    from node.extensions import db
    from node.groups.operations import create_group
    from node.members.models import Account, Member

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            "INSTANCE_PATH": folder,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "BASE_URL": "http://localhost",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        logging.disable(logging.INFO)  # Alembic's line per migration
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        logging.disable(logging.NOTSET)
        group = create_group("Bench", slug="bench", url="http://localhost")
        # One stored hash for everyone: a check costs the same whatever the salt.
        stored = generate_password_hash(PASSWORD, method=stored_method)
        for n in range(members):
            account = Account(email=f"m{n}@bench.example.org", password_hash=stored)
            db.session.add(account)
            db.session.flush()
            db.session.add(
                Member(group_id=group.id, email=account.email, name=f"M {n}", account_id=account.id)
            )
        db.session.commit()
        db.engine.dispose()
    return app


def sign_ins(app, emails: list[str], password: str, expect: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """POST /signin once per address from a fresh client; (CPU seconds, wall seconds)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for email in emails:
        status = (
            app.test_client()
            .post("/signin", data={"email": email, "password": password})
            .status_code
        )
        if status != expect:
            raise SystemExit(f"sign-in of {email} answered {status}, not {expect}")
    return time.process_time() - cpu, time.perf_counter() - wall


def through_app(members: int, method: str, stored_method: str) -> tuple[float, float]:
    """Sign-ins per CPU second and per wall second, with ``method`` as the app's current one."""
    emails = [f"m{n}@bench.example.org" for n in range(members)]
    with tempfile.TemporaryDirectory() as folder, mock.patch.object(passwords, "METHOD", method):
        app = build_app(folder, members, stored_method)
        sign_ins(app, emails[:3], PASSWORD, 302)  # warm the app up (templates, first queries)
        cpu, wall = sign_ins(app, emails[3:], PASSWORD, 302)
        with app.app_context():
            from node.extensions import db

            db.engine.dispose()
    return (members - 3) / cpu, (members - 3) / wall


def refusals_ms(members: int) -> tuple[float, float]:
    """CPU ms of a refusal: a wrong password of an account, and an address without one."""
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(folder, members, passwords.METHOD)
        known = [f"m{n}@bench.example.org" for n in range(members)]
        unknown = [f"nobody{n}@bench.example.org" for n in range(members)]
        sign_ins(app, unknown[:3], "wrong-password-1", 401)
        wrong, _ = sign_ins(app, known, "wrong-password-1", 401)
        nobody, _ = sign_ins(app, unknown, "wrong-password-1", 401)
        with app.app_context():
            from node.extensions import db

            db.engine.dispose()
    return wrong / members * 1000, nobody / members * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="verifications timed per method")
    parser.add_argument("--members", type=int, default=200, help="sign-ins through the app")
    args = parser.parse_args()
    ours = passwords.METHOD
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (wall figures suffer from load; CPU do not)")

    print(f"one verification, CPU ms (median of {args.rounds}):")
    before_ms = verify_cpu_ms(WERKZEUG_DEFAULT, args.rounds)
    ours_ms = verify_cpu_ms(ours, args.rounds)
    print(f"  before  {WERKZEUG_DEFAULT:<18} {before_ms:6.1f} ms  ({1000 / before_ms:5.1f}/s)")
    print(f"  ours    {ours:<18} {ours_ms:6.1f} ms  ({1000 / ours_ms:5.1f}/s)")
    print(f"  ratio before/ours: {before_ms / ours_ms:.1f}x")

    print(f"\nsign-ins through the app ({args.members - 3} POST /signin, one thread):")
    rows = {
        "before": through_app(args.members, WERKZEUG_DEFAULT, WERKZEUG_DEFAULT),
        "ours": through_app(args.members, ours, ours),
        "upgrade": through_app(args.members, ours, WERKZEUG_DEFAULT),
    }
    for name, (per_cpu, per_wall) in rows.items():
        print(
            f"  {name:<8} {per_cpu:6.1f} sign-ins per CPU second ({1000 / per_cpu:5.1f} ms each),"
            f" {per_wall:6.1f}/s wall"
        )
    print(f"  ratio ours/before: {rows['ours'][0] / rows['before'][0]:.1f}x per CPU second")

    wrong, nobody = refusals_ms(args.members)
    print(
        f"\nrefusals, CPU ms each: wrong password {wrong:.1f}, address without account {nobody:.1f}"
    )


if __name__ == "__main__":
    main()
