"""Schema validation of statement payloads and other federation documents.

Schemas live in the top-level :mod:`schemas` package (JSON files). They are
loaded once and compiled into one Draft 2020-12 validator per document type,
with our own format checks for ``date``, ``date-time``, ``uri`` and ``uuid`` so
results do not depend on which optional jsonschema extras are installed.

Speed: the same schema files are also compiled with ``jsonschema_rs`` (a Rust
implementation of Draft 2020-12; a dependency, but optional for a third-party
verifier), with each format replaced by a pattern that admits only values the
format check accepts, and used as the accept path: a document it accepts is
valid. A document it rejects is validated again by ``jsonschema``, which gives
the precise error message and has the final word. The pure-Python
validator alone cost ~15x an Ed25519 signature check per received statement.
tests/federation/test_schema_fast_path.py checks that the fast path never accepts
what ``jsonschema`` rejects.
A few rules JSON Schema cannot express (turnout <= electorate, a rotation's
new key differing from the old) are checked here in Python, with the same
error code. ``pattern`` is evaluated as JSON Schema defines it (ECMA-262: ``$`` is the end of
the string, not "before a final newline" as in Python's ``re``; :func:`ecma_regex`), so both
validators agree that ``"<hash>\\n"`` is not a hash.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import schemas as _schema_files

from .errors import StatementError

if TYPE_CHECKING:  # imported when first needed: ~60 ms of every process's start otherwise
    import jsonschema

__all__ = ["STATEMENT_TYPES", "validate", "validate_document", "format_checker"]

STATEMENT_TYPES: tuple[str, ...] = _schema_files.STATEMENT_TYPES

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})",
    re.ASCII,
)
_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_RE.fullmatch(value):
        return False
    date.fromisoformat(value)  # raises ValueError for 2024-02-30
    return True


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATETIME_RE.fullmatch(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return _is_uri_text(value)


@lru_cache(maxsize=4096)
def _is_uri_text(value: str) -> bool:
    """Memoised: the same issuer and campaign URLs come back in every statement."""
    parts = urlsplit(value)
    # .port raises ValueError for non-numeric or out-of-range ports.
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and parts.username is None
        and (parts.port is None or parts.port > 0)
        and value.isascii()
        and value.isprintable()
    )


def _is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True
    # The pattern admits exactly the canonical lowercase 8-4-4-4-12 form, which uuid.UUID
    # always parses and prints back unchanged.
    return bool(_UUID_RE.fullmatch(value))


def ecma_regex(pattern: str) -> str:
    """``pattern`` with JSON Schema's (ECMA-262) meaning of ``$`` for Python's ``re``.

    In ECMA-262, and in the Rust fast path, ``$`` matches only at the very end of the string;
    Python's ``re.search`` also matches it before a final newline, so ``"^[A-Za-z0-9_-]{16,64}$"``
    would accept a nonce ending in ``"\\n"``. Every ``$`` outside a character class and not
    escaped becomes ``\\Z`` (the end of the string, nothing else).
    """
    out: list[str] = []
    escaped = False
    in_class = -1  # characters read since the "[" opening a class; -1 outside a class
    for char in pattern:
        literal, escaped = escaped, char == "\\" and not escaped
        if in_class >= 0:
            # "]" first in a class ("[]…]", "[^]…]") is a literal, as in Python's re
            first = in_class == 0 or (in_class == 1 and out[-1] == "^")
            in_class = -1 if char == "]" and not literal and not first else in_class + 1
        elif char == "[" and not literal:
            in_class = 0
        elif char == "$" and not literal:
            char = r"\Z"
        out.append(char)
    return "".join(out)


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_regex(pattern))


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: Any
) -> Iterator[jsonschema.ValidationError]:
    """The ``pattern`` keyword with ECMA-262 anchors (jsonschema's own uses ``re.search``)."""
    import jsonschema

    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def validator_class() -> Any:
    """Draft 2020-12 with the ``pattern`` keyword above; everything else is jsonschema's.
    (Built on first use: the accept path, :func:`_fast_validators`, seldom needs it.)"""
    import jsonschema

    return jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern})


def format_checker() -> jsonschema.FormatChecker:
    """The format checker used for every federation schema."""
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date", raises=ValueError)(_is_date)
    checker.checks("date-time", raises=ValueError)(_is_datetime)
    checker.checks("uri", raises=ValueError)(_is_uri)
    checker.checks("uuid", raises=ValueError)(_is_uuid)
    return checker


@cache
def _validators() -> dict[str, jsonschema.protocols.Validator]:
    import referencing
    from referencing.jsonschema import DRAFT202012

    names = _schema_files.STATEMENT_TYPES + _schema_files.OTHER_DOCUMENTS
    loaded = {name: _schema_files.load(name) for name in names}
    registry: referencing.Registry[Any] = referencing.Registry().with_resources(
        (doc["$id"], DRAFT202012.create_resource(doc)) for doc in loaded.values()
    )
    checker = format_checker()
    result: dict[str, jsonschema.protocols.Validator] = {}
    validator = validator_class()
    for name, doc in loaded.items():
        validator.check_schema(doc)
        result[name] = validator(doc, registry=registry, format_checker=checker)
    return result


