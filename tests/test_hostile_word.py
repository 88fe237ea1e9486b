"""Word files that hide, tuck away or multiply their text, and Word XML that is malformed.

Every file is built here from a few lines of WordprocessingML. Hidden text and pending tracked
changes must not change the verdict silently; text in content controls, custom XML and footnotes
must be read; nested tables and odd list numbering must cost little and never crash a batch.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from cli_process import run_cli

REPO = Path(__file__).resolve().parent.parent
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NOTIFY = "The Provider shall notify the Customer of any outage within 2 hours."
DISPUTE = ("Any dispute arising out of this Agreement shall be finally resolved by arbitration administered "
           "by the Singapore International Arbitration Centre.")
DISPUTE_ZH = "双方因本合同发生争议的，应先协商解决；协商不成的，提交中国国际经济贸易仲裁委员会仲裁。"


# ---------------------------------------------------------------- builders


def run(text: str, props: str = "") -> str:
    return f'<w:r>{f"<w:rPr>{props}</w:rPr>" if props else ""}<w:t xml:space="preserve">{text}</w:t></w:r>'


def para(*runs: str, props: str = "") -> str:
    return f'<w:p>{f"<w:pPr>{props}</w:pPr>" if props else ""}{"".join(runs)}</w:p>'


def word_file(body: str, styles: str = "", parts: dict | None = None, numbering: str | None = None) -> bytes:
    """Return a .docx whose body is `body` (WordprocessingML), with extra `styles` (w:style elements),
    a numbering part and extra `parts` {name: (content type, relationship type, xml)}."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    parts = dict(parts or {})
    if numbering is not None:
        parts["word/numbering.xml"] = (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering",
            f'<w:numbering xmlns:w="{W_NS}">{numbering}</w:numbering>')
    present = set(src.namelist())
    added = {name: spec for name, spec in parts.items() if name not in present}  # others replace a part
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item)
            if item.filename in parts:
                continue
            if item.filename == "word/document.xml":
                data = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W_NS}">'
                        f"<w:body>{body}</w:body></w:document>").encode()
            elif item.filename == "word/styles.xml" and styles:
                data = data.replace(b"</w:styles>", styles.encode() + b"</w:styles>")
            elif item.filename == "[Content_Types].xml":
                overrides = "".join(f'<Override PartName="/{name}" ContentType="{ctype}"/>'
                                    for name, (ctype, _, _) in added.items())
                data = data.replace(b"</Types>", overrides.encode() + b"</Types>")
            elif item.filename == "word/_rels/document.xml.rels":
                rels = "".join(f'<Relationship Id="rIdX{i}" Type="{rtype}" Target="{name.split("/", 1)[1]}"/>'
                               for i, (name, (_, rtype, _)) in enumerate(added.items()) if rtype)
                data = data.replace(b"</Relationships>", rels.encode() + b"</Relationships>")
            z.writestr(item.filename, data)
        for name, (_, _, xml) in parts.items():
            z.writestr(name, xml.encode() if isinstance(xml, str) else xml)
    return out.getvalue()


def check(tmp_path: Path, name: str, data: bytes):
    from clausegen.check import check_file

    path = tmp_path / name
    path.write_bytes(data)
    return check_file(path)


def status(report) -> dict:
    return {p.id: p.status for p in report.provisions}


def findings(report, rule: str) -> list:
    return [f for f in report.findings if f.rule == rule]


HIDDEN_STYLES = (
    '<w:style w:type="character" w:styleId="Secret"><w:name w:val="Secret"/><w:rPr><w:vanish/></w:rPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="SecretPara"><w:name w:val="Secret Para"/>'
    '<w:basedOn w:val="Normal"/><w:rPr><w:vanish/></w:rPr></w:style>'
)


# ---------------------------------------------------------------- hidden text


