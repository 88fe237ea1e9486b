"""Evidence and findings carry where they are in the file: Word paragraph path and run range, text line and column."""

from __future__ import annotations

import json
from pathlib import Path

import docx

from clausegen.check import check_file
from clausegen.check.model import Report
from clausegen.check.readers import paragraph_runs, read_contract, run_text, word_paragraph

NOTICE = ("The Provider shall notify the Customer ", "within two (2) hours",
          " of any Service Interruption, stating its cause, scope and estimated recovery time.")


def _table_contract(path: Path, notice: tuple = NOTICE, before: str | None = None) -> Path:
    """Write a .docx whose clause sits in the second cell of a table row, over three runs."""
    document = docx.Document()
    document.add_paragraph("Service Level Agreement")
    if before:
        document.add_paragraph(before)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "4.2 Notice."
    cell = table.cell(0, 1).paragraphs[0]
    cell.add_run(notice[0])
    cell.add_run(notice[1]).bold = True
    cell.add_run(notice[2])
    table.cell(1, 0).text = "4.3 Other."
    table.cell(1, 1).text = "Nothing else."
    document.save(str(path))
    return path


def _read_back(document, place: dict) -> str:
    """Return the text of the runs a report's run range names, read from the Word file itself."""
    runs = paragraph_runs(word_paragraph(document, tuple(place["path"])))
    texts = [run_text(r) for r in runs[place["first"]:place["last"] + 1]]
    if len(texts) == 1:
        return texts[0][place["start"]:place["end"]]
    return texts[0][place["start"]:] + "".join(texts[1:-1]) + texts[-1][:place["end"]]


def test_evidence_in_a_table_cell_names_the_cell_and_its_runs(tmp_path: Path) -> None:
    path = _table_contract(tmp_path / "table.docx")
    report = check_file(path, lang="en")
    notification = report.provision("notification")
    assert notification.status == "present"
    evidence = notification.evidence[0]
    assert evidence.location == "table 1 row 1"  # the reader's paragraph is the row
    (cell,) = evidence.runs  # the passage itself lies in one cell
    assert cell.where == "table 1 row 1 cell 2"
    assert cell.path == ("body", "tbl", 0, "tr", 0, "tc", 1, "p", 0)
    assert (cell.first, cell.start, cell.last, cell.end) == (0, 0, 2, len(NOTICE[2]))

    # The JSON report carries the same place, and it leads back to the clause's runs in the file.
    shown = json.loads(json.dumps(Report((report,)).to_dict()))
    place = shown["files"][0]["provisions"][[p.id for p in report.provisions].index("notification")]["evidence"][0]
    assert place["runs"][0]["where"] == "table 1 row 1 cell 2"
    assert {"text", "paragraph", "start", "end", "location", "part"} <= set(place)  # the older keys stay
    quoted = _read_back(docx.Document(str(path)), place["runs"][0])
    assert quoted == "".join(NOTICE)


def test_a_run_range_starts_and_ends_inside_runs(tmp_path: Path) -> None:
    from clausegen.check.readers import source_range

    path = _table_contract(tmp_path / "table.docx")
    row = next(p for p in read_contract(path).paragraphs if NOTICE[1] in p.text)
    start = row.text.index(NOTICE[1]) + len("within ")
    region, (place,) = source_range(row, start, start + len("two (2) hours of"))
    assert region is None
    assert (place[2], place[4]) == (1, 2)  # from the bold run into the next
    assert _read_back(docx.Document(str(path)), dict(zip(("path", "where", "first", "start", "last", "end"), place))) \
        == "two (2) hours of"


def test_findings_carry_the_run_ranges_of_their_paragraph(tmp_path: Path) -> None:
    path = _table_contract(tmp_path / "table.docx")
    paragraphs = read_contract(path, "en").paragraphs
    report = check_file(path, lang="en")
    placed = [f for f in report.findings if f.paragraph is not None]
    for finding in placed:
        assert finding.runs and all(r.where for r in finding.runs)
        assert finding.location == paragraphs[finding.paragraph].location
    assert all(not f.runs and f.region is None for f in report.findings if f.paragraph is None)


