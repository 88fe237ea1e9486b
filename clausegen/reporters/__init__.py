"""Reporters: turn results (spec problems, check reports) into text, json, sarif, markdown, docx.

Each check reporter is a plain function fn(report, verbose=False) -> str of the report alone,
chosen by name from REPORTERS; one module per format.
"""

from __future__ import annotations

from clausegen.reporters.annotate import annotate_docx
from clausegen.reporters.json import report_json
from clausegen.reporters.markdown import report_markdown
from clausegen.reporters.problems import report_problems
from clausegen.reporters.sarif import report_sarif
from clausegen.reporters.text import report_text

REPORTERS = {
    "text": report_text,
    "json": report_json,
    "sarif": report_sarif,
    "markdown": report_markdown,
}


__all__ = ["REPORTERS", "annotate_docx", "report_json", "report_markdown", "report_problems", "report_sarif",
           "report_text"]
