"""The SARIF 2.1.0 report of a check, for code-scanning tools (GitHub, GitLab)."""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from clausegen.reporters.labels import provision_title, run_errors, shorten


INFORMATION_URI = "https://pypi.org/project/clausegen/"


SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


LINE_SUFFIXES = (".txt", ".md")  # formats whose paragraphs map to source lines


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
        loc["message"] = {"text": shorten(snippet, 300)}
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
                title = provision_title(x.provision, "en") if x.provision else x.rule
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
    errors = run_errors(report)
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
