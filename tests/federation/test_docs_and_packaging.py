from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from federation import keys, schemas, statements

from .example import ISSUER, example

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "protocol.md"


def test_worked_example_is_current() -> None:
    text = DOC.read_text()
    ex = example()
    for name in ("jwks", "header", "payload", "compact", "hash"):
        assert ex[name] in text, (
            f"docs/protocol.md {name} is stale: run python -m tests.federation.example"
        )


def test_doc_example_verifies_from_the_doc_alone() -> None:
    text = DOC.read_text()
    jwks = json.loads(re.search(r"```json\n(\{\n  \"keys\".*?)\n```", text, re.S).group(1))  # type: ignore[union-attr]
    compact = re.search(r"Compact JWS \(one line\):\n\n```\n(\S+)\n```", text).group(1)  # type: ignore[union-attr]
    lookup = statements.static_lookup({ISSUER: jwks["keys"]})
    v = statements.verify(compact, lookup)
    assert v.type == "candidate-endorsement" and v.hash in text


def test_doc_lists_every_error_code_and_status() -> None:
    text = DOC.read_text()
    from federation.errors import HTTP_STATUS

    for code, status in HTTP_STATUS.items():
        assert re.search(rf"`{re.escape(code)}`[^|\n]*\| {status} \|", text), code
    assert statements.TYP in text


def test_every_schema_is_valid_and_loaded() -> None:
    for name in schemas.STATEMENT_TYPES:
        assert (ROOT / "schemas" / f"{name}.json").exists()
    schemas._validators()  # check_schema on all of them


def test_federation_never_imports_flask_or_node() -> None:
    code = (
        "import sys, pkgutil, importlib, federation\n"
        "for m in pkgutil.walk_packages(federation.__path__, 'federation.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [n for n in sys.modules if n == 'flask' or n.startswith(('flask.', 'node')) ]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    for path in (ROOT / "federation").glob("*.py"):
        source = path.read_text()
        assert not re.search(r"^\s*(from|import)\s+(flask|node)\b", source, re.M), path


def test_public_jwk_has_no_private_members() -> None:
    jwk = keys.public_jwk(keys.generate_private_key())
    assert "d" not in jwk and '"d":' not in json.dumps(keys.jwks([jwk]))
