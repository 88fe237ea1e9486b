"""`check --annotate`: Word comments on real corpus contracts, read back with python-docx."""

from __future__ import annotations

import hashlib
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from clausegen.check.model import Evidence, FileReport, Finding, ProvisionResult
from clausegen.check.readers import read_contract
from clausegen.errors import UsageError
from clausegen.render import render_provision_text
from clausegen.reporters import annotate_docx

from shared_data import corpus_file

EN_NAME, ZH_NAME = "common-paper-csa-with-sla.docx", "zh-bj-offpeak-parking-lease.docx"
SIX = ("definition", "notification", "standards", "process", "deadlines", "disputes")

# Verbatim quotes from the corpus labels (labels.yaml evidence).
EN_QUOTES = {
    "definition": "“Downtime Minutes” means the total number of minutes in a calendar month",
    "notification": "To receive a Service Credit, Customer must notify Provider within 7 days",
    "standards": "Service Credits will not accumulate within a single Subscription Period",
    "process": "For Uptime Credit, Customer must include information about when it was unable",
    "disputes": "The Governing Law will govern all interpretations and disputes about this Agreement",
}
ZH_QUOTES = {
    "definition": "除不可抗力外，因甲方原因暂停提供服务超过30天或歇业",
    "notification": "甲方向乙方告知停车场暂停营业、歇业、转让等重要事项",
    "disputes": "双方发生争议时，可以协商解决，协商不成的",
}


def _file_report(path: Path, quotes: dict, lang: str) -> FileReport:
    """Return a report for `path` whose evidence is the reader's paragraphs holding `quotes`."""
    contract = read_contract(path)
    provisions, findings = [], []
    for pid in SIX:
        quote = quotes.get(pid)
        if quote is None:
            provisions.append(ProvisionResult(pid, "missing", 0.9))
            findings.append(Finding(f"missing-{pid}", "error", pid, f"no {pid} provision",
                                    suggestion=f"SUGGESTED CLAUSE FOR {pid.upper()}.\nSecond paragraph."))
            continue
        para = next(p for p in contract.paragraphs if quote in p.text)
        start = para.text.index(quote)
        status = "weak" if pid == "notification" else "present"
        place = {"location": para.location, "part": tuple(para.ref)}  # as the checker records it
        provisions.append(ProvisionResult(pid, status, 0.8,
                                          (Evidence(quote, para.index, start, start + len(quote), **place),)))
        if status == "weak":  # the checker gives a weak provision's finding the library's clause
            findings.append(Finding(f"weak-{pid}", "warning", pid, "notice has no fixed time", para.index,
                                    render_provision_text(pid, lang), **place))
    provisions.append(ProvisionResult("training", "missing", 0.0, (), required=False))  # optional: no comment
    findings.append(Finding("missing-training", "info", "training", "no training provision"))
    return FileReport(str(path), lang, tuple(provisions), tuple(findings), paragraphs=len(contract.paragraphs))


def _anchored_text(document, comment_id: int) -> str:
    """Return the text of the paragraph(s) a comment's range starts in."""
    body = document.element.body
    for start in body.iter(qn("w:commentRangeStart")):
        if start.get(qn("w:id")) == str(comment_id):
            paragraph = start.getparent()
            while paragraph.tag != qn("w:p"):
                paragraph = paragraph.getparent()
            return "".join(t.text or "" for t in paragraph.iter(qn("w:t")))
    raise AssertionError(f"comment {comment_id} is not anchored in the body")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_annotate_english_contract_comments_each_evidence_paragraph(tmp_path):
    report = _file_report(corpus_file("docx", EN_NAME), EN_QUOTES, "en")
    before = _sha(corpus_file("docx", EN_NAME))
    out = annotate_docx(report, corpus_file("docx", EN_NAME), tmp_path / "annotated.docx")
    assert _sha(corpus_file("docx", EN_NAME)) == before
    document = docx.Document(str(out))
    comments = list(document.comments)
    assert len(comments) == 6  # five evidence paragraphs and one missing provision
    assert all(c.author == "clausegen" for c in comments)
    by_provision = {}
    for c in comments:
        for pid in SIX:
            if f"({pid})" in c.text.splitlines()[0]:
                by_provision[pid] = c
    assert set(by_provision) == set(SIX)
    for pid, quote in EN_QUOTES.items():
        comment = by_provision[pid]
        assert quote in _anchored_text(document, comment.comment_id), pid
    assert "weak" in by_provision["notification"].text and "notice has no fixed time" in by_provision["notification"].text
    assert "present" in by_provision["disputes"].paragraphs[0].text
    assert "Dispute Resolution" in by_provision["disputes"].text