@pytest.mark.parametrize("hidden_para", [
    para(run(DISPUTE, "<w:vanish/>")),
    para(run(DISPUTE, '<w:rStyle w:val="Secret"/>')),
    para(run(DISPUTE), props='<w:pStyle w:val="SecretPara"/>'),
], ids=["run-vanish", "character-style", "paragraph-style"])
def test_hidden_dispute_clause_is_not_contract_text(tmp_path, hidden_para):
    report = check(tmp_path, "hidden.docx", word_file(para(run(NOTIFY)) + hidden_para, styles=HIDDEN_STYLES))
    assert status(report)["disputes"] == "missing"
    assert not any("Arbitration" in e.text for p in report.provisions for e in p.evidence)
    (finding,) = findings(report, "hidden-text")
    assert finding.severity == "warning"
    assert "text hidden from the reader at paragraph 2" in finding.message
    assert "Any dispute arising" in finding.message
    assert "Dispute Resolution would be present (now missing)" in finding.message
    assert report.meta["hidden_text"][0]["location"] == "paragraph 2"


def test_a_run_can_unhide_what_its_style_hides(tmp_path):
    body = para(run(DISPUTE, "<w:vanish w:val=\"0\"/>"), props='<w:pStyle w:val="SecretPara"/>')
    report = check(tmp_path, "shown.docx", word_file(body, styles=HIDDEN_STYLES))
    assert status(report)["disputes"] == "present"
    assert findings(report, "hidden-text") == []


def test_hidden_words_inside_a_visible_paragraph_are_named_with_that_paragraph(tmp_path):
    body = para(run(NOTIFY)) + para(run("Governing law: Singapore. "), run(DISPUTE, "<w:vanish/>"))
    report = check(tmp_path, "partly.docx", word_file(body))
    (finding,) = findings(report, "hidden-text")
    assert finding.paragraph == 1 and "paragraph 2" in finding.message


def test_html_comment_in_markdown_is_not_contract_text(tmp_path):
    from clausegen.check import check_file

    path = tmp_path / "sla.md"
    path.write_text(f"# SLA\n\n{NOTIFY}\n\n<!--\n{DISPUTE}\n-->\n\nThe end.\n", encoding="utf-8")
    report = check_file(path)
    assert status(report)["disputes"] == "missing"
    (finding,) = findings(report, "hidden-text")
    assert "line 5" in finding.message and "would be present" in finding.message
    plain = tmp_path / "sla.txt"  # in plain text the same characters are visible to the reader
    plain.write_text(f"{NOTIFY}\n<!-- {DISPUTE} -->\n", encoding="utf-8")
    assert status(check_file(plain))["disputes"] == "present"


def test_many_hidden_passages_are_counted_not_listed(tmp_path):
    body = para(run(NOTIFY)) + "".join(para(run(f"secret {i}", "<w:vanish/>")) for i in range(12))
    report = check(tmp_path, "many.docx", word_file(body))
    found = findings(report, "hidden-text")
    assert len(found) == 6 and "7 more passage(s) of hidden text" in found[-1].message


# ---------------------------------------------------------------- tracked changes


def ins(inner: str) -> str:
    return f'<w:ins w:id="1" w:author="Counsel" w:date="2026-01-01T00:00:00Z">{inner}</w:ins>'


def dele(text: str) -> str:
    return (f'<w:del w:id="2" w:author="Counsel" w:date="2026-01-01T00:00:00Z"><w:r>'
            f'<w:delText xml:space="preserve">{text}</w:delText></w:r></w:del>')


def test_pending_insertion_is_not_yet_contract_text(tmp_path):
    report = check(tmp_path, "ins.docx", word_file(para(run(NOTIFY)) + para(ins(run(DISPUTE)))))
    assert status(report)["disputes"] == "missing"
    (finding,) = findings(report, "tracked-changes")
    assert finding.severity == "warning"
    assert "pending tracked changes (1 paragraph(s), first at paragraph 2)" in finding.message
    assert "if the changes were accepted: Dispute Resolution would be present (now missing)" in finding.message
    assert report.meta["if_changes_accepted"]["disputes"] == "present"


def test_pending_deletion_still_counts_until_accepted(tmp_path):
    report = check(tmp_path, "del.docx", word_file(para(run(NOTIFY)) + para(dele(DISPUTE))))
    assert status(report)["disputes"] == "present"
    (finding,) = findings(report, "tracked-changes")
    assert "Dispute Resolution would be missing (now present)" in finding.message


