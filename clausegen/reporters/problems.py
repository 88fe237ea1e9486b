"""Spec and library problems (validate, render, library check) as text or JSON."""

from __future__ import annotations

import json

from clausegen.errors import Problem


def report_problems(problems: list[Problem], fmt: str = "text", files=None, source: bool = True,
                    lang: str = "en", summary: bool = True) -> str:
    """Return `problems` as text (one per line, with hints) or json (a list of objects).

    In text, each problem with a known line is followed by that line of its file and a marker
    under the column (when `source` is true and the file can be read); `files`, when given,
    is the list of files checked, so that a clean run can say how many were valid. The summary
    line (left out without `summary`) is in `lang`; the problems come worded already.
    """
    from clausegen.messages import msg

    if fmt == "json":
        from dataclasses import asdict

        return json.dumps({"version": 1, "problems": [asdict(p) for p in problems]},
                          ensure_ascii=False, indent=2) + "\n"
    sources: dict = {}
    lines = []
    for p in problems:
        head, _, hint = p.format().partition("\n")
        lines.append(head)
        if source:
            lines.extend(_source_excerpt(p, sources))
        if hint:
            lines.append(hint)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if not summary:
        pass
    elif files is not None and not errors:
        lines.append(msg("summary-valid", n=len(files)).text(lang)
                     + (msg("summary-warnings", n=warnings).text(lang) if warnings else ""))
    elif problems:
        lines.append(msg("summary-problems", errors=errors, warnings=warnings).text(lang))
    return "\n".join(lines) + "\n"


_EXCERPT_MAX_BYTES = 5 * 1024 * 1024


def _source_excerpt(problem: Problem, cache: dict) -> list[str]:
    """Return the offending source line of `problem` with a caret under its column, or []."""
    if not problem.line or not problem.file:
        return []
    if problem.file not in cache:
        text = None
        try:
            from pathlib import Path

            path = Path(problem.file)
            if path.is_file() and path.stat().st_size <= _EXCERPT_MAX_BYTES:
                text = path.read_bytes().decode("utf-8", errors="replace").splitlines()
        except OSError:
            text = None
        cache[problem.file] = text
    text = cache[problem.file]
    if not text or problem.line > len(text):
        return []
    import unicodedata

    line = text[problem.line - 1].replace("\t", " ").rstrip()
    if problem.line == 1 and line.startswith("\ufeff"):
        line = line[1:]
    if len(line) > 160:
        return []
    width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line[: max(0, (problem.col or 1) - 1)])
    gutter = f"{problem.line:>5} | "
    return [f"{gutter}{line}", " " * (len(gutter) - 2) + "| " + " " * width + "^"]