def test_text_evidence_carries_its_lines_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "contract.md"
    lines = ["# Service levels", "",
             "The Provider shall **notify** the Customer within two (2) hours of any",
             "Service Interruption, stating its cause, scope and estimated recovery time."]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = check_file(path, lang="en")
    evidence = report.provision("notification").evidence[0]
    region = evidence.region
    assert evidence.runs == ()
    assert (region.start_line, region.end_line) == (3, 4)  # the paragraph was wrapped over two lines
    first = lines[region.start_line - 1][region.start_column - 1:]
    last = lines[region.end_line - 1][:region.end_column - 1]
    assert first.startswith("The Provider shall **notify**") and last.endswith("recovery time.")


def test_a_markdown_heading_column_skips_its_marks(tmp_path: Path) -> None:
    from clausegen.check.readers import source_range

    path = tmp_path / "c.md"
    path.write_text("intro\n\n##   Notice  of **interruption**\n", encoding="utf-8")
    heading = read_contract(path).paragraphs[1]
    assert heading.text == "Notice of interruption" and heading.heading_level == 2
    start = heading.text.index("interruption")
    assert source_range(heading, start, len(heading.text))[0] == (3, 19, 3, 31)
    assert source_range(heading, 0, 6)[0] == (3, 6, 3, 12)


def test_annotate_and_redline_find_the_cell_from_the_report_without_reading_the_contract_again(tmp_path, monkeypatch):
    from clausegen.check import readers
    from clausegen.check import load_playbook
    from clausegen.redline import redline_docx
    from clausegen.reporters import annotate_docx

    playbook = Path(__file__).resolve().parent.parent / "samples" / "playbooks" / "customer-side.yaml"
    late = (NOTICE[0], "within eight (8) hours", NOTICE[2])
    # The same words stand earlier in the body: only the report's place tells the cell.
    path = _table_contract(tmp_path / "table.docx", late, before="Support tickets are answered within eight (8) hours.")
    report = check_file(path, lang="en", playbook=playbook)
    (term,) = [r for r in report.positions if r.term == "notice_within"]
    assert term.verdict == "deviates" and term.value.runs[0].where == "table 1 row 1 cell 2"

    def read_again(*args, **kwargs):
        raise AssertionError("the contract was read a second time")

    for name in ("read_docx", "read_docx_versions", "read_contract"):
        monkeypatch.setattr(readers, name, read_again)

    annotated = docx.Document(str(annotate_docx(report, path, tmp_path / "annotated.docx")))
    comments = [c for c in annotated.comments if "(notification)" in c.paragraphs[0].text]
    assert comments and all(_cell_of_comment(annotated, c.comment_id) == (0, 1) for c in comments)

    redlined = docx.Document(str(redline_docx(report, path, tmp_path / "redline.docx",
                                              playbook=load_playbook(playbook))))
    body = redlined.element.body
    changed = [el for el in body.iter(f"{{{W}}}del") if "eight (8) hours" in "".join(el.itertext())]
    assert changed and all(_cell_index(el) == (0, 1) for el in changed)  # the cell, not the body paragraph
    assert "within eight (8) hours" in redlined.paragraphs[1].text  # the body's words are left alone


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _cell_index(el) -> tuple[int, int] | None:
    """Return (row, cell) of the table cell holding element `el`, or None outside tables."""
    while el is not None and el.tag != f"{{{W}}}tc":
        el = el.getparent()
    if el is None:
        return None
    row = el.getparent()
    return row.getparent().index(row) - 2, [c for c in row if c.tag == f"{{{W}}}tc"].index(el)  # tblPr, tblGrid first


def _cell_of_comment(document, comment_id: int) -> tuple[int, int] | None:
    for start in document.element.body.iter(f"{{{W}}}commentRangeStart"):
        if start.get(f"{{{W}}}id") == str(comment_id):
            return _cell_index(start)
    return None