def test_tracked_change_that_changes_no_verdict_is_information(tmp_path):
    body = para(run("The Provider shall notify the Customer "), ins(run("in writing ")), run("within 2 hours."))
    report = check(tmp_path, "minor.docx", word_file(body))
    (finding,) = findings(report, "tracked-changes")
    assert finding.severity == "info" and "would not change any provision" in finding.message


def test_chinese_contract_gets_chinese_messages(tmp_path):
    body = para(run("乙方应在服务中断后2小时内通知甲方。")) + para(ins(run(DISPUTE_ZH)))
    report = check(tmp_path, "zh.docx", word_file(body))
    (finding,) = findings(report, "tracked-changes")
    assert "第 2 段" in finding.message and "争议解决将为具备（现为缺失）" in finding.message


# ---------------------------------------------------------------- text in containers and notes


def test_content_controls_custom_xml_and_footnotes_are_read(tmp_path):
    from clausegen.check.readers import read_contract

    footnotes = (f'<w:footnotes xmlns:w="{W_NS}">'
                 '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
                 f'<w:footnote w:id="1">{para(run(DISPUTE))}</w:footnote></w:footnotes>')
    body = (para(run("Intro.")) + f"<w:sdt><w:sdtPr/><w:sdtContent>{para(run(NOTIFY))}</w:sdtContent></w:sdt>"
            + f'<w:customXml w:element="clause">{para(run("Service credits are 10% of the monthly fee."))}'
              f"</w:customXml>" + para(run("Closing.")))
    data = word_file(body, parts={"word/footnotes.xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes", footnotes)})
    path = tmp_path / "containers.docx"
    path.write_bytes(data)
    c = read_contract(path)
    assert [(p.text, p.location) for p in c.paragraphs] == [
        ("Intro.", "paragraph 1"), (NOTIFY, "paragraph 2"),
        ("Service credits are 10% of the monthly fee.", "paragraph 3"), ("Closing.", "paragraph 4"),
        (DISPUTE, "footnote 1")]
    report = check(tmp_path, "containers.docx", data)
    assert status(report)["disputes"] == "present" and status(report)["notification"] == "present"


