"""The spec's JSON Schema: where it is, its languages, and how a place in a spec is written."""

from __future__ import annotations

from clausegen.errors import ClausegenError


SCHEMA_NAME = "spec.schema.json"

LANGUAGES = ("zh", "en", "bilingual")


def format_path(path) -> str:
    """Return `path` as ``standards.tiers[1].credit_percent``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def spec_schema() -> dict:
    """Return the spec's JSON Schema (the source of titles and descriptions for forms and `new`).

    Raises ClausegenError when the installation lacks it.
    """
    from clausegen.resources import load_schema

    try:
        return load_schema(SCHEMA_NAME)
    except (FileNotFoundError, ValueError) as exc:
        raise ClausegenError(f"the spec schema {SCHEMA_NAME} cannot be read: {exc}",
                             hint="the installation is incomplete; reinstall clausegen") from None
