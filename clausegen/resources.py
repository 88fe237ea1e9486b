"""Locate the data that ships with clausegen: the built-in clause library and the JSON Schemas."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # In a wheel the folders sit under clausegen/_data/; in a source checkout (editable
    # install, tests) they sit at the top of the repository.
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"clausegen data folder {name!r} not found; the installation is incomplete")


def builtin_library_dir() -> Path:
    """Return the folder of the built-in clause library (`clause_templates/`)."""
    return _data_dir("clause_templates")


def schemas_dir() -> Path:
    """Return the folder holding clausegen's JSON Schemas."""
    return _data_dir("schemas")


def playbooks_dir() -> Path:
    """Return the folder of the sample playbooks (customer-side, provider-side)."""
    for candidate in (_PACKAGE / "_data" / "playbooks", _PACKAGE.parent / "samples" / "playbooks"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("clausegen sample playbooks not found; the installation is incomplete")


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """Load the JSON Schema `name` (e.g. "spec.schema.json") from the schemas folder."""
    return json.loads((schemas_dir() / name).read_text(encoding="utf-8"))


def resolve_ref(node, root: dict) -> dict:
    """Return the schema `node` with its `$ref` (within `root`, a JSON Schema 2020-12) followed.

    Keywords beside the `$ref` (a title, a description) win over the target's, as JSON Schema
    2020-12 applies both. A `$ref` that `root` cannot resolve, or a node that is not a schema
    object, gives {}.
    """
    from referencing.exceptions import Unresolvable

    resolver = _resolver(json.dumps(root, sort_keys=True)) if isinstance(root, dict) else None
    seen = 0
    while isinstance(node, dict) and "$ref" in node and resolver is not None and seen < 20:
        try:
            target = resolver.lookup(node["$ref"]).contents
        except Unresolvable:
            return {}
        node, seen = {**(target if isinstance(target, dict) else {}),
                      **{k: v for k, v in node.items() if k != "$ref"}}, seen + 1
    return node if isinstance(node, dict) else {}


@lru_cache(maxsize=8)
def _resolver(root_json: str):
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resource = Resource.from_contents(json.loads(root_json), default_specification=DRAFT202012)
    uri = "urn:clausegen:schema"
    return Registry().with_resource(uri, resource).resolver(base_uri=uri)
