"""Check reporters (text, json, sarif, markdown) on hand-made reports."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from shared_data import shared_file

from clausegen.check.batch import BatchReport, Unreadable
from clausegen.check.model import Evidence, FileReport, Finding, ProvisionResult, Report
from clausegen.reporters import REPORTERS, report_sarif, report_text

LONG_CLAUSE = ("If the Provider fails to pay a Service Credit within thirty (30) days after the claim is "
               "confirmed, the Customer may set the amount off against any fees due. ") * 4


def make_file(path: str = "contract.txt", language: str = "en", shift: int = 0) -> FileReport:
    """Return a report for one file: four provisions present, one weak, one missing."""
    ev = {
        "definition": Evidence("“Downtime” means any period in which the Service is unavailable.", 3 + shift, 0, 60),
        "notification": Evidence("The Provider shall notify the Customer promptly of any outage.", 7 + shift, 0, 62),
        "standards": Evidence("Credits | 10% of monthly fees below 99.9% | 25% below 99%", 10 + shift, 0, 50),
        "process": Evidence("The Customer submits a claim through the support portal.", 12 + shift, 4, 50),
        "disputes": Evidence("Disputes are settled by arbitration at the HKIAC.", 20 + shift, 0, 48),
    }
    provisions = []
    for pid in ("definition", "notification", "standards", "process", "deadlines", "disputes"):
        if pid == "deadlines":
            provisions.append(ProvisionResult(pid, "missing", 0.9))
        elif pid == "notification":
            provisions.append(ProvisionResult(pid, "weak", 0.7, (ev[pid],)))
        else:
            provisions.append(ProvisionResult(pid, "present", 0.95, (ev[pid],)))
    provisions.append(ProvisionResult("training", "missing", 0.5, (), required=False))
    findings = (
        Finding("weak-notification", "warning", "notification",
                "notice is required 'promptly' without a number of hours", 7 + shift,
                "The Provider shall notify the Customer within two (2) hours."),
        Finding("missing-deadlines", "error", "deadlines", "no claim window or payment deadline", None, LONG_CLAUSE),
    )
    return FileReport(path, language, tuple(provisions), findings, paragraphs=30)


@pytest.fixture
def report() -> Report:
    return Report(files=(make_file(),))


def test_text_lists_six_provisions_with_one_based_paragraphs(report):
    out = report_text(report, colour=False)
    for pid, status in [("definition", "present"), ("notification", "weak"), ("deadlines", "missing")]:
        assert any(pid in line and status in line for line in out.splitlines()), pid
    assert "¶ 4: ““Downtime” means" in out  # paragraph 3 (0-based) is the fourth paragraph
    assert "training" not in out  # optional provisions that were not found are shown only with -v
    assert out.rstrip().splitlines()[-1] == "1 file(s) checked: 4 present, 1 weak, 1 missing; 1 error(s), 1 warning(s), 0 info"
    assert "\x1b[" not in out


def test_text_shortens_suggestions_unless_verbose(report):
    short = report_text(report, colour=False)
    assert "use --verbose" in short
    assert LONG_CLAUSE.strip() not in " ".join(short.split())
    full = report_text(report, verbose=True, colour=False)
    assert " ".join(LONG_CLAUSE.split()) in " ".join(line.lstrip("> ") for line in full.splitlines())
    assert "training" in full


def test_text_colour_only_on_a_terminal_without_no_color(report, monkeypatch):
    assert "\x1b[31m" in report_text(report, colour=True)

    class Tty:
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdout", Tty())
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" in report_text(report)
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in report_text(report)


def test_text_uses_chinese_labels_and_titles_for_chinese_contracts():
    out = report_text(Report(files=(make_file("合同.txt", "zh"),)), colour=False)
    assert "赔偿期限" in out and "建议条款" in out


def test_json_is_the_design_shape_with_unescaped_text():
    data_in = Report(files=(make_file("合同.docx", "zh"),))
    out = REPORTERS["json"](data_in)
    assert "合同.docx" in out  # ensure_ascii=False
    data = json.loads(out)
    assert list(data) == ["version", "files"]
    assert data == json.loads(json.dumps(data_in.to_dict()))
    f = data["files"][0]
    assert list(f) == ["path", "language", "provisions", "findings"]
    assert [p["id"] for p in f["provisions"]][:6] == ["definition", "notification", "standards",
                                                      "process", "deadlines", "disputes"]
    assert list(f["provisions"][0]) == ["id", "status", "confidence", "evidence", "values"]  # values: additive
    # The design's keys first, then the place in the contract (location, part; region of a text
    # file, runs of a Word file): added, never renamed.
    assert list(f["provisions"][0]["evidence"][0]) == ["text", "paragraph", "start", "end", "location", "part",
                                                       "region", "runs"]
    assert list(f["findings"][0]) == ["rule", "severity", "provision", "message", "paragraph", "suggestion",
                                      "location", "part", "region", "runs"]


def test_json_lists_unreadable_files_only_when_there_are_some(report):
    assert "errors" not in json.loads(REPORTERS["json"](report))
    batch = BatchReport(files=report.files, errors=(Unreadable("scan.pdf", "the PDF has no text layer", "run OCR"),))
    data = json.loads(REPORTERS["json"](batch))
    assert data["errors"] == [{"path": "scan.pdf", "message": "the PDF has no text layer (hint: run OCR)"}]


def _validate_sarif(text: str) -> dict:
    schema = json.loads(shared_file("schemas", "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)  # the schema declares its draft
    validator.check_schema(schema)
    log = json.loads(text)
    validator(schema).validate(log)
    return log


def test_sarif_is_valid_against_the_oasis_schema(report):
    log = _validate_sarif(report_sarif(report))
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "clausegen" and driver["version"] and driver["informationUri"].startswith("https://")
    rules = {r["id"]: r for r in driver["rules"]}
    assert set(rules) == {"weak-notification", "missing-deadlines"}
    assert rules["missing-deadlines"]["defaultConfiguration"]["level"] == "error"
    assert rules["missing-deadlines"]["shortDescription"]["text"] == "Provision missing: Compensation Deadlines"
    assert rules["weak-notification"]["shortDescription"]["text"] == ("Provision present but vague: "
                                                                      "Notification and Confirmation")
    assert "thirty (30) days" in rules["missing-deadlines"]["help"]["text"]
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [("weak-notification", "warning"),
                                                                   ("missing-deadlines", "error")]
    for r in run["results"]:
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]


def test_sarif_maps_info_to_note_and_lists_unreadable_files():
    f = make_file()
    f = FileReport(f.path, f.language, f.provisions,
                   (Finding("missing-training", "info", "training", "no training provision"),), 30)
    log = _validate_sarif(report_sarif(BatchReport(files=(f,), errors=(Unreadable("x.pdf", "scanned"),))))
    assert log["runs"][0]["results"][0]["level"] == "note"
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "x.pdf" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_sarif_gives_source_lines_for_text_files(tmp_path, monkeypatch):
    from clausegen.check.model import with_locations
    from clausegen.check.readers import read_contract

    monkeypatch.chdir(tmp_path)
    lines = [f"Line {n} of the agreement." for n in range(1, 30)]
    lines[7] = "  The Provider shall notify the Customer promptly of any outage."  # paragraph 7
    Path("contract.txt").write_text("\n\n".join(lines), encoding="utf-8")  # paragraph 7 is on line 15
    # The report carries the reader's places (as the checker records them); SARIF reads nothing else.
    report = Report(files=(with_locations(make_file("contract.txt"), read_contract("contract.txt").paragraphs),))
    Path("contract.txt").unlink()
    log = _validate_sarif(report_sarif(report))
    weak = log["runs"][0]["results"][0]
    loc = weak["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "contract.txt"
    region = loc["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endLine"]) == (15, 3, 15)
    assert region["endColumn"] == 3 + 62  # the evidence's 62 characters, after the two spaces
    assert region["snippet"]["text"].startswith("The Provider shall notify")
    missing = log["runs"][0]["results"][1]
    assert missing["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}  # the top: no place


def test_sarif_of_a_checked_contract_needs_no_file_after_the_check(tmp_path, monkeypatch):
    from clausegen.check import check_file

    monkeypatch.chdir(tmp_path)
    source = ["# Service levels", "",
              "The Provider shall notify the Customer promptly of any",
              "Service Interruption, stating its cause and scope.", "",
              "Disputes are settled by arbitration in London."]
    Path("contract.md").write_text("\n".join(source) + "\n", encoding="utf-8")
    report = Report(files=(check_file("contract.md", lang="en"),))
    Path("contract.md").unlink()
    log = _validate_sarif(report_sarif(report))
    placed = [r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]
              if "snippet" in r["locations"][0]["physicalLocation"]["region"]]
    assert placed
    for region in placed:  # each region holds its snippet in the file as it was
        first = source[region["startLine"] - 1][region["startColumn"] - 1:]
        assert " ".join(region["snippet"]["text"].split())[:15] == first[:15], region
        assert region["endLine"] >= region["startLine"]


def test_sarif_counts_word_paragraphs_as_lines(tmp_path):
    absolute = tmp_path / "contract.docx"
    log = _validate_sarif(report_sarif(Report(files=(make_file(str(absolute)),))))
    loc = log["runs"][0]["results"][0]["locations"][0]
    assert loc["physicalLocation"]["region"]["startLine"] == 8  # paragraph 7 (0-based), counted from 1
    assert loc["physicalLocation"]["region"]["snippet"]["text"].startswith("The Provider shall notify")
    assert loc["physicalLocation"]["artifactLocation"]["uri"].startswith("file://")
    assert loc["logicalLocations"][0]["name"] == "paragraph 8"


def test_sarif_fingerprints_survive_moved_paragraphs():
    def prints(shift):
        log = json.loads(report_sarif(Report(files=(make_file("c.docx", shift=shift),))))
        return [r["partialFingerprints"] for r in log["runs"][0]["results"]]

    assert prints(0) == prints(5)
    assert len({json.dumps(p) for p in prints(0)}) == 2


def test_markdown_has_a_table_per_file_and_suggestions_in_details():
    f = make_file("a|b.txt")
    out = REPORTERS["markdown"](Report(files=(f, make_file("second.md"))))
    assert out.count("| Provision | Status | Evidence |") == 2
    assert "## `a|b.txt`" in out
    row = next(line for line in out.splitlines() if "(`standards`)" in line)
    assert row.count(" | ") == 2 and "10% of monthly fees below 99.9% \\| 25%" in row  # cell pipes escaped
    assert "<details><summary>suggested clause</summary>" in out
    assert "  > The Provider shall notify the Customer within two (2) hours." in out
    assert "- **error** `missing-deadlines`: no claim window" in out


def test_every_reporter_shows_unreadable_files(report):
    batch = BatchReport(files=report.files, errors=(Unreadable("scan.pdf", "the PDF has no text layer"),))
    for name, fn in REPORTERS.items():
        assert "scan.pdf" in fn(batch), name


def test_text_cuts_chinese_quotes_by_display_width():
    quote = "服务提供方应在知悉服务中断后三十分钟内通知客户" * 10
    f = make_file("合同.txt", "zh")
    provisions = tuple(ProvisionResult(p.id, p.status, p.confidence, (Evidence(quote, 3, 0, len(quote)),))
                       if p.id == "definition" else p for p in f.provisions)
    out = report_text(Report(files=(FileReport(f.path, "zh", provisions, f.findings, 30),)), colour=False)
    line = next(x for x in out.splitlines() if x.strip().startswith("¶ 4:"))
    shown = line.split("“", 1)[1].rstrip("”")
    assert shown.endswith("…") and 45 <= len(shown) <= 50  # 100 columns: two per Chinese character


def _small_report() -> Report:
    six = ("definition", "notification", "standards", "process", "deadlines", "disputes")
    provisions = tuple(ProvisionResult(pid, "present", 0.9, (Evidence(f"Clause about {pid}.", i, 0, 10),))
                       if pid != "deadlines" else ProvisionResult(pid, "missing", 0.0) for i, pid in enumerate(six))
    finding = Finding("missing-deadlines", "error", "deadlines", "No deadline.", None,
                      "5. Deadlines\n5.1 Pay within three (3) Business Days.")
    return Report(files=(FileReport("c.txt", "en", provisions, (finding,), 6),))


def test_text_golden_output():
    assert report_text(_small_report(), colour=False) == """\
