"""``pattern`` means what JSON Schema (ECMA-262) says: ``$`` is the end of the string.

Python's ``re.search`` lets ``$`` match before a final newline, so with jsonschema's own
``pattern`` keyword a nonce, hash or key member ending in ``"\\n"`` was valid (the Rust fast path
refused it, and then ``jsonschema``, which has the final word, accepted it). The walk below finds
every pattern-only field in the shipped schemas, so a new one is covered without editing this file.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schemas as schema_files
from federation import follow, schemas
from federation.errors import StatementError

from .test_schema_fast_path import PAYLOADS

NAMES = schema_files.STATEMENT_TYPES + schema_files.OTHER_DOCUMENTS


def _pattern_only(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(location, subschema) of every subschema with a ``pattern`` and no ``format``."""
    if isinstance(node, list):
        for n, item in enumerate(node):
            yield from _pattern_only(item, f"{where}/{n}")
    elif isinstance(node, dict):
        if isinstance(node.get("pattern"), str) and "format" not in node:
            yield where, node
        for key, value in node.items():
            yield from _pattern_only(value, f"{where}/{key}")


PATTERN_ONLY = [
    (f"{name}.json#{where}", sub)
    for name in NAMES
    for where, sub in _pattern_only(schema_files.load(name), "")
]


def test_the_walk_finds_the_known_pattern_only_fields() -> None:
    found = {where for where, _ in PATTERN_ONLY}
    assert {
        "common.json#/$defs/hash",
        "common.json#/$defs/publicJwk/properties/x",
        "follow.json#/properties/nonce",
    } <= found


@pytest.mark.parametrize(("where", "sub"), PATTERN_ONLY, ids=[w for w, _ in PATTERN_ONLY])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_pattern_only_fields_refuse_a_trailing_newline(
    where: str, sub: dict[str, Any], data: st.DataObject
) -> None:
    validator = schemas._validators()["common"].evolve(schema=sub)
    value = data.draw(st.from_regex(sub["pattern"], fullmatch=True))
    assert validator.is_valid(value), (where, value)
    assert not validator.is_valid(value + "\n"), where
    assert not validator.is_valid(value + "\r\n"), where


@pytest.mark.parametrize(
    ("pattern", "python"),
    [
        ("^a$", r"^a\Z"),
        ("^[$]$", r"^[$]\Z"),
        (r"^\$x$", r"^\$x\Z"),
        ("^[]$]$", r"^[]$]\Z"),
        ("^[^]$]$", r"^[^]$]\Z"),
        (r"^[\]$]$", r"^[\]$]\Z"),
        (r"^\\$", r"^\\\Z"),
        ("(a|b$)c", r"(a|b\Z)c"),
    ],
)
def test_ecma_anchors_are_translated_outside_classes_and_escapes(pattern: str, python: str) -> None:
    assert schemas.ecma_regex(pattern) == python
    re.compile(python)


PATTERNS = {sub["pattern"] for _, sub in PATTERN_ONLY}


def _leaves(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(doc, list):
        for n, value in enumerate(doc):
            yield from _leaves(value, (*path, n))
    elif isinstance(doc, str):
        yield path, doc


def _documents() -> Iterator[tuple[str, dict[str, Any]]]:
    yield from PAYLOADS.items()
    request = follow.build_follow(
        "follow",
        "https://alpha.example.org/g/walton",
        "https://beta.example.org/g/shepperton",
        "https://alpha.example.org/g/walton/federation/inbox",
    )
    yield "follow", request


CASES = [
    (name, doc, path)
    for name, doc in _documents()
    for path, value in _leaves(doc)
    if any(re.fullmatch(p, value) for p in PATTERNS)
]


@pytest.mark.parametrize(
    ("name", "doc", "path"), CASES, ids=[f"{n}:{'.'.join(map(str, p))}" for n, _, p in CASES]
)
def test_whole_documents_with_a_newline_in_a_pattern_only_field_are_refused(
    name: str, doc: dict[str, Any], path: tuple[Any, ...]
) -> None:
    bad = copy.deepcopy(doc)
    target = bad
    for member in path[:-1]:
        target = target[member]
    target[path[-1]] += "\n"
    with pytest.raises(StatementError) as refused:
        if name in schema_files.STATEMENT_TYPES:
            schemas.validate(bad)
        else:
            schemas.validate_document(name, bad)
    assert refused.value.code == "schema-invalid"


def test_the_document_cases_cover_hash_key_and_nonce_fields() -> None:
    covered = {(name, path[-1]) for name, _, path in CASES}
    assert {("follow", "nonce"), ("key-rotation", "x"), ("key-rotation", "previous_kid")} <= covered
    assert ("candidate-endorsement", "prev") in covered
