"""The factory honours its configuration and fails fast on bad values (as flaskr's first test)."""

from __future__ import annotations

import stat

import pytest

from node import create_app
from node.config import ConfigError, load_config


def test_config_from_environment_and_overrides(tmp_path):
    env = {
        "COMMONGROUND_INSTANCE_PATH": str(tmp_path / "inst"),
        "COMMONGROUND_SMTP_PORT": "2525",
        "COMMONGROUND_TENANCY": "path",
    }
    config = load_config(env)
    assert config["SMTP_PORT"] == 2525
    assert config["TENANCY"] == "path"
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'commonground.db'}"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("COMMONGROUND_SMTP_PORT", "twenty-five"),
        ("COMMONGROUND_SMTP_PORT", "-1"),
        ("COMMONGROUND_TENANCY", "cookie"),
        ("COMMONGROUND_BASE_URL", "ftp://x"),
        ("COMMONGROUND_SECURE_COOKIES", "maybe"),
    ],
)
def test_bad_values_fail_fast_naming_the_variable(variable, value):
    with pytest.raises(ConfigError, match=variable):
        load_config({variable: value})


def test_secret_key_generated_once_with_private_permissions(tmp_path):
    app1 = create_app({"INSTANCE_PATH": str(tmp_path)})
    app2 = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app1.config["SECRET_KEY"] == app2.config["SECRET_KEY"]
    assert len(app1.config["SECRET_KEY"]) >= 40
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_health_and_security_headers(client, group):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    page = client.get("/signin")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_migrations_match_the_models(app):
    """The migrated schema has every table and column the models declare (no drift)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from node.extensions import db

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, db.metadata)
    structural = [
        d for d in diff if d[0] in ("add_table", "remove_table", "add_column", "remove_column")
    ]
    assert structural == []
