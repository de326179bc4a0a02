"""The compiled (jsonschema_rs) validators are only an accept path: whatever they accept,
the reference ``jsonschema`` validators accept too, so using them never widens what a node
takes in; whatever they reject goes to ``jsonschema`` for the precise message."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federation import keys, schemas, statements
from federation.errors import StatementError

from .conftest import ISSUER, candidate_body
from .test_statements import VALID_BODIES

NEW_KEY = keys.public_jwk(keys.generate_private_key())
BODIES: dict[str, dict[str, Any]] = {
    **VALID_BODIES,
    "key-rotation": {
        "new_key": NEW_KEY,
        "previous_kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
    },
}
PAYLOADS = {
    type_: statements.build_payload(
        type_,
        ISSUER,
        3,
        "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
        body,
        issued_at="2024-03-03T09:30:00Z",
    )
    for type_, body in BODIES.items()
}


def fast_accepts(doc: Any, name: str = "") -> bool:
    return bool(schemas._fast_validators()[name or doc["type"]].is_valid(doc))


def reference_accepts(doc: Any, name: str = "") -> bool:
    return not any(schemas._validators()[name or doc["type"]].iter_errors(doc))


@pytest.mark.parametrize("type_", sorted(PAYLOADS))
def test_valid_payloads_take_the_fast_path(type_: str) -> None:
    assert fast_accepts(PAYLOADS[type_]) and reference_accepts(PAYLOADS[type_])
    schemas.validate(PAYLOADS[type_])


def with_change(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(PAYLOADS["candidate-endorsement"])
    target = doc
    for member in path[:-1]:
        target = target[member]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


DELETE = object()
INVALID = [
    (("seq",), 0),
    (("seq",), 2**53),  # beyond the schema's maximum, exactly representable in 64 bits
    (("seq",), 10**30),  # beyond 64 bits
    (("seq",), True),
    (("id",), "1B4E28BA-2FA1-11D2-883F-0016D3CCA427"),  # upper case is not canonical
    (("issuer",), "ftp://walton.example.org"),
    (("issuer",), "https://user@walton.example.org"),
    (("issued_at",), "2024-02-30T09:30:00Z"),
    (("body", "election_date"), "2024-02-30"),
    (("body",), DELETE),
    (("body", "surprise"), "extra member"),
    (("body", "decision", "method"), "coin toss"),
    (("type",), "retraction"),
]


@pytest.mark.parametrize(("path", "value"), INVALID)
def test_invalid_payloads_are_rejected_by_both(path: tuple[str, ...], value: Any) -> None:
    doc = with_change(path, value)
    assert not fast_accepts(doc)
    assert not reference_accepts(doc)
    with pytest.raises(StatementError) as info:
        schemas.validate(doc)
    assert info.value.code == "schema-invalid"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.text(max_size=30)
    | st.sampled_from(["2024-05-02", "https://walton.example.org", str(uuid.UUID(int=7)), "fptp"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(doc, dict):
        for member, value in doc.items():
            found += paths(value, (*prefix, member))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found += paths(value, (*prefix, index))
    return found


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(PAYLOADS)),
    st.data(),
    json_values,
    st.sampled_from(["replace", "delete", "add"]),
)
def test_fast_path_never_accepts_what_jsonschema_rejects(
    type_: str, data: st.DataObject, value: Any, how: str
) -> None:
    doc = copy.deepcopy(PAYLOADS[type_])
    path = data.draw(st.sampled_from(paths(doc)))
    parent: Any = doc
    for step in path[:-1]:
        parent = parent[step]
    if how == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
    elif how == "add" and isinstance(parent, dict):
        parent[data.draw(st.text(max_size=12))] = value
    else:
        parent[path[-1]] = value
    if fast_accepts(doc, type_):
        assert reference_accepts(doc, type_), doc


def test_fast_validators_cover_every_schema() -> None:
    assert set(schemas._fast_validators()) == set(schemas._validators())
    assert candidate_body()  # the shared fixtures still build a valid body


FORMAT_CHECKS = {
    "date": schemas._is_date,
    "date-time": schemas._is_datetime,
    "uri": schemas._is_uri,
    "uuid": schemas._is_uuid,
}


@pytest.mark.parametrize("name", sorted(schemas.FORMAT_PATTERNS))
def test_format_patterns_admit_only_what_the_format_checks_accept(name: str) -> None:
    """The compiled validators check formats by pattern: a value the pattern admits but the
    format check refuses would widen what a node takes in."""
    assert set(FORMAT_CHECKS) == set(schemas.FORMAT_PATTERNS)

    @settings(max_examples=500, deadline=None)
    @given(st.from_regex(schemas.FORMAT_PATTERNS[name], fullmatch=True))
    def admitted(value: str) -> None:
        assert FORMAT_CHECKS[name](value), value

    admitted()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (
            ("body", "election_date"),
            "2024-02-29",
        ),  # a leap day: the pattern leaves it to jsonschema
        (("issued_at",), "2024-02-29T23:59:59Z"),
        (("issuer",), "http://[2001:db8::1]:65535/g/walton"),
    ],
)
def test_values_the_patterns_leave_out_are_still_valid(path: tuple[str, ...], value: Any) -> None:
    doc = with_change(path, value)
    assert not fast_accepts(doc)  # not admitted by the pattern ...
    assert reference_accepts(doc)  # ... but valid, and validate() says so
    schemas.validate(doc)


def test_year_zero_is_refused_by_both() -> None:
    doc = with_change(("body", "election_date"), "0000-05-02")
    assert not fast_accepts(doc) and not reference_accepts(doc)
