"""Configuration from ``COMMONGROUND_*`` environment variables, validated at start-up.

Every setting is declared once here, with its type, default and a one-line description; the
table in docs/configuration.md is written from the same declarations (``commonground config``
prints it), so the docs cannot drift from the code. Bad values fail fast with a message that
names the variable.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(ValueError):
    """A configuration value is missing or invalid; the message names the variable."""


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {value!r}")


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(f"expected a positive integer, got {value}")
    return number


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"expected 0 or more, got {value}")
    return number


def _choice(*options: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in options:
            raise ValueError(f"expected one of {', '.join(options)}, got {value!r}")
        return value

    return parse


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"expected an http(s) URL, got {value!r}")
    return value.rstrip("/")


def _token(value: str) -> str:
    """A bearer token: long enough not to be guessed, no spaces (it travels in a header)."""
    token = value.strip()
    if len(token) < 24 or any(ch.isspace() for ch in token):
        raise ValueError("expected a random token of 24 or more characters without spaces")
    return token


def _locale(value: str) -> str:
    """A Babel locale identifier (``en_GB``, ``cy_GB``), or empty for the browser's choice."""
    tag = value.strip().replace("-", "_")
    if tag:
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(tag)
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(f"expected a locale such as en_GB, got {value!r}") from exc
    return tag


@dataclass(frozen=True)
class Setting:
    name: str  # read from the variable COMMONGROUND_<name>
    parse: Callable[[str], Any]
    default: Any
    help: str
    config_key: str | None = None  # the app's config key, when it is not ``name``

    @property
    def env(self) -> str:
        return f"COMMONGROUND_{self.name}"

    @property
    def key(self) -> str:
        return self.config_key or self.name


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "INSTANCE_PATH",
        str,
        "./var",
        "Folder for the SQLite database, group keys and generated secrets.",
    ),
    Setting(
        "DATABASE_URL",
        str,
        None,
        "SQLAlchemy database URL; default: SQLite file `commonground.db` in the instance folder.",
        config_key="SQLALCHEMY_DATABASE_URI",
    ),
    Setting(
        "DATABASE_REPLICA_URL",
        str,
        "",
        "PostgreSQL streaming replica for the hub's read-only pages and `/api/v1` (empty: all "
        "reads go to the primary; an unreachable replica falls back to it). docs/deploy.md.",
    ),
    Setting(
        "SECRET_KEY",
        str,
        None,
        "Session signing key; default: generated once into `secret_key` in the instance folder.",
    ),
    Setting(
        "TENANCY",
        _choice("host", "path"),
        "host",
        "How a request finds its group: `host` (by Host name) or `path` (`/g/<slug>/` prefix).",
    ),
    Setting(
        "BASE_URL",
        _url,
        "http://127.0.0.1:8000",
        "Public base URL of the install; default `--url` for new groups.",
    ),
    Setting("SMTP_HOST", str, "localhost", "SMTP server for outgoing mail."),
    Setting("SMTP_PORT", _positive_int, 25, "SMTP port."),
    Setting("SMTP_USER", str, "", "SMTP user name (empty: no login)."),
    Setting("SMTP_PASSWORD", str, "", "SMTP password."),
    Setting("SMTP_STARTTLS", _bool, False, "Use STARTTLS."),
    Setting("MAIL_FROM", str, "commonground@localhost", "Sender address of e-mails."),
    Setting(
        "MAIL_ENABLED",
        _bool,
        True,
        "Send e-mail at all (false: mails are only logged to the send log, for demos).",
    ),
    Setting(
        "SECURE_COOKIES",
        _bool,
        False,
        "Mark cookies Secure (set true behind HTTPS; install.sh does).",
        config_key="SESSION_COOKIE_SECURE",
    ),
    Setting(
        "PROXIES",
        _count,
        0,
        "Reverse proxies in front (1 behind Caddy; install.sh sets it): trust their "
        "X-Forwarded-For/-Proto for client addresses (rate limits) and https links.",
    ),
    Setting(
        "RATELIMIT_STORAGE_URI",
        str,
        "memory://",
        "Flask-Limiter storage (e.g. redis://127.0.0.1:6379/0 with several workers).",
    ),
    Setting(
        "SIGNIN_RATE_LIMIT",
        str,
        "10 per minute",
        "Rate limit of sign-in and password-reset attempts per client address.",
    ),
    Setting("INVITATION_DAYS", _positive_int, 14, "Days an invitation link stays valid."),
    Setting(
        "MIN_FREE_MB",
        _count,
        1024,
        "`commonground doctor` warns when the instance folder's or the SQLite database's disk "
        "has less free space than this (MB) or under 10 %; below 200 MB it fails.",
    ),
    Setting(
        "MAX_UPLOAD_BYTES",
        _positive_int,
        5 * 1024 * 1024,
        "Largest request body accepted (CSV imports, federation inbox).",
        config_key="MAX_CONTENT_LENGTH",
    ),
    Setting(
        "ALLOW_PRIVATE_PEERS",
        _bool,
        False,
        "Let federation requests (follow, pull, push, JWKS, hub) reach loopback and private "
        "addresses: for a local demo or a federation on a private network only.",
    ),
    Setting(
        "WITNESS_GRACE_MINUTES",
        _positive_int,
        60,
        "How long the hub may take to put a statement it accepted into its log before the "
        "group's witness keeps it as evidence of a missing statement.",
    ),
    Setting(
        "WITNESS_INTERVAL_SECONDS",
        _count,
        60,
        "How often each group's witness checks its hub's log (and cosigns it); 0: every run of "
        "the worker.",
    ),
    Setting(
        "LOCALE",
        _locale,
        "",
        "The language of every page and mail, for the whole install (e.g. `cy_GB`); empty: each "
        "reader's browser language among the installed translations, British English otherwise.",
    ),
    Setting("LOG_LEVEL", _choice("DEBUG", "INFO", "WARNING", "ERROR"), "INFO", "Log level."),
    Setting(
        "METRICS_TOKEN",
        _token,
        "",
        "Serve Prometheus metrics at `/metrics` to requests with `Authorization: Bearer` and "
        "this token (24+ characters); empty: no `/metrics` at all (docs/deploy.md).",
    ),
)