def test_annotate_finds_paragraphs_inside_content_controls(tmp_path):
    body = f"<w:sdt><w:sdtContent>{para(run(NOTIFY))}</w:sdtContent></w:sdt>" + para(run(DISPUTE))
    (tmp_path / "c.docx").write_bytes(word_file(body))
    proc = run_cli("check", "c.docx", "--annotate", "out.docx", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    import docx

    comments = docx.Document(str(tmp_path / "out.docx")).comments
    anchored = {c.text.split(" — ")[0] for c in comments}
    assert any("Notification" in a for a in anchored) and any("Dispute" in a for a in anchored)


# ---------------------------------------------------------------- nested tables


def nested_tables(depth: int) -> str:
    """Return a table holding a table holding a table… `depth` deep, one row and cell each."""
    inner = ""
    for level in range(depth - 1, -1, -1):  # a cell ends with a paragraph, as Word requires
        inner = f"<w:tbl><w:tr><w:tc>{para(run(f'cell {level}'))}{inner}{para()}</w:tc></w:tr></w:tbl>"
    return inner


def test_nested_tables_are_read_once_each(tmp_path):
    from clausegen.check.readers import read_contract

    path = tmp_path / "nested.docx"
    path.write_bytes(word_file(nested_tables(3)))
    c = read_contract(path)
    assert [p.text for p in c.paragraphs] == ["cell 0", "cell 1", "cell 2"]
    assert c.paragraphs[0].location == "table 1 row 1"
    assert c.paragraphs[1].location == "table 1 row 1, nested table row 1"
    assert c.paragraphs[2].location == "table 1 row 1, nested table (level 2) row 1"


def test_deeply_nested_tables_cost_linear_time_and_memory(tmp_path):
    """80 levels of tables: 1.7 KB on disk once produced 7.4 M characters in 51 s."""
    path = tmp_path / "deep.docx"
    path.write_bytes(word_file(nested_tables(80)))
    code = ("import sys, time; from clausegen.check.readers import read_contract; t = time.monotonic(); "
            "c = read_contract(sys.argv[1]); "
            "peak = int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM'))); "
            "print(len(c.paragraphs), len(c.text), round(time.monotonic() - t, 2), peak)")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    paragraphs, chars, seconds, peak_kb = proc.stdout.split()
    assert int(paragraphs) == 80 and int(chars) < 1000
    assert float(seconds) < 5 and int(peak_kb) < 300 * 1024


# ---------------------------------------------------------------- list numbering


NUMBERING = ('<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/>'
             '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
             '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>')


def numbered(text: str, ilvl: str = "0") -> str:
    return para(run(text), props=f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="1"/></w:numPr>')


def test_a_huge_list_level_costs_nothing(tmp_path):
    from clausegen.check.readers import read_contract

    path = tmp_path / "deep-level.docx"
    path.write_bytes(word_file("".join(numbered(f"Item {i}.", "20000000") for i in range(3)),
                               numbering=NUMBERING.format(ilvl="20000000", start="1")))
    start = time.monotonic()
    c = read_contract(path)
    assert time.monotonic() - start < 2
    assert [p.text for p in c.paragraphs] == ["Item 0.", "Item 1.", "Item 2."]  # Word shows no number either


def test_a_negative_list_level_shows_no_number(tmp_path):
    from clausegen.check.readers import read_contract

    path = tmp_path / "negative.docx"
    path.write_bytes(word_file(numbered("First.", "-1") + numbered("Second."),
                               numbering=NUMBERING.format(ilvl="0", start="1")))
    assert [p.text for p in read_contract(path).paragraphs] == ["First.", "1. Second."]


def test_damaged_numbering_is_named_and_the_batch_goes_on(tmp_path):
    good = word_file(para(run(NOTIFY)))
    files = {
        "level-x.docx": word_file(numbered("Item.", "x"), numbering=NUMBERING.format(ilvl="0", start="1")),
        "def-level-x.docx": word_file(numbered("Item."), numbering=NUMBERING.format(ilvl="x", start="1")),
        "start-fraction.docx": word_file(numbered("Item."), numbering=NUMBERING.format(ilvl="0", start="1.5")),
        "good.docx": good,
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    proc = run_cli("check", *files, "--format", "json", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert [f["path"] for f in json.loads(proc.stdout)["files"]] == ["good.docx"]
    assert re.search(r"error: level-x\.docx: word/document\.xml: a paragraph's list level \(w:ilvl\) is 'x', "
                     r"not a whole number", proc.stderr), proc.stderr
    assert "error: def-level-x.docx: word/numbering.xml: a list level (w:lvl w:ilvl) is 'x'" in proc.stderr
    assert "error: start-fraction.docx: word/numbering.xml: a list's first number (w:start) is '1.5'" in proc.stderr
    assert "save a new copy" in proc.stderr


def test_roman_numbers_of_a_huge_start_stay_short(tmp_path):
    from clausegen.check.readers import read_contract

    numbering = NUMBERING.format(ilvl="0", start="2000000000").replace("decimal", "lowerRoman")
    path = tmp_path / "roman.docx"
    path.write_bytes(word_file(numbered("Item."), numbering=numbering))
    assert read_contract(path).paragraphs[0].text == "2000000000. Item."


# ---------------------------------------------------------------- XML parts told by content, not name


DOCTYPE_XML = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
               f'<w:document xmlns:w="{W_NS}"><w:body>{para(run("&e;"))}</w:body></w:document>')


def _repackage(data: bytes, change) -> bytes:
    """Return the package `data` with `change(members: dict) -> dict` applied to its {name: bytes}."""
    src = zipfile.ZipFile(io.BytesIO(data))
    members = change({i.filename: src.read(i) for i in src.infolist()})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for member, body in members.items():
            z.writestr(member, body)
    return out.getvalue()


def main_part_renamed(members: dict) -> dict:
    """The main document moved to word/document.bin (Word finds it by relationship and content type),
    with a DOCTYPE, and a harmless decoy left at word/document.xml."""
    members["word/document.bin"] = DOCTYPE_XML.encode()
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b'PartName="/word/document.xml"', b'PartName="/word/document.bin"')
    members["word/_rels/document.bin.rels"] = members.pop("word/_rels/document.xml.rels")
    members["_rels/.rels"] = members["_rels/.rels"].replace(b"word/document.xml", b"word/document.bin")
    return members


def custom_xml_doctype(members: dict) -> dict:
    members["customXml/document.xml"] = DOCTYPE_XML.encode()
    return members


def utf16_doctype(members: dict) -> dict:  # UTF-16 without a byte-order mark: the parser detects it
    xml = DOCTYPE_XML.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    members["customXml/item1.xml"] = xml.encode("utf-16-le")
    return members


@pytest.mark.parametrize("change, part", [
    (main_part_renamed, "word/document.bin"),
    (custom_xml_doctype, "customXml/document.xml"),
    (utf16_doctype, "customXml/item1.xml"),
], ids=["main-part-named-bin", "customxml-doctype", "utf16-no-bom"])
def test_every_xml_part_is_checked_for_a_doctype_whatever_its_name(tmp_path, change, part):
    (tmp_path / "c.docx").write_bytes(_repackage(word_file(para(run(NOTIFY))), change))
    proc = run_cli("check", "c.docx", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert f"error: c.docx: the part {part!r} declares a DOCTYPE" in proc.stderr


def renamed_main_part(members: dict, body: str) -> dict:
    members = main_part_renamed(members)
    del members["word/document.xml"]
    members["word/document.bin"] = (f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>').encode()
    return members


def test_xml_size_limit_applies_to_an_xml_part_with_any_name(tmp_path):
    data = _repackage(word_file(""), lambda m: renamed_main_part(m, para(run(NOTIFY)) * 5000))
    (tmp_path / "c.docx").write_bytes(data)
    proc = run_cli("check", "c.docx", "--limit", "docx_xml_bytes=500KB", cwd=tmp_path)
    assert proc.returncode == 2 and "the part 'word/document.bin' is" in proc.stderr, proc.stderr
    assert "of XML; the limit is 512000 bytes" in proc.stderr


def test_a_main_part_with_another_name_is_read(tmp_path):
    from clausegen.check.readers import read_contract

    path = tmp_path / "c.docx"
    path.write_bytes(_repackage(word_file(""), lambda m: renamed_main_part(m, para(run(NOTIFY)))))
    assert [p.text for p in read_contract(path).paragraphs] == [NOTIFY]


# ---------------------------------------------------------------- --annotate on a file with odd comments


def test_annotate_copes_with_a_comment_whose_id_is_not_a_number(tmp_path):
    import docx

    comments = (f'<w:comments xmlns:w="{W_NS}"><w:comment w:id="x" w:author="Sender" w:initials="S">'
                f'{para(run("Please review this clause."))}</w:comment></w:comments>')
    body = (para('<w:commentRangeStart w:id="x"/>', run(NOTIFY), '<w:commentRangeEnd w:id="x"/>',
                 '<w:r><w:commentReference w:id="x"/></w:r>') + para(run(DISPUTE)))
    data = word_file(body, parts={"word/comments.xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments", comments)})
    (tmp_path / "c.docx").write_bytes(data)
    proc = run_cli("check", "c.docx", "--annotate", "out.docx", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "internal error" not in proc.stderr
    document = docx.Document(str(tmp_path / "out.docx"))
    texts = [c.text for c in document.comments]
    assert "Please review this clause." in texts  # the sender's comment is kept...
    assert any(t.startswith("clausegen:") for t in texts)  # ...beside clausegen's
    ids = [c.comment_id for c in document.comments]
    assert len(set(ids)) == len(ids)
    ref = document.element.body.find(f".//{{{W_NS}}}commentReference")
    assert ref.get(f"{{{W_NS}}}id") in {str(i) for i in ids}  # its anchor follows the new id
