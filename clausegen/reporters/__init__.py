"""Reporters: turn results (spec problems, check reports) into text, json, sarif, markdown, docx."""

from __future__ import annotations

import json

from clausegen.errors import Problem

# ---------------------------------------------------------------- problems (validate, library check)


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


# ---------------------------------------------------------------- check reports (see REPORTERS below)
#
# Each check reporter is a plain function fn(report, verbose=False) -> str, chosen by name from
# REPORTERS. Paragraph numbers are 0-based in the Report and in json (the design's shape) and
# shown 1-based ("¶ 13") to people, as Word users count them. A run over several files may carry
# `report.errors` (files that could not be read; see clausegen.check.batch): every reporter shows
# them, so a reviewer cannot miss an unread contract.

import hashlib  # noqa: E402  (the check reporters' own imports, kept with them)
import os  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
from functools import lru_cache  # noqa: E402
from pathlib import Path  # noqa: E402

from clausegen.errors import ClausegenError  # noqa: E402

SHORT_QUOTE = 100  # terminal columns of an evidence quote in text and markdown reports
SHORT_SUGGESTION = 240  # terminal columns of a suggested clause unless --verbose
INFORMATION_URI = "https://pypi.org/project/clausegen/"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
LINE_SUFFIXES = (".txt", ".md")  # formats whose paragraphs map to source lines

# Statuses stay in English in every report (stable words to grep and filter on); the labels
# around them follow the contract's language.
_LABELS = {
    "zh": {"suggestion": "建议条款", "optional": "可选", "colon": "："},
    "en": {"suggestion": "suggested clause", "optional": "optional", "colon": ":"},
}
_MARKS = {"present": "✓", "weak": "~", "missing": "✗"}
_COLOURS = {"present": "32", "weak": "33", "missing": "31", "error": "31", "warning": "33", "info": "36"}


def _columns(ch: str) -> int:
    import unicodedata

    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _shorten(text: str, width: int) -> str:
    """Return `text` on one line, cut to `width` terminal columns (a Chinese character takes
    two) with an ellipsis when longer."""
    flat = " ".join(str(text).split())
    used = 0
    for i, ch in enumerate(flat):
        used += _columns(ch)
        if used > width - 1:
            return flat[:i].rstrip() + "…"
    return flat


def _suggestion_lines(text: str, verbose: bool) -> list[str]:
    """Return the lines of a suggested clause: all when `verbose`, else the first ones that fit
    SHORT_SUGGESTION columns, the last cut, then how much was left out."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if verbose:
        return lines
    out, budget = [], SHORT_SUGGESTION
    for line in lines:
        cols = sum(_columns(ch) for ch in line)
        if cols <= budget:
            out.append(line)
            budget -= cols
            continue
        if budget > 20:
            out.append(_shorten(line, budget))
        break
    if out != lines:
        total = len(" ".join(lines))
        out.append(f"… ({total} characters in all; use --verbose)")
    return out


@lru_cache(maxsize=4)
def _provision_info(library_root: str | None = None) -> dict:
    """Return {provision id: (titles by language, required)} from the clause library, or {}."""
    try:
        from clausegen.library import load_library

        family = load_library(library_root).family()
    except (ClausegenError, OSError):  # titles are a courtesy: a report prints without them
        return {}
    return {p.id: (dict(p.title), p.required) for p in family.provisions}


def _title(pid: str | None, lang: str) -> str:
    """Return the title of provision `pid` in `lang` (the id itself when the library has none)."""
    if not pid:
        return ""
    titles = _provision_info().get(pid, ({}, True))[0]
    return titles.get(lang) or titles.get("en") or pid


def _labels(lang: str) -> dict:
    return _LABELS["zh" if lang == "zh" else "en"]


def _use_colour(stream=None) -> bool:
    """Return True when `stream` (default stdout) is a terminal and NO_COLOR is not set."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") is not None:
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _paint(text: str, key: str, colour: bool) -> str:
    return f"\x1b[{_COLOURS[key]}m{text}\x1b[0m" if colour and key in _COLOURS else text


