"""What the check reporters share: provision titles and labels, shortening, colour, counts.

Paragraph numbers are 0-based in the Report and in JSON (the design's shape) and shown 1-based
("¶ 13") to people, as Word users count them. A run over several files may carry `report.errors`
(files that could not be read; see clausegen.check.batch): every reporter shows them, so a
reviewer cannot miss an unread contract.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache

from clausegen.errors import ClausegenError


SHORT_QUOTE = 100  # terminal columns of an evidence quote in text and markdown reports


SHORT_SUGGESTION = 240  # terminal columns of a suggested clause unless --verbose


# Statuses stay in English in every report (stable words to grep and filter on); the labels
# around them follow the contract's language.
LABELS = {
    "zh": {"suggestion": "建议条款", "optional": "可选", "colon": "："},
    "en": {"suggestion": "suggested clause", "optional": "optional", "colon": ":"},
}


MARKS = {"present": "✓", "weak": "~", "missing": "✗"}


COLOURS = {"present": "32", "weak": "33", "missing": "31", "error": "31", "warning": "33", "info": "36"}


def columns(ch: str) -> int:
    import unicodedata

    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def shorten(text: str, width: int) -> str:
    """Return `text` on one line, cut to `width` terminal columns (a Chinese character takes
    two) with an ellipsis when longer."""
    flat = " ".join(str(text).split())
    used = 0
    for i, ch in enumerate(flat):
        used += columns(ch)
        if used > width - 1:
            return flat[:i].rstrip() + "…"
    return flat


def suggestion_lines(text: str, verbose: bool) -> list[str]:
    """Return the lines of a suggested clause: all when `verbose`, else the first ones that fit
    SHORT_SUGGESTION columns, the last cut, then how much was left out."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if verbose:
        return lines
    out, budget = [], SHORT_SUGGESTION
    for line in lines:
        cols = sum(columns(ch) for ch in line)
        if cols <= budget:
            out.append(line)
            budget -= cols
            continue
        if budget > 20:
            out.append(shorten(line, budget))
        break
    if out != lines:
        total = len(" ".join(lines))
        out.append(f"… ({total} characters in all; use --verbose)")
    return out


@lru_cache(maxsize=4)
def provision_info(library_root: str | None = None) -> dict:
    """Return {provision id: (titles by language, required)} from the clause library, or {}."""
    try:
        from clausegen.library import load_library

        family = load_library(library_root).family()
    except (ClausegenError, OSError):  # titles are a courtesy: a report prints without them
        return {}
    return {p.id: (dict(p.title), p.required) for p in family.provisions}


def provision_title(pid: str | None, lang: str) -> str:
    """Return the title of provision `pid` in `lang` (the id itself when the library has none)."""
    if not pid:
        return ""
    titles = provision_info().get(pid, ({}, True))[0]
    return titles.get(lang) or titles.get("en") or pid


def labels_for(lang: str) -> dict:
    return LABELS["zh" if lang == "zh" else "en"]


def use_colour(stream=None) -> bool:
    """Return True when `stream` (default stdout) is a terminal and NO_COLOR is not set."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") is not None:
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def paint(text: str, key: str, colour: bool) -> str:
    return f"\x1b[{COLOURS[key]}m{text}\x1b[0m" if colour and key in COLOURS else text


def run_errors(report) -> tuple:
    """Return the files `report` could not read: a tuple of (path, message) pairs."""
    errors = getattr(report, "errors", ()) or ()
    return tuple((e.path, e.message + (f" (hint: {e.hint})" if getattr(e, "hint", None) else ""))
                 for e in errors)


def status_counts(report) -> dict:
    counts = {"present": 0, "weak": 0, "missing": 0, "error": 0, "warning": 0, "info": 0}
    for f in report.files:
        for p in f.provisions:
            if p.required:
                counts[p.status] = counts.get(p.status, 0) + 1
        for x in f.findings:
            counts[x.severity] = counts.get(x.severity, 0) + 1
    return counts


def shown_provisions(file_report, verbose: bool) -> list:
    """Return the provisions to show: required ones always, optional ones when found or verbose."""
    return [p for p in file_report.provisions if p.required or verbose or p.status != "missing"]
