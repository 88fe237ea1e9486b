"""The Markdown report of a check: a table of provisions per file, findings, suggested clauses."""

from __future__ import annotations

import re

from clausegen.reporters.labels import (SHORT_QUOTE, labels_for, provision_title, run_errors, shorten,
                                        shown_provisions, status_counts)


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
        lab = labels_for(f.language)
        out += [f"## `{f.path}`", "", f"Language: {f.language} · {f.paragraphs} paragraphs", "",
                "| Provision | Status | Evidence |", "|---|---|---|"]
        for p in shown_provisions(f, verbose):
            evid = " <br> ".join(
                f"¶ {e.paragraph + 1}: “{_md_cell(e.text if verbose else shorten(e.text, SHORT_QUOTE))}”"
                for e in (p.evidence if verbose else p.evidence[:1]))
            optional = "" if p.required else f" ({lab['optional']})"
            out.append(f"| {_md_cell(provision_title(p.id, f.language))} (`{p.id}`){optional} "
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
    errors = run_errors(report)
    if errors:
        out += ["## Files that could not be read", ""]
        out += [f"- `{path}`: {message}" for path, message in errors]
        out.append("")
    c = status_counts(report)
    out.append(f"**{len(report.files)} file(s):** {c['present']} present, {c['weak']} weak, "
               f"{c['missing']} missing · {c['error']} error(s), {c['warning']} warning(s)"
               + (f" · **{len(errors)} unreadable**" if errors else ""))
    return "\n".join(out) + "\n"