def _run_errors(report) -> tuple:
    """Return the files `report` could not read: a tuple of (path, message) pairs."""
    errors = getattr(report, "errors", ()) or ()
    return tuple((e.path, e.message + (f" (hint: {e.hint})" if getattr(e, "hint", None) else ""))
                 for e in errors)


def _counts(report) -> dict:
    counts = {"present": 0, "weak": 0, "missing": 0, "error": 0, "warning": 0, "info": 0}
    for f in report.files:
        for p in f.provisions:
            if p.required:
                counts[p.status] = counts.get(p.status, 0) + 1
        for x in f.findings:
            counts[x.severity] = counts.get(x.severity, 0) + 1
    return counts


def _shown_provisions(file_report, verbose: bool) -> list:
    """Return the provisions to show: required ones always, optional ones when found or verbose."""
    return [p for p in file_report.provisions if p.required or verbose or p.status != "missing"]


def report_text(report, verbose: bool = False, colour: bool | None = None) -> str:
    """Return `report` for a terminal: per file the provisions, evidence and findings, then a summary.

    ANSI colour is used when `colour` is True, or when it is None and stdout is a terminal
    with NO_COLOR unset. Quotes and suggested clauses are shortened unless `verbose`.
    """
    colour = _use_colour() if colour is None else colour
    out: list[str] = []
    for f in report.files:
        lab = _labels(f.language)
        head = f"\x1b[1m{f.path}\x1b[0m" if colour else f.path
        out.append(f"{head}  [{f.language}, {f.paragraphs} paragraphs]")
        made = (f.meta or {}).get("generated_by")
        if made:
            out.append(f"  generated by clausegen: library {made.get('library')}, family {made.get('family')} "
                       f"version {made.get('family_version')}, {made.get('position', 'preferred')} wording")
        width = max((len(p.id) for p in f.provisions), default=0)
        for p in _shown_provisions(f, verbose):
            status = _paint(f"{_MARKS.get(p.status, '?')} {p.status:<7}", p.status, colour)
            optional = "" if p.required else f" ({lab['optional']})"
            line = f"  {status} {p.id:<{width}}  {_title(p.id, f.language)}{optional}"
            if p.status != "missing":
                line += f"  ({p.confidence:.2f})"
            out.append(line)
            shown = p.evidence if verbose else p.evidence[:1]
            for e in shown:
                quote = " ".join(e.text.split()) if verbose else _shorten(e.text, SHORT_QUOTE)
                out.append(f"      ¶ {e.paragraph + 1}: “{quote}”")
            if len(p.evidence) > len(shown):
                out.append(f"      … {len(p.evidence) - len(shown)} more passage(s); use --verbose")
        shown_findings = [x for x in f.findings if verbose or x.severity != "info"]
        if shown_findings:
            out.append("  findings:")
        for x in shown_findings:
            where = f" (¶ {x.paragraph + 1})" if x.paragraph is not None else ""
            sev = _paint(f"{x.severity:<7}", x.severity, colour)
            out.append(f"    {sev} {x.rule}{where}: {x.message}")
            if x.suggestion:
                out.append(f"            {lab['suggestion']}{lab['colon']}")
                out += [f"            > {line}" for line in _suggestion_lines(x.suggestion, verbose)]
        if len(shown_findings) < len(f.findings):
            out.append(f"  {len(f.findings) - len(shown_findings)} info finding(s); use --verbose")
        out.append("")
    for path, message in _run_errors(report):
        out.append(_paint("error", "error", colour) + f": {path}: {message}")
    c = _counts(report)
    summary = (f"{len(report.files)} file(s) checked: {c['present']} present, {c['weak']} weak, "
               f"{c['missing']} missing; {c['error']} error(s), {c['warning']} warning(s), {c['info']} info")
    if _run_errors(report):
        summary += f"; {len(_run_errors(report))} file(s) could not be read"
    out.append(summary)
    return "\n".join(out) + "\n"


