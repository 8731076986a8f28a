"""The JSON Schemas and examples of the Reconciliation Service API 0.2, read from the copy of the
specification's repository in ``../shared/reconciliation-api/`` (see its README), and a
validator per kind of document."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

# jsonschema and referencing are imported where a test validates, not when the tests are
# collected (about 0.05 s).
if TYPE_CHECKING:
    from jsonschema import Draft7Validator
    from referencing import Registry

ROOT = Path(__file__).resolve().parent.parent


def spec_folder() -> Path:
    """``shared/reconciliation-api/0.2`` beside the project or one of the folders above it (a
    git worktree sits deeper than the main checkout)."""
    for folder in ROOT.parents:
        found = folder / "shared" / "reconciliation-api" / "0.2"
        if found.is_dir():
            return found
    raise FileNotFoundError("no shared/reconciliation-api/0.2 above " + str(ROOT))


SPEC = spec_folder()
SCHEMAS = SPEC / "schemas"
EXAMPLES = SPEC / "examples"


@cache
def registry() -> Registry:
    """Every schema of the folder under its ``$id``, so that ``$ref``s resolve offline (the
    manifest's ``authentication`` refers to the Swagger 2.0 schema, copied as openapi.json)."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        schema = json.loads(path.read_text("utf-8"))
        resources.append((schema["$id"].rstrip("#"), Resource.from_contents(
            schema, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


@cache
def validator(kind: str) -> Draft7Validator:
    """The validator of one kind of document, named as its schema file (``manifest``,
    ``reconciliation-result-batch``, ``data-extension-response``, ...)."""
    from jsonschema import Draft7Validator

    schema = json.loads((SCHEMAS / f"{kind}.json").read_text("utf-8"))
    return Draft7Validator(schema, registry=registry())


def errors(kind: str, document: object) -> list[str]:
    """What is wrong with ``document`` as a ``kind``; empty when it is valid."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(kind).iter_errors(document)]


def examples(kind: str, validity: str) -> list[Path]:
    """The specification's ``valid`` or ``invalid`` example files of a kind."""
    return sorted((EXAMPLES / kind / validity).glob("*.json"))
