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