def report_json(report, verbose: bool = False) -> str:
    """Return `report` as the design's JSON object (keys in a stable order, text not escaped).

    Files that could not be read are listed under an extra "errors" key, present only then.
    """
    data = report.to_dict()
    errors = _run_errors(report)
    if errors:
        data["errors"] = [{"path": path, "message": message} for path, message in errors]
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_line(line: str) -> str:
    """Return a clause line for a Markdown blockquote: "5. Deadlines" must stay text, not a list."""
    return re.sub(r"^(\d+)\.(\s|$)", r"\1\\.\2", line.strip())


def report_markdown(report, verbose: bool = False) -> str:
    """Return `report` as Markdown: a table of provisions per file, findings, suggested clauses."""
    icons = {"present": "✅", "weak": "⚠️", "missing": "❌"}
    out = ["# clausegen check", ""]
    for f in report.files:
        lab = _labels(f.language)
        out += [f"## `{f.path}`", "", f"Language: {f.language} · {f.paragraphs} paragraphs", "",
                "| Provision | Status | Evidence |", "|---|---|---|"]
        for p in _shown_provisions(f, verbose):
            evid = " <br> ".join(
                f"¶ {e.paragraph + 1}: “{_md_cell(e.text if verbose else _shorten(e.text, SHORT_QUOTE))}”"
                for e in (p.evidence if verbose else p.evidence[:1]))
            optional = "" if p.required else f" ({lab['optional']})"
            out.append(f"| {_md_cell(_title(p.id, f.language))} (`{p.id}`){optional} "
                       f"| {icons.get(p.status, '')} {p.status} | {evid} |")
        out.append("")
        shown = [x for x in f.findings if verbose or x.severity != "info"]
        if shown:
            out += ["### Findings", ""]
        for x in shown:
            where = f" (¶ {x.paragraph + 1})" if x.paragraph is not None else ""
            out.append(f"- **{x.severity}** `{x.rule}`{where}: {x.message}")
            if x.suggestion:
                quoted = "\n  >\n".join(f"  > {_md_line(line)}"
                                         for line in x.suggestion.strip().splitlines() if line.strip())
                out += ["", f"  <details><summary>{lab['suggestion']}</summary>", "", quoted, "",
                        "  </details>", ""]
        if len(shown) < len(f.findings):
            out += ["", f"_{len(f.findings) - len(shown)} info finding(s); use --verbose_"]
        out.append("")
    errors = _run_errors(report)
    if errors:
        out += ["## Files that could not be read", ""]
        out += [f"- `{path}`: {message}" for path, message in errors]
        out.append("")
    c = _counts(report)
    out.append(f"**{len(report.files)} file(s):** {c['present']} present, {c['weak']} weak, "
               f"{c['missing']} missing · {c['error']} error(s), {c['warning']} warning(s)"
               + (f" · **{len(errors)} unreadable**" if errors else ""))
    return "\n".join(out) + "\n"


def _artifact_uri(path: str) -> str:
    """Return `path` as a SARIF artifact URI: relative to the working directory when inside it."""
    p = Path(path)
    if p.is_absolute():
        try:
            return p.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return p.as_uri()
    return p.as_posix()


def _source_lines(path: str) -> tuple[str, ...]:
    """Return the lines of the text file `path` (UTF-8, else GB18030), or () if unreadable."""
    try:
        p = Path(path).resolve()
        st = p.stat()
    except OSError:
        return ()
    return _decoded_lines(str(p), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=64)
