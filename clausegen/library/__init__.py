"""Clause libraries: `layers` finds and loads families (built-in, a firm's overrides), `list` shows
what a library holds and where each file comes from, `check` reviews a library before it is used.
The names of `layers` are also here (`from clausegen.library import load_library`)."""

from __future__ import annotations

from clausegen.library.layers import (  # noqa: F401
    BUILTIN_ID, DEFAULT_FAMILY, POSITIONS, Family, Library, Provision, fingerprint, inside_library, load_library,
    read_provenance,
)
