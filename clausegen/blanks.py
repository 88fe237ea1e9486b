"""Open values of a draft spec (TBD, 待定, [●], 【　】) and the blanks they print as.

Pure data and functions, imported by the spec's rules (an open value outside a draft is an
error), by `clausegen.draft` (validating and loading drafts) and by the renderer (printing blanks).
"""

from __future__ import annotations

MARKERS = frozenset({"TBD", "tbd", "待定", "[●]", "[•]", "[*]", "【】", "【　】", "【 】"})
BLANKS = {"zh": "【　】", "en": "[●]"}
OPEN = "open"  # the severity (and code) of an open value in `validate --draft`


class Blank(str):
    """A blank in a draft: prints as the placeholder; filters give it back with its unit or currency."""


def is_open(value) -> bool:
    """Return whether `value` marks an open value (TBD, 待定, [●], 【　】)."""
    return isinstance(value, str) and value.strip() in MARKERS


def open_paths(data, path=()) -> list[tuple]:
    """Return the paths of every open value in spec `data`, in document order."""
    if is_open(data):
        return [path]
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in open_paths(v, path + (k,))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in open_paths(v, path + (i,))]
    return []


def _is_blank(value) -> bool:
    # By value, not type: the renderer rebuilds the spec's strings (dropping invisible characters).
    return isinstance(value, str) and value in _BLANK_TEXTS


_BLANK_TEXTS = frozenset(BLANKS.values())


def _contains_blank(value) -> bool:
    return _is_blank(value) or (isinstance(value, dict) and any(_is_blank(v) for v in value.values()))
