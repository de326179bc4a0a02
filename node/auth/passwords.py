"""How passwords are stored: scrypt, sized so one vCPU signs in a meeting hall quickly.

Cost and strength pull against each other. Every check of a password costs the server what it
costs an attacker per guess on a stolen database: scrypt's CPU time and memory both grow with
``N * r * p``. OWASP's password storage cheat sheet asks for N=2**17, r=8, p=1 (128 MiB, or an
equal-cost trade of memory for repetitions such as N=2**14 with p=5); measured on our servers
that is ~180-400 ms of CPU per sign-in, so a 1 vCPU server signs in 2 to 5 members a second and a
hall of 500 waits minutes, and 128 MiB per concurrent sign-in does not fit a 1 GB server
running several. Werkzeug's default (N=2**15, 32 MiB) costs ~100 ms: about 9 a second.

We keep memory-hardness (the property that makes GPU and ASIC guessing expensive) and spend
about 19 ms: N=2**13, r=8, p=1, 8 MiB per check. Against OWASP's settings an offline
attacker does 10 to 16 times less work per guess. What covers it: online guessing is throttled
(node.auth.views counts refusals per connection), passwords have at least 10 characters, and a
password only matters offline after the database itself is stolen. docs/performance.md ("Sign-in
cost") has the measurements and the command; docs/security.md the trade-off in one paragraph.

Stored hashes carry their own method (``scrypt:N:r:p$salt$hash``), so older ones keep working;
:func:`needs_rehash` tells the sign-in to store a fresh hash with the current parameters once
the password is known to be right.
"""

from __future__ import annotations

from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

SCRYPT_N = 2**13
SCRYPT_R = 8
SCRYPT_P = 1
METHOD = f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}"


def hash_password(password: str) -> str:
    """A new salted hash of ``password`` with the current parameters."""
    return generate_password_hash(password, method=METHOD)


def password_matches(stored: str, password: str) -> bool:
    """Does ``password`` match ``stored`` (any method werkzeug reads, old parameters too)?"""
    return check_password_hash(stored, password)


def needs_rehash(stored: str) -> bool:
    """Was ``stored`` made with other parameters than the current ones (weaker or stronger)?"""
    return stored.partition("$")[0] != METHOD


@cache
def _hash_of_nobody() -> str:
    """Made on first use, not at import: the CLI imports this module and should start fast."""
    return hash_password("not-a-real-password-" + "x" * 20)


def spend_check_time(password: str) -> None:
    """Do the work of one check with the current parameters and throw the answer away, so an
    address without an account (or without a password) is refused as slowly as one with."""
    check_password_hash(_hash_of_nobody(), password)