c.txt  [en, 6 paragraphs]
  ✓ present definition    Definition and Scope of Interruption  (0.90)
      ¶ 1: “Clause about definition.”
  ✓ present notification  Notification and Confirmation  (0.90)
      ¶ 2: “Clause about notification.”
  ✓ present standards     Compensation Standards  (0.90)
      ¶ 3: “Clause about standards.”
  ✓ present process       Compensation Process  (0.90)
      ¶ 4: “Clause about process.”
  ✗ missing deadlines     Compensation Deadlines
  ✓ present disputes      Dispute Resolution  (0.90)
      ¶ 6: “Clause about disputes.”
  findings:
    error   missing-deadlines: No deadline.
            suggested clause:
            > 5. Deadlines
            > 5.1 Pay within three (3) Business Days.

1 file(s) checked: 5 present, 0 weak, 1 missing; 1 error(s), 0 warning(s), 0 info
"""


def test_markdown_shows_info_findings_only_when_verbose():
    f = make_file()
    info = Finding("missing-training", "info", "training", "no training provision")
    report = Report(files=(FileReport(f.path, f.language, f.provisions, f.findings + (info,), 30),))
    assert "missing-training" not in REPORTERS["markdown"](report)
    assert "_1 info finding(s); use --verbose_" in REPORTERS["markdown"](report)
    assert "- **info** `missing-training`: no training provision" in REPORTERS["markdown"](report, verbose=True)


def test_markdown_keeps_clause_lines_apart_and_numbers_literal():
    out = REPORTERS["markdown"](_small_report())
    assert "  > 5\\. Deadlines\n  >\n  > 5.1 Pay within three (3) Business Days." in out
    assert "| Compensation Deadlines (`deadlines`) | ❌ missing |  |" in out