def load_config(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Read settings from ``environ`` (default ``os.environ``), apply ``overrides``, validate."""
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            config[setting.key] = setting.default
            continue
        try:
            config[setting.key] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{setting.env}: {exc}") from None
    config.update(overrides or {})
    instance = Path(config["INSTANCE_PATH"]).expanduser().resolve()
    config["INSTANCE_PATH"] = str(instance)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'commonground.db'}"
    return config


def ensure_secret_key(instance: Path) -> str:
    """Return the instance's secret key, generating it (mode 0600) on first run.

    The new key is written to a private temporary file and linked into place, so two processes
    starting together (web and worker containers on one volume) agree on one complete key.
    """
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    draft = instance / f".secret_key.{secrets.token_hex(8)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            return path.read_text().strip()
    finally:
        draft.unlink()
    return key


# Values that were ever shipped or documented as examples, and words that mark a placeholder.
# Anyone can read them here, so a session cookie signed with one can be forged.
KNOWN_PLACEHOLDERS = frozenset({"change-me-to-a-long-random-value"})
PLACEHOLDER_WORDS = ("changeme", "replaceme", "placeholder", "example", "yoursecret", "secretkey")
MIN_SECRET_LENGTH = 32
MIN_SECRET_DISTINCT = 8  # 32 random hex digits show 8+ in all but ~1e-9 of draws; "x" * 48: 1
# A command to show people, not a secret.
GENERATE_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"  # noqa: S105


def secret_key_problem(secret: str) -> str | None:
    """Why ``secret`` must not sign sessions (a known placeholder, too short, too repetitive),
    or None. Guessing the key means forging any member's session cookie and CSRF token."""
    folded = "".join(ch for ch in secret.lower() if ch.isalnum())
    if secret in KNOWN_PLACEHOLDERS or any(word in folded for word in PLACEHOLDER_WORDS):
        return "is a placeholder value (public, so sessions signed with it can be forged)"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(secret)) < MIN_SECRET_DISTINCT:
        return "is not random (too few distinct characters)"
    return None


def check_secret_key(secret: str, source: str) -> None:
    """Refuse to start with a guessable session key; ``source`` says where it was read from."""
    problem = secret_key_problem(secret)
    if problem is not None:
        raise ConfigError(
            f"{source} {problem}; set a long random value, generated with: {GENERATE_SECRET}"
        )


def markdown_table() -> str:
    """The configuration table for docs/configuration.md."""
    lines = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for s in SETTINGS:
        default = "(see meaning)" if s.default is None else f"`{s.default}`"
        lines.append(f"| `{s.env}` | {default} | {s.help} |")
    return "\n".join(lines)