def test_annotate_puts_missing_provisions_with_their_clause_at_the_top(tmp_path):
    report = _file_report(corpus_file("docx", EN_NAME), EN_QUOTES, "en")
    document = docx.Document(str(annotate_docx(report, corpus_file("docx", EN_NAME), tmp_path / "a.docx")))
    missing = [c for c in document.comments if "missing" in c.paragraphs[0].text]
    assert len(missing) == 1
    texts = [p.text for p in missing[0].paragraphs]
    assert "(deadlines)" in texts[0]
    assert "Suggested clause:" in texts
    assert "SUGGESTED CLAUSE FOR DEADLINES." in texts and "Second paragraph." in texts
    first_text = next(p.text for p in document.paragraphs if p.text.strip())
    assert _anchored_text(document, missing[0].comment_id) == first_text


def test_annotate_chinese_contract_in_chinese(tmp_path):
    report = _file_report(corpus_file("docx", ZH_NAME), ZH_QUOTES, "zh")
    document = docx.Document(str(annotate_docx(report, corpus_file("docx", ZH_NAME), tmp_path / "批注.docx")))
    comments = list(document.comments)
    assert len(comments) == 6  # three evidence paragraphs, three missing provisions
    heads = [c.paragraphs[0].text for c in comments]
    assert sum("缺失" in h for h in heads) == 3
    assert any("通知与确认" in h and "薄弱" in h for h in heads)
    assert any("建议条款：" in c.text for c in comments)
    for c in comments:
        for pid, quote in ZH_QUOTES.items():
            if f"({pid})" in c.paragraphs[0].text:
                assert quote in _anchored_text(document, c.comment_id)


def test_annotate_refuses_to_overwrite_its_input(tmp_path):
    copy = tmp_path / "contract.docx"
    copy.write_bytes(corpus_file("docx", EN_NAME).read_bytes())
    before = _sha(copy)
    with pytest.raises(UsageError, match="never overwrites its input"):
        annotate_docx(_file_report(corpus_file("docx", EN_NAME), EN_QUOTES, "en"), copy, tmp_path / "." / "contract.docx")
    assert _sha(copy) == before


@pytest.mark.parametrize(("source", "out"), [("contract.txt", "out.docx"), ("contract.docx", "out.pdf")],
                         ids=["text-input", "non-docx-output"])
def test_annotate_needs_word_in_and_out(tmp_path, source, out):
    report = FileReport(source, "en", (), ())
    with pytest.raises(UsageError, match=r"\.docx"):
        annotate_docx(report, tmp_path / source, tmp_path / out)


def test_annotate_weak_finding_gets_its_own_comment_with_the_library_clause(tmp_path):
    base = _file_report(corpus_file("docx", EN_NAME), EN_QUOTES, "en")
    contract = read_contract(corpus_file("docx", EN_NAME))
    vague = next(p for p in contract.paragraphs if "Service Credits will not accumulate" in p.text)
    findings = tuple(Finding(x.rule, x.severity, x.provision, x.message, vague.index, x.suggestion,
                             vague.location, tuple(vague.ref))
                     if x.rule == "weak-notification" else x for x in base.findings)
    report = FileReport(base.path, "en", base.provisions, findings, base.paragraphs)
    document = docx.Document(str(annotate_docx(report, corpus_file("docx", EN_NAME), tmp_path / "weak.docx")))
    own = [c for c in document.comments if "warning: notice has no fixed time" in c.paragraphs[0].text]
    assert len(own) == 1
    assert "Service Credits will not accumulate" in _anchored_text(document, own[0].comment_id)
    texts = [p.text for p in own[0].paragraphs]
    assert texts[1] == "Suggested clause:"
    assert "Notification and Confirmation" in texts[2]  # rendered by the library's renderer
    assert any("notify" in t for t in texts[3:])


def test_annotate_keeps_the_reviewers_own_comments(tmp_path):
    source = tmp_path / "with-comments.docx"
    document = docx.Document()
    first = document.add_paragraph("Service Level Agreement")
    document.add_paragraph("Disputes are settled by arbitration at the HKIAC under its rules.")
    document.add_comment(first.runs, text="Check the parties' names.", author="A. Lawyer", initials="AL")
    document.save(str(source))
    provisions = tuple(ProvisionResult(pid, "present", 0.9, (Evidence("Disputes are settled by arbitration", 1, 0, 35),))
                       if pid == "disputes" else ProvisionResult(pid, "missing", 0.0) for pid in SIX)
    report = FileReport(str(source), "en", provisions, (), paragraphs=2)
    out = docx.Document(str(annotate_docx(report, source, tmp_path / "out.docx")))
    comments = list(out.comments)
    assert [c.author for c in comments].count("A. Lawyer") == 1
    assert len(comments) == 1 + 1 + 5  # the lawyer's, the disputes evidence, five missing provisions
    assert len({c.comment_id for c in comments}) == len(comments)
    disputes = next(c for c in comments if "(disputes)" in c.text)
    assert _anchored_text(out, disputes.comment_id).startswith("Disputes are settled")
