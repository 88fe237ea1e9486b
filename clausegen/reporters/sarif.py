"""The SARIF 2.1.0 report of a check, for code-scanning tools (GitHub, GitLab)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from clausegen.reporters.labels import provision_title, run_errors, shorten


INFORMATION_URI = "https://pypi.org/project/clausegen/"


SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _artifact_uri(path: str) -> str:
    """Return `path` as a SARIF artifact URI: relative to the working directory when inside it."""
    p = Path(path)
    if p.is_absolute():
        try:
            return p.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return p.as_uri()
    return p.as_posix()


def _region(finding, evidence) -> dict | None:
    """Return the SARIF region of `finding` from the place the checker recorded (never from the file):
    the evidence's lines and columns in a text file, else the finding paragraph's, else None."""
    for item in (evidence, finding):
        region = getattr(item, "region", None)
        if region is not None:
            return {"startLine": region.start_line, "startColumn": region.start_column,
                    "endLine": region.end_line, "endColumn": region.end_column}
    place = finding.location or ""
    if place.startswith("line ") and place[5:].isdigit():  # a report made without regions
        return {"startLine": int(place[5:])}
    return None


def _fingerprint(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:32]


def _sarif_location(f, finding, evidence) -> dict:
    """Return the SARIF location of `finding` in file report `f`, from the place the checker recorded."""
    loc: dict = {"physicalLocation": {"artifactLocation": {"uri": _artifact_uri(f.path)}}}
    paragraph, place = finding.paragraph, finding.location
    snippet = evidence.text if evidence is not None else None
    if paragraph is None:
        # A missing clause has no place; GitHub code scanning still needs a line: the top.
        loc["physicalLocation"]["region"] = {"startLine": 1}
        loc["message"] = {"text": "the whole document"}
        return loc
    region = _region(finding, evidence)
    if region is None:
        region = {"startLine": paragraph + 1}  # Word and PDF have no lines: "line" N is paragraph N, as text reports count
    if snippet:
        region["snippet"] = {"text": snippet}
    loc["physicalLocation"]["region"] = region
    loc["logicalLocations"] = [{"name": place or f"paragraph {paragraph + 1}",
                                "fullyQualifiedName": f"{f.path}#paragraph[{paragraph}]",
                                "kind": "paragraph"}]
    if snippet:
        loc["message"] = {"text": shorten(snippet, 300)}
    return loc


def _finding_evidence(f, finding):
    """Return the evidence at the finding's paragraph (its text is the region's snippet), if any."""
    if finding.paragraph is None:
        return None
    for p in f.provisions:
        for e in p.evidence:
            if e.paragraph == finding.paragraph and (finding.provision in (None, p.id)):
                return e
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
    startLine (GitHub code scanning needs one): for .txt/.md the evidence's lines and columns as the
    reader recorded them in the report (the file is not read again), for .docx/.pdf the 1-based
    paragraph number (as the text report counts them), for a missing provision 1;
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
            evidence = _finding_evidence(f, x)
            snippet = evidence.text if evidence is not None else None
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
                "locations": [_sarif_location(f, x, evidence)],
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