# The compiled validators check formats with these patterns, in Rust, instead of calling back into
# Python for every formatted value (that cost ≈ 15 µs per statement, ≈ 9 % of an Ed25519 check).
# Each pattern matches only strings the format's check above accepts (a subset: property-tested in
# tests/federation/test_schema_fast_path.py); what they do not match (29 February, an IPv6 or
# port-65535 host, …) is judged by ``jsonschema`` with the checks themselves.
_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
_MONTH_DAY = (
    "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    "|(?:0[13-9]|1[0-2])-(?:29|30)"
    "|(?:0[13578]|1[02])-31)"
)
_TIME = (
    "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:[.][0-9]{1,6})?"
    "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)
FORMAT_PATTERNS: dict[str, str] = {
    "date": f"^{_YEAR}-{_MONTH_DAY}$",
    "date-time": f"^{_YEAR}-{_MONTH_DAY}T{_TIME}$",
    "uuid": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    "uri": "^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[1-9][0-9]{0,3})?(?:/[!-~]*)?$",
}


def _formats_as_patterns(node: Any) -> Any:
    """A copy of a schema in which every ``"format": F`` keyword is ``allOf: [{pattern}]``."""
    if isinstance(node, list):
        return [_formats_as_patterns(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _formats_as_patterns(value) for key, value in node.items()}
    keyword = out.get("format")
    if isinstance(keyword, str):  # (a property *named* "format" has a schema, not a string)
        del out["format"]
        if keyword in FORMAT_PATTERNS:
            out["allOf"] = [*out.get("allOf", []), {"pattern": FORMAT_PATTERNS[keyword]}]
    return out


@cache
def _fast_validators() -> dict[str, Any]:
    """The same schemas compiled by ``jsonschema_rs`` (accept path only), formats as patterns."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a verifier installed without the accelerator
        return {}
    names = _schema_files.STATEMENT_TYPES + _schema_files.OTHER_DOCUMENTS
    loaded = {name: _formats_as_patterns(_schema_files.load(name)) for name in names}
    registry = jsonschema_rs.Registry([(doc["$id"], doc) for doc in loaded.values()])
    return {
        name: jsonschema_rs.Draft202012Validator(doc, registry=registry, validate_formats=False)
        for name, doc in loaded.items()
    }


def _describe(error: jsonschema.ValidationError) -> str:
    path = error.json_path
    message = error.message
    if len(message) > 200:
        message = message[:199] + "…"
    return f"{path}: {message}"


def _check(name: str, document: Any) -> None:
    fast = _fast_validators().get(name)
    try:
        if fast is not None and fast.is_valid(document):
            return
    except (ValueError, TypeError, OverflowError):  # whatever it cannot take, jsonschema judges
        pass
    validator = _validators()[name]
    errors = sorted(
        validator.iter_errors(document), key=lambda e: (list(e.absolute_path), e.validator)
    )
    if errors:
        from jsonschema.exceptions import best_match

        best = best_match(errors)
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise StatementError("schema-invalid", _describe(best) + more)


def validate(payload: Any) -> None:
    """Validate a statement payload against the schema of its ``type``.

    Raises ``StatementError("schema-invalid", "<json path>: <problem>")``; an
    unknown or missing type is schema-invalid too.
    """
    if not isinstance(payload, Mapping):
        raise StatementError("schema-invalid", "$: payload must be a JSON object")
    kind = payload.get("type")
    if not isinstance(kind, str) or kind not in STATEMENT_TYPES:
        raise StatementError("schema-invalid", f"$.type: unknown statement type {str(kind)[:60]!r}")
    _check(kind, payload)
    _semantic_checks(payload)


def validate_document(name: str, document: Any) -> None:
    """Validate a non-statement document: ``follow``, ``discovery``, ``outbox-page``."""
    if name not in _schema_files.OTHER_DOCUMENTS or name == "common":
        raise ValueError(f"no document schema called {name!r}")
    _check(name, document)


def _semantic_checks(payload: Mapping[str, Any]) -> None:
    body = payload["body"]
    decision = body.get("decision")
    if isinstance(decision, Mapping):
        electorate, turnout = decision.get("electorate"), decision.get("turnout")
        if isinstance(electorate, int) and isinstance(turnout, int) and turnout > electorate:
            raise StatementError(
                "schema-invalid", "$.body.decision.turnout: turnout exceeds electorate"
            )
    if payload["type"] == "key-rotation":
        from .keys import thumbprint

        new_kid = thumbprint(body["new_key"])
        if body["new_key"].get("kid", new_kid) != new_kid:
            raise StatementError(
                "schema-invalid", "$.body.new_key.kid: kid is not the key's RFC 7638 thumbprint"
            )
        if new_kid == body["previous_kid"]:
            raise StatementError(
                "schema-invalid", "$.body.new_key: new key is the same as the previous key"
            )
