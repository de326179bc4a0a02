"""Schemathesis fuzzes the federation API described in docs/openapi.yaml against a real node
process (gunicorn on a loopback port): whatever it sends, no 5xx, and responses match the spec."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
    unsupported_method,
)

from tests.support.server import Install

pytestmark = pytest.mark.slow
SPEC = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"

# Bodies for application/jose: arbitrary bytes, and JWS-shaped dotted base64url strings.
_b64 = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=200
)
_jws = st.builds(lambda a, b, c: f"{a}.{b}.{c}".encode(), _b64, _b64, _b64)
schemathesis.openapi.media_type("application/jose", st.one_of(st.binary(max_size=300), _jws))

schema = schemathesis.openapi.from_path(SPEC)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory):
    with Install(tmp_path_factory.mktemp("fuzzed")) as install:
        install.init("Walton", slug="walton")
        install.cli(
            "endorse",
            "candidate",
            "--group",
            "walton",
            "--name",
            "Sam Ortiz",
            "--office",
            "County",
            "--area",
            "Walton South",
            "--election-date",
            "2025-05-01",
            "--meeting-date",
            "2025-01-01",
            "--minute",
            "GM/1",
        )
        install.start()
        yield install


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_federation_api_never_fails(case, node):
    response = case.call(base_url=node.url, timeout=30)
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    # Left out: (1) the foundation's JSON error handler (node/app.py) drops the Allow header of
    # a 405 (reported to its owner); (2) schemathesis does not count 413 as a rejection, but the
    # protocol answers an over-long batch with 413 too-large, on purpose; (3) a schema-valid
    # string is almost never a validly signed statement, so refusing it is correct.
    case.validate_response(
        response,
        excluded_checks=[unsupported_method, negative_data_rejection, positive_data_acceptance],
    )
