"""The JSON report of a check: the design's shape (`clausegen check --format json`)."""

from __future__ import annotations

import json

from clausegen.reporters.labels import run_errors


def report_json(report, verbose: bool = False) -> str:
    """Return `report` as the design's JSON object (keys in a stable order, text not escaped).

    Files that could not be read are listed under an extra "errors" key, present only then.
    """
    data = report.to_dict()
    errors = run_errors(report)
    if errors:
        data["errors"] = [{"path": path, "message": message} for path, message in errors]
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