def _decoded_lines(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    try:
        data = Path(path).read_bytes()
    except OSError:
        return ()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return tuple(data.decode(encoding).splitlines())
        except UnicodeDecodeError:
            continue
    return ()


def _line_of(path: str, place: str | None, snippet: str) -> int | None:
    """Return the 1-based source line where `snippet` starts in the .txt/.md file `path`, or None.

    `place` is the reader's "line N" of the paragraph; readers join hard-wrapped lines, so the
    line is refined by finding the snippet's first words at or after line N.
    """
    if not path.lower().endswith(LINE_SUFFIXES):
        return None
    start = int(place.split()[1]) if place and place.startswith("line ") else None
    lines = _source_lines(path)
    flat = " ".join(snippet.split())
    for probe in (flat[:40], flat[:12]):
        if not probe or not lines:
            continue
        window = range(start - 1, min(start + 40, len(lines))) if start else range(len(lines))
        for i in window:
            if probe in " ".join(lines[i].split()):
                return i + 1
    return start


def _fingerprint(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:32]


def _sarif_location(f, finding, snippet: str | None) -> dict:
    """Return the SARIF location of `finding` in file report `f`, from the place the checker recorded."""
    loc: dict = {"physicalLocation": {"artifactLocation": {"uri": _artifact_uri(f.path)}}}
    paragraph, place = finding.paragraph, finding.location
    if paragraph is None:
        # A missing clause has no place; GitHub code scanning still needs a line: the top.
        loc["physicalLocation"]["region"] = {"startLine": 1}
        loc["message"] = {"text": "the whole document"}
        return loc
    line = _line_of(f.path, place, snippet or "")
    if line is None and not f.path.lower().endswith(LINE_SUFFIXES):
        line = paragraph + 1  # Word and PDF have no lines: "line" N is paragraph N, as text reports count
    if line is not None:
        region: dict = {"startLine": line}
        if snippet:
            region["snippet"] = {"text": snippet}
        loc["physicalLocation"]["region"] = region
    loc["logicalLocations"] = [{"name": place or f"paragraph {paragraph + 1}",
                                "fullyQualifiedName": f"{f.path}#paragraph[{paragraph}]",
                                "kind": "paragraph"}]
    if snippet:
        loc["message"] = {"text": _shorten(snippet, 300)}
    return loc


def _finding_snippet(f, finding) -> str | None:
    """Return the evidence text at the finding's paragraph (for a region snippet), if any."""
    if finding.paragraph is None:
        return None
    for p in f.provisions:
        for e in p.evidence:
            if e.paragraph == finding.paragraph and (finding.provision in (None, p.id)):
                return e.text
    return None


def _rule_summary(rule: str, title: str) -> str:
    if rule.startswith("missing-"):
        return f"Provision missing: {title}"
    if rule.startswith("weak-"):
        return f"Provision present but vague: {title}"
    return f"{title}: {rule}"


def report_sarif(report, verbose: bool = False) -> str:
    """Return `report` as a SARIF 2.1.0 log: one run, a rule per finding kind, a result per finding.

    Locations name the file relative to the working directory. Every result has a region with a
    startLine (GitHub code scanning needs one): for .txt/.md the source line, for .docx/.pdf
    the 1-based paragraph number (as the text report counts them), for a missing provision 1;
    a logical location names the reader's place ("line 12", "table 2 row 3", "page 4"). Each result carries a
    partial fingerprint built from rule, provision and evidence text (not the paragraph number),
    so it stays stable when paragraphs move.
    """
    from clausegen import __version__

    rules: dict[str, dict] = {}
    results = []
    for f in report.files:
        for x in f.findings:
            if x.rule not in rules:
                title = _title(x.provision, "en") if x.provision else x.rule
                help_text = x.suggestion.strip() if x.suggestion else x.message
                rules[x.rule] = {
                    "id": x.rule,
                    "name": "".join(w.capitalize() for w in re.split(r"[-_ ]+", x.rule) if w),
                    "shortDescription": {"text": _rule_summary(x.rule, title)},
                    "fullDescription": {"text": x.message},
                    "help": {"text": help_text,
                             "markdown": ("Suggested clause:\n\n" + "\n".join(
                                 f"> {line}" for line in help_text.splitlines()))
                             if x.suggestion else help_text},
                    "defaultConfiguration": {"level": SARIF_LEVELS.get(x.severity, "warning")},
                    "properties": {"provision": x.provision} if x.provision else {},
                }
        for x in f.findings:
            snippet = _finding_snippet(f, x)
            status = None
            if x.provision:
                try:
                    status = f.provision(x.provision).status
                except KeyError:
                    status = None
            result = {
                "ruleId": x.rule,
                "ruleIndex": list(rules).index(x.rule),
                "level": SARIF_LEVELS.get(x.severity, "warning"),
                "message": {"text": x.message},
                "locations": [_sarif_location(f, x, snippet)],
                "partialFingerprints": {
                    "clausegenFinding/v1": _fingerprint(x.rule, x.provision, " ".join((snippet or "").split())),
                },
                "properties": {"provision": x.provision, "status": status, "language": f.language},
            }
            if x.suggestion:
                result["properties"]["suggestion"] = x.suggestion
            results.append(result)
    errors = _run_errors(report)
    run = {
        "tool": {"driver": {"name": "clausegen", "version": __version__, "semanticVersion": __version__,
                            "informationUri": INFORMATION_URI, "rules": list(rules.values())}},
        "invocations": [{
            "executionSuccessful": not errors,
            "toolExecutionNotifications": [
                {"level": "error", "message": {"text": f"{path}: {message}"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": _artifact_uri(path)}}}]}
                for path, message in errors],
        }],
        "artifacts": [{"location": {"uri": _artifact_uri(f.path)},
                       "properties": {"language": f.language, "paragraphs": f.paragraphs,
                                      "provisions": {p.id: p.status for p in f.provisions},
                                      "values": {p.id: [v.to_dict() for v in getattr(p, "values", ())]
                                                 for p in f.provisions if getattr(p, "values", ())},
                                      **({"positions": [r.to_dict() for r in f.positions]}
                                         if getattr(f, "positions", ()) else {})}}
                      for f in report.files],
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    return json.dumps({"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]},
                      ensure_ascii=False, indent=2) + "\n"


REPORTERS = {
    "text": report_text,
    "json": report_json,
    "sarif": report_sarif,
    "markdown": report_markdown,
}


# ---------------------------------------------------------------- Word comments (check --annotate)

COMMENT_AUTHOR = "clausegen"
COMMENT_INITIALS = "CG"
_ANNOTATE_TEXT = {
    "zh": {"present": "具备", "weak": "薄弱", "missing": "缺失", "confidence": "置信度",
           "suggestion": "建议条款：", "elsewhere": "（依据位于第 {n} 段）"},
    "en": {"present": "present", "weak": "weak", "missing": "missing", "confidence": "confidence",
           "suggestion": "Suggested clause:", "elsewhere": "(evidence in paragraph {n})"},
}


def _docx_paragraphs(document) -> list:
    """Return every paragraph of the body in document order, table cells and content controls included."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    body = document.element.body
    return [Paragraph(p, document._body) for p in body.iter(qn("w:p"))]


def _normal(text: str) -> str:
    return "".join(str(text).split())


def _locator(document, paragraphs: list):
    """Return a function: the `part` of an evidence or finding -> the indices in `paragraphs` it covers.

    A part is the reader's address of its paragraph (("p", n): the n-th paragraph of the body;
    ("tbl", t, row): a row of the t-th body table, nested tables' rows counted in document
    order), recorded in the report, so the contract is not read again to find it.
    """
    from clausegen.check.readers import _P, docx_blocks, docx_table_rows

    index_of = {p._p: i for i, p in enumerate(paragraphs)}
    blocks = list(docx_blocks(document.element.body))
    direct = [b for b in blocks if b.tag == _P]
    tables = [b for b in blocks if b.tag != _P]
    rows_of: dict[int, list] = {}

    def locate(part) -> list[int]:
        part, elements = tuple(part or ()), []
        if len(part) == 2 and part[0] == "p" and part[1] < len(direct):
            elements = [direct[part[1]]]
        elif len(part) == 3 and part[0] == "tbl" and part[1] < len(tables):
            if part[1] not in rows_of:
                rows_of[part[1]] = [[p for cell in cells for p in cell]
                                    for _, cells, _ in docx_table_rows(tables[part[1]])]
            rows = rows_of[part[1]]
            if part[2] < len(rows):
                elements = rows[part[2]]
        return [index_of[e] for e in elements if e in index_of]

    return locate


def _find_paragraph(paragraphs: list, normals: list[str], locate, evidence) -> int | None:
    """Return the index in `paragraphs` holding `evidence`'s text.

    The evidence's own address (its `part`) is used when its text agrees (in a table row, the
    cell holding the quote); otherwise the text is searched for, the paragraph nearest the
    evidence's number winning ties.
    """
    target = _normal(evidence.text)
    probes = [p for p in (target, target[:40], target[:15]) if p]
    candidates = locate(evidence.part)
    if candidates:
        joined = "".join(normals[i] for i in candidates)
        if any(probe in joined for probe in probes):
            for probe in probes:
                for i in candidates:
                    if probe in normals[i]:
                        return i
            return next((i for i in candidates if normals[i]), candidates[0])
    for probe in probes:
        hits = [i for i, n in enumerate(normals) if probe in n]
        if hits:
            return min(hits, key=lambda i: abs(i - evidence.paragraph))
    return None


def _place(locate, finding) -> int | None:
    """Return the index of the Word paragraph where `finding`'s paragraph starts, or None."""
    if finding.paragraph is None:
        return None
    found = locate(finding.part)
    return found[0] if found else None


def _anchor_runs(paragraph) -> list:
    """Return the runs a comment can span in `paragraph`, adding an empty run if it has none."""
    runs = list(paragraph.runs)
    if not runs:
        for item in paragraph.iter_inner_content():
            runs.extend(getattr(item, "runs", []))
    if not runs:
        runs = [paragraph.add_run("")]
    return runs


def _renumber_comments(document) -> None:
    """Give every existing comment of `document` a whole-number id (its anchors follow).

    Word writes whole numbers; a comment with w:id="x" (a damaged or crafted file) would stop
    python-docx from choosing the next id. Ids that are numbers are kept.
    """
    from docx.oxml.ns import qn

    try:
        comments = document.part._comments_part.element
    except (AttributeError, KeyError, ValueError):
        return
    key = qn("w:id")
    items = list(comments.iterchildren(qn("w:comment")))
    numbers = [int(c.get(key)) for c in items if (c.get(key) or "").strip().lstrip("-").isdigit()]
    mapping: dict[str, str] = {}
    next_id = max(numbers, default=-1) + 1
    for c in items:
        old = c.get(key)
        if old is not None and old.strip().lstrip("-").isdigit():
            continue
        if old not in mapping:
            mapping[old] = str(next_id)
            next_id += 1
        c.set(key, mapping[old])
    if not mapping:
        return
    anchors = (qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:commentReference"))
    for el in document.element.body.iter(*anchors):
        if el.get(key) in mapping:
            el.set(key, mapping[el.get(key)])


def _add_comment(document, paragraph, lines: list[str]) -> None:
    comment = document.add_comment(_anchor_runs(paragraph), text=lines[0],
                                   author=COMMENT_AUTHOR, initials=COMMENT_INITIALS)
    for line in lines[1:]:
        comment.add_paragraph(line)


def _suggestion_for(file_report, pid: str) -> str | None:
    """Return the suggested clause the report carries for provision `pid` (its findings'), or None."""
    return next((x.suggestion for x in file_report.findings if x.provision == pid and x.suggestion), None)


def annotate_docx(file_report, source_path, out_path) -> Path:
    """Write a copy of the Word contract `source_path` with comments from `file_report` to `out_path`.

    Each evidence paragraph gets a comment (status and provision title, and the findings about
    that provision); each missing provision gets a comment on the first paragraph carrying the
    library's suggested clause. Raises UsageError if the input is not a .docx or `out_path`
    is the input, InputError if the input cannot be opened or the output cannot be written.
    Return the path written.
    """
    import io
    import zipfile

    from clausegen.errors import InputError, UsageError
    from clausegen.outputs import ensure_not_input, write_atomic

    source_path, out_path = Path(source_path), Path(out_path)
    if source_path.suffix.lower() != ".docx":
        raise UsageError(f"--annotate needs a Word .docx contract; {str(source_path)!r} is not one",
                         path=str(source_path), hint="drop --annotate, or check the .docx version of the contract")
    if out_path.suffix.lower() != ".docx":
        raise UsageError(f"the annotated copy must be a .docx file, not {str(out_path)!r}",
                         path=str(out_path), hint="name the output e.g. contract.annotated.docx")
    ensure_not_input(out_path, [source_path])

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(source_path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"cannot open the Word file: {exc}", path=str(source_path),
                         hint="open and re-save it in Word, then try again") from None
    text = _ANNOTATE_TEXT["zh" if file_report.language == "zh" else "en"]
    lang = "zh" if file_report.language == "zh" else "en"
    paragraphs = _docx_paragraphs(document)
    normals = [_normal(p.text) for p in paragraphs]
    locate = _locator(document, paragraphs)
    first = next((p for p, n in zip(paragraphs, normals) if n), paragraphs[0] if paragraphs else None)
    if first is None:
        first = document.add_paragraph("")

    notes: dict[int, list[str]] = {}  # paragraph index -> comment blocks, one comment each
    top: list[list[str]] = []
    for p in file_report.provisions:
        title = f"{_title(p.id, lang)} ({p.id})"
        findings = [x for x in file_report.findings if x.provision == p.id]
        if p.status == "missing":
            if not p.required and all(x.severity == "info" for x in findings):
                continue  # optional provisions are information, not a gap to paste a clause into
            lines = [f"clausegen: {title} — {text['missing']}"]
            lines += [f"{x.severity}: {x.message}" for x in findings]
            suggestion = _suggestion_for(file_report, p.id)
            if suggestion:
                lines.append(text["suggestion"])
                lines += [s.strip() for s in suggestion.strip().splitlines() if s.strip()]
            top.append(lines)
            continue
        # A finding with a paragraph (the vague sentence) gets its own comment there; the others
        # ride on the first evidence comment. A weak provision's suggestion goes with its finding.
        loose = []
        suggestion_given = False
        located = [_find_paragraph(paragraphs, normals, locate, e) for e in p.evidence]
        for x in findings:
            spot = _place(locate, x)
            if spot is not None and spot == (located[0] if located else None):
                spot = None  # the first evidence paragraph: one comment says it all
            lines = [f"clausegen: {title} — {x.severity}: {x.message}"]
            suggestion = x.suggestion or (_suggestion_for(file_report, p.id) if p.status == "weak"
                                          and not suggestion_given else None)
            if suggestion:
                lines += [text["suggestion"]] + [s.strip() for s in suggestion.strip().splitlines() if s.strip()]
                suggestion_given = True
            if spot is None:
                loose.append(lines)
            else:
                notes.setdefault(spot, []).append("\n".join(lines))
        for n, (e, index) in enumerate(zip(p.evidence, located)):
            lines = [f"clausegen: {title} — {text[p.status]} ({text['confidence']} {p.confidence:.2f})"]
            if n == 0:
                for extra in loose:
                    lines += [extra[0].split(" — ", 1)[1]] + extra[1:]
                if p.status == "weak" and not suggestion_given:
                    suggestion = _suggestion_for(file_report, p.id)
                    if suggestion:
                        lines += [text["suggestion"]] + [s.strip() for s in suggestion.strip().splitlines()
                                                         if s.strip()]
            if index is None:
                lines[0] += " " + text["elsewhere"].format(n=e.paragraph + 1)
                top.append(lines)
            else:
                notes.setdefault(index, []).append("\n".join(lines))
    # Findings not about a listed provision (quality issues) go on their paragraph or the top.
    known = {p.id for p in file_report.provisions}
    for x in file_report.findings:
        if x.provision in known:
            continue
        lines = [f"clausegen: {x.severity}: {x.rule}: {x.message}"]
        if x.suggestion:
            lines += [text["suggestion"], x.suggestion.strip()]
        spot = _place(locate, x)
        if spot is not None:
            notes.setdefault(spot, []).append("\n".join(lines))
        else:
            top.append(lines)

    _renumber_comments(document)
    for lines in top:
        _add_comment(document, first, lines)
    for index in sorted(notes):
        for block in notes[index]:
            _add_comment(document, paragraphs[index], block.split("\n"))
    buffer = io.BytesIO()
    document.save(buffer)
    write_atomic(out_path, buffer.getvalue())
    return out_path
