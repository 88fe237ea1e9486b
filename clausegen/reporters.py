"""Reporters: turn results (spec problems, check reports) into text, json, sarif, markdown, docx."""

from __future__ import annotations

import json

from clausegen.errors import Problem

# ---------------------------------------------------------------- problems (validate, library check)


def report_problems(problems: list[Problem], fmt: str = "text", files=None) -> str:
    """Return `problems` as text (one per line, with hints) or json (a list of objects)."""
    if fmt == "json":
        from dataclasses import asdict

        return json.dumps({"version": 1, "problems": [asdict(p) for p in problems]},
                          ensure_ascii=False, indent=2) + "\n"
    lines = [p.format() for p in problems]
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if files is not None and not problems:
        lines.append(f"{len(files)} spec(s) valid")
    elif problems:
        lines.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- check reports (see REPORTERS below)
