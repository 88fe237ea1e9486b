"""Limits on the work clausegen does for one input: the one table of them, and the input size check.

Specs, contracts and uploads come from outside; each limit below bounds the size, memory or
time one of them can cost. Every limit has a default, an environment variable
(``CLAUSEGEN_MAX_<NAME>``) and the command-line option ``--limit NAME=VALUE`` (which sets the
same variable, so worker processes inherit it). Sizes accept ``KB``/``MB``/``GB`` suffixes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from clausegen.errors import InputError, UsageError


@dataclass(frozen=True)
class Limit:
    """One limit: its name, default value, unit ("bytes", "count", "seconds") and what it bounds."""

    name: str
    default: float
    unit: str
    help: str

    @property
    def env(self) -> str:
        return "CLAUSEGEN_MAX_" + self.name.upper()


MB = 1024 * 1024

LIMITS = {lim.name: lim for lim in (
    Limit("input_bytes", 100 * MB, "bytes", "size of a contract file (.docx, .pdf, .txt, .md)"),
    Limit("spec_bytes", 5 * MB, "bytes", "size of a spec, playbook or rule file (YAML)"),
    Limit("docx_uncompressed_bytes", 512 * MB, "bytes", "total uncompressed size of a .docx's parts"),
    Limit("docx_xml_bytes", 128 * MB, "bytes", "uncompressed size of one XML part of a .docx (parser memory)"),
    Limit("docx_ratio", 200, "count", "compression ratio of one .docx part larger than 1 MB"),
    Limit("docx_members", 10_000, "count", "number of parts in a .docx"),
    Limit("yaml_nodes", 100_000, "count", "values a YAML file expands to, counting alias expansions"),
    Limit("yaml_aliases", 1_000, "count", "alias uses (*name) in a YAML file"),
    Limit("yaml_depth", 64, "count", "nesting depth of a YAML file"),
    Limit("paragraph_chars", 100_000, "count", "characters of one paragraph given to the language pipeline"),
    Limit("pdf_pages", 5_000, "count", "pages of a PDF contract"),
    Limit("pdf_page_operations", 500_000, "count", "operations in one PDF page's content (parser work per page)"),
    Limit("pdf_seconds", 120, "seconds", "time spent reading the text of one PDF"),
    Limit("check_seconds", 600, "seconds", "time one contract may take to read and check (its worker "
                                           "process is stopped past it)"),
    Limit("template_seconds", 10, "seconds", "time one clause template may run"),
    Limit("template_output_chars", 2_000_000, "count", "characters one clause template may produce"),
)}

_SUFFIX = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": MB, "mb": MB, "g": 1024 * MB, "gb": 1024 * MB}


def parse_value(name: str, raw: str) -> float:
    """Return the number `raw` means for limit `name` ("200MB", "5000", "2.5").

    Raises UsageError for an unknown limit or a value that is not a positive number.
    """
    lim = LIMITS.get(name)
    if lim is None:
        raise UsageError(f"unknown limit {name!r}", hint=f"limits: {', '.join(sorted(LIMITS))}")
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(raw))
    factor = _SUFFIX.get(m.group(2).lower()) if m else None
    if m is None or factor is None or (factor != 1 and lim.unit != "bytes"):
        raise UsageError(f"limit {name}: {raw!r} is not a number" + (" of bytes" if lim.unit == "bytes" else ""),
                         hint=f"e.g. {lim.env}={'200MB' if lim.unit == 'bytes' else int(lim.default * 2)}")
    value = float(m.group(1)) * factor
    if value <= 0:
        raise UsageError(f"limit {name}: must be more than 0, not {raw!r}")
    return value


def get(name: str) -> int | float:
    """Return the limit `name` in force: $CLAUSEGEN_MAX_<NAME> when set, else the default.

    Raises UsageError when the variable is set to something that is not a positive number.
    """
    lim = LIMITS[name]
    raw = os.environ.get(lim.env, "").strip()
    value = parse_value(name, raw) if raw else lim.default
    return int(value) if lim.unit != "seconds" else value


def apply_options(pairs: list[str] | None) -> None:
    """Set the limits given on the command line as ``NAME=VALUE`` (via their environment variables).

    Raises UsageError for a malformed pair, an unknown name or a bad value.
    """
    for pair in pairs or ():
        name, sep, raw = pair.partition("=")
        name = name.strip().lower().replace("-", "_")
        if name.startswith("clausegen_max_"):
            name = name[len("clausegen_max_"):]
        if not sep:
            raise UsageError(f"--limit {pair!r}: expected NAME=VALUE", hint="e.g. --limit input_bytes=300MB")
        value = parse_value(name, raw)  # refuse bad values now, not in a worker
        # Plain numbers in the variable, so that readers of it that take no suffix understand it.
        os.environ[LIMITS[name].env] = str(int(value)) if LIMITS[name].unit != "seconds" else str(value)


def add_limit_option(parser) -> None:
    """Add ``--limit NAME=VALUE`` to every command of `parser` (an argparse parser with sub-commands)."""
    import argparse

    def walk(p) -> None:
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            p.add_argument("--limit", action="append", metavar="NAME=VALUE", default=argparse.SUPPRESS,
                           help="raise or lower a safety limit, e.g. input_bytes=300MB "
                                f"(names: {', '.join(LIMITS)}; see README 'Security and limits')")
        for action in subs:
            for child in set(action.choices.values()):
                walk(child)

    walk(parser)


def describe() -> str:
    """Return a table of every limit: name, value in force, environment variable, what it bounds."""
    rows = []
    for lim in LIMITS.values():
        value = get(lim.name)
        shown = f"{value / MB:g} MB" if lim.unit == "bytes" else f"{value:g}"
        rows.append(f"{lim.name:<24} {shown:>10}  {lim.env:<40} {lim.help}")
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------- input files


def size_text(n: float) -> str:
    """Return `n` bytes for a message: "3.2 MB", or "812 bytes" below a megabyte."""
    return f"{n / MB:.1f} MB" if n >= MB else f"{int(n)} bytes"


def check_input_size(path: Path, limit_name: str = "input_bytes") -> int:
    """Return the size of `path`; raise InputError when it is larger than the limit `limit_name`."""
    lim = LIMITS[limit_name]
    limit = get(limit_name)
    import stat

    try:
        info = Path(path).stat()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=str(path)) from None
    if not stat.S_ISREG(info.st_mode):  # /dev/zero or a pipe named .txt would be read forever
        raise InputError("not a regular file (a device, pipe or socket)", path=str(path),
                         hint="save the contract as a file and check that")
    size = info.st_size
    if size > limit:
        raise InputError(f"the file is {size_text(size)}; the limit is {size_text(limit)}", path=str(path),
                         hint=f"raise it with --limit {lim.name}=... or {lim.env} if the file is genuine")
    return size
