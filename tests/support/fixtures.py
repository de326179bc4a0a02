"""Fixtures and factories every room's tests use: ``app``, ``client``, ``make_group``…"""

from __future__ import annotations

import contextvars
import re
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.security import generate_password_hash

from node import clock
from tests.support.db import TestDatabase
from tests.support.smtp import SmtpSink

PASSWORD = "correct-horse-battery"
CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'type="hidden" name="csrf_token" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)
# A cheap hash for test accounts (scrypt's default is deliberately slow).
_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


class CsrfClient(FlaskClient):
    """A test client that can fetch a page's CSRF token and post a form with it (as CTFd's).

    Each request runs in a fresh context, so it gets its own app context, ``g`` and database
    session, exactly as in production (the test's own app context would otherwise be shared,
    hiding a forgotten commit). After each request the test's session is expired, so the test
    reads what the request actually committed.
    """

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        from flask import has_app_context

        from node.extensions import db

        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response

    def csrf_token(self, page: str = "/signin", **kwargs: Any) -> str:
        if not self.application.config.get("WTF_CSRF_ENABLED", True):
            return ""
        response = self.get(page, **kwargs)
        match = CSRF_RE.search(response.get_data(as_text=True))
        if match is None:
            raise AssertionError(f"no CSRF token on {page} (status {response.status_code})")
        return next(group for group in match.groups() if group)

    def post_form(
        self, url: str, data: dict[str, Any] | None = None, page: str | None = None, **kwargs: Any
    ):  # type: ignore[no-untyped-def]
        """GET ``page`` (default ``url``) for its token, then POST ``data`` to ``url``."""
        base = {k: v for k, v in kwargs.items() if k in ("base_url", "headers")}
        token = self.csrf_token(page or url, **base)
        payload = dict(data or {})
        payload["csrf_token"] = token
        return self.post(url, data=payload, **kwargs)

    def sign_in(self, email: str, password: str = PASSWORD, **kwargs: Any):  # type: ignore[no-untyped-def]
        response = self.post_form("/signin", {"email": email, "password": password}, **kwargs)
        assert response.status_code == 302, f"sign-in failed for {email}: {response.status_code}"
        return response


@pytest.fixture
def app_config(database: TestDatabase, instance_path, smtp_sink: SmtpSink) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The config each test's app gets; override pieces in a test module with its own fixture."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database.url,
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": "test-secret",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_sink.port,
        "MAIL_FROM": "node@test.example",
        "BASE_URL": "http://localhost",
        "RATELIMIT_STORAGE_URI": "memory://",
    }


@pytest.fixture
def app(app_config: dict[str, Any], database: TestDatabase, smtp_sink: SmtpSink) -> Iterator[Flask]:
    from node import create_app
    from node.extensions import db, limiter

    application = create_app(app_config)
    application.test_client_class = CsrfClient
    smtp_sink.clear()
    with application.app_context():
        limiter.reset()
        try:
            yield application
        finally:
            db.session.remove()
            database.truncate(db.engine)
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> CsrfClient:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


# Every engine that connected during a test (apps a test builds itself, doctor's own app…), so
# its pooled connections are closed when the test ends instead of whenever the garbage collector
# gets to them: psycopg warns about an open connection being deleted, and warnings are errors.
_connected_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


@event.listens_for(Engine, "engine_connect")
def _remember_engine(connection: Any) -> None:
    _connected_engines.add(connection.engine)


@pytest.fixture(autouse=True)
def _close_pooled_connections() -> Iterator[None]:
    yield
    for engine in list(_connected_engines):
        engine.dispose()
    _connected_engines.clear()


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    yield
    clock._offset = clock.timedelta(0)  # type: ignore[attr-defined]
    clock._fixed = None  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- factories
@pytest.fixture
def make_group(app: Flask):  # type: ignore[no-untyped-def]
    from node.extensions import db
    from node.groups.operations import create_group

    def factory(
        name: str = "Walton",
        slug: str | None = None,
        url: str | None = None,
        role: str = "node",
        region: str | None = None,
    ):  # type: ignore[no-untyped-def]
        group = create_group(
            name,
            slug=slug,
            url=url or f"http://{slug or name.lower()}.test",
            role=role,
            region=region,
        )
        db.session.commit()
        return group

    return factory


@pytest.fixture
def make_member(app: Flask):  # type: ignore[no-untyped-def]
    """Create a member (and, unless ``account=False``, an account with password PASSWORD)."""
    from sqlalchemy import select

    from node.extensions import db
    from node.members.models import Account, Member

    counter = {"n": 0}

    def factory(
        group,
        role: str = "member",
        email: str | None = None,
        name: str | None = None,
        account: bool = True,
        **fields: Any,
    ):  # type: ignore[no-untyped-def]
        counter["n"] += 1
        email = email or f"{role}{counter['n']}.{group.slug}@example.org"
        acc = None
        if account:
            acc = db.session.scalar(select(Account).where(Account.email == email))
            if acc is None:
                acc = Account(email=email, password_hash=_HASH)
                db.session.add(acc)
                db.session.flush()
        member = Member(
            group_id=group.id,
            email=email,
            name=name or f"Test {role.title()} {counter['n']}",
            role=role,
            account_id=acc.id if acc else None,
            **fields,
        )
        db.session.add(member)
        db.session.commit()
        return member

    return factory


@pytest.fixture
def group(make_group):  # type: ignore[no-untyped-def]
    return make_group("Walton Momentum", slug="walton", url="http://localhost")


@pytest.fixture
def officer(group, make_member):  # type: ignore[no-untyped-def]
    return make_member(group, "officer", email="officer@walton.example.org", name="Olive Officer")


@pytest.fixture
def officer_client(client: CsrfClient, officer) -> CsrfClient:  # type: ignore[no-untyped-def]
    client.sign_in(officer.email)
    return client
