"""check --redline: tracked changes and comments in a copy of a Word contract, read back from the file."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import require_or_skip
from lxml import etree

from clausegen.check import check_file
from clausegen.cli import main
from clausegen.redline import canonical_body, changed_only_by_redline, reject_all

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CUSTOMER = SAMPLES / "playbooks" / "customer-side.yaml"

ZH = [("第一条 服务内容", True), ("乙方向甲方提供云主机服务，服务可用性目标为每月99.9%。", False),
      ("第二条 服务中断", True),
      ("2.1 本协议所称服务中断，是指因乙方系统故障、网络设备故障或第三方服务中断，导致甲方无法正常使用云主机服务且持续五分钟以上的情形。", False),
      ("2.2 下列情形不属于服务中断：乙方提前四十八小时通知的计划内维护；不可抗力；因甲方原因造成的故障。", False),
      ("2.3 发生服务中断的，乙方应及时通知甲方。", False),
      ("第三条 赔偿", True),
      ("3.1 当月服务可用性低于99.9%但不低于99%的，乙方按当月服务费的10%向甲方提供服务费抵扣；低于99%的，按当月服务费的25%提供服务费抵扣。赔偿总额不超过当月服务费的50%。", False),
      ("3.2 甲方应通过工单系统提出赔偿申请，并提供实例编号、中断发生时间及故障现象。乙方核实后将赔偿金额抵扣下期服务费。", False),
      ("第四条 费用支付", True), ("甲方应于每月五日前支付当月服务费。", False),
      ("第五条 争议解决", True), ("因本协议引起的争议，双方应友好协商解决；协商不成的，提交仲裁。", False)]

EN = [("1. Definitions", True),
      ("\u201cInterruption\u201d means any period of at least five (5) minutes during which the Service is unavailable "
       "because of a system failure, network failure or an outage of a third-party provider. Scheduled maintenance "
       "announced seventy-two (72) hours in advance is excluded.", False),
      ("2. Notification", True),
      ("The Provider shall notify the Customer by email within twenty-four (24) hours after becoming aware of an "
       "Interruption, stating its cause, scope and the estimated time of recovery.", False),
      ("3. Service Credits", True),
      ("If the monthly availability falls below 99.9%, the Customer is entitled to a service credit of 10% of the "
       "monthly fee; below 99.0%, 25% of the monthly fee. Service credits are capped at 50% of the monthly fee.", False),
      ("4. Claims", True),
      ("To claim a service credit the Customer shall submit a claim through the support portal with the affected "
       "service and incident times. The Provider shall verify the claim, the Parties shall agree the amount, and "
       "the Provider shall apply the credit to the next invoice. The Customer must submit a claim within thirty (30) "
       "days after the end of the month in which the Interruption occurred. The Provider shall pay agreed compensation "
       "within three (3) business days.", False),
      ("5. Fees", True), ("The Customer shall pay the fees within thirty (30) days of the invoice date.", False)]


def make_docx(path: Path, lines) -> Path:
    d = docx.Document()
    for text, heading in lines:
        d.add_paragraph(text, style="Heading 2" if heading else None)
    d.save(str(path))
    return path


def body_paragraphs(path: Path) -> list:
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    return list(root.iter(W + "p"))


def text_of(p, deleted: bool = False) -> str:
    tags = (W + "t", W + "delText") if deleted else (W + "t",)
    return "".join(t.text or "" for t in p.iter(*tags))


def inserted_paragraphs(path: Path) -> list[str]:
    return [text_of(p) for p in body_paragraphs(path) if p.find(f"{W}pPr/{W}rPr/{W}ins") is not None]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def zh_contract(tmp_path):
    return make_docx(tmp_path / "cloud-zh.docx", ZH)


@pytest.fixture
def en_contract(tmp_path):
    return make_docx(tmp_path / "hosting-en.docx", EN)


def test_missing_provision_is_inserted_after_its_section_in_the_documents_numbering(zh_contract, tmp_path, capsys):
    out = tmp_path / "red.docx"
    before = sha(zh_contract)
    assert main(["check", str(zh_contract), "--redline", str(out), "--author", "Li Wei"]) == 1
    assert sha(zh_contract) == before  # the original is never modified
    texts = [text_of(p) for p in body_paragraphs(out)]
    inserted = inserted_paragraphs(out)
    # deadlines is missing; it follows the compensation process, which is in 第三条: 第三条之一, before 第四条.
    assert inserted[0] == "第三条之一　赔偿期限"
    assert texts.index("第三条之一　赔偿期限") == texts.index("第四条 费用支付") - len(inserted)
    assert any("三十日内提出赔偿申请" in t for t in inserted)
    for p in body_paragraphs(out):
        for mark in p.iter(W + "ins", W + "del"):
            assert mark.get(W + "author") == "Li Wei"
            assert mark.get(W + "date", "").endswith("Z")


def test_vague_phrase_is_replaced_as_a_tracked_change_with_the_librarys_value(zh_contract, tmp_path):
    out = tmp_path / "red.docx"
    main(["check", str(zh_contract), "--redline", str(out), "--author", "Li Wei"])
    p = next(p for p in body_paragraphs(out) if "2.3" in text_of(p, deleted=True))
    assert [t.text for t in p.iter(W + "delText")] == ["及时"]
    assert "".join(t.text for ins in p.iter(W + "ins") for t in ins.iter(W + "t")) == "在知悉后三十分钟内"
    # With the firm's playbook the firm's value is used: 及时 -> 在知悉后一小时内.
    out2 = tmp_path / "red2.docx"
    main(["check", str(zh_contract), "--redline", str(out2), "--playbook", str(CUSTOMER)])
    p = next(p for p in body_paragraphs(out2) if "2.3" in text_of(p, deleted=True))
    assert "".join(t.text for ins in p.iter(W + "ins") for t in ins.iter(W + "t")) == "在知悉后一小时内"
    assert [a.get(W + "author") for a in p.iter(W + "ins")] == ["clausegen"]  # no author given, none configured


def test_vague_phrase_without_a_value_gets_a_comment_on_the_exact_phrase(zh_contract, tmp_path):
    out = tmp_path / "red.docx"
    main(["check", str(zh_contract), "--redline", str(out)])  # no playbook: no institution to propose
    p = next(p for p in body_paragraphs(out) if "协商不成" in text_of(p))
    start = next(p.iter(W + "commentRangeStart"))
    end = next(p.iter(W + "commentRangeEnd"))
    runs = [el for el in p if el.tag == W + "r"]
    inside = [r for r in runs if p.index(start) < p.index(r) < p.index(end)]
    assert "".join(text_of(r) for r in inside) == "仲裁"
    comments = docx.Document(str(out)).comments
    assert any("争议解决" in c.text for c in comments)


def test_value_that_misses_the_position_is_replaced(en_contract, tmp_path):
    out = tmp_path / "red.docx"
    assert main(["check", str(en_contract), "--redline", str(out), "--playbook", str(CUSTOMER),
                 "--author", "A. Reviewer"]) == 1
    p = next(p for p in body_paragraphs(out) if "notify the Customer" in text_of(p, deleted=True))
    assert [t.text for t in p.iter(W + "delText")] == ["twenty-four (24) hours"]
    assert "".join(t.text for ins in p.iter(W + "ins") for t in ins.iter(W + "t")) == "one (1) hour"
    inserted = inserted_paragraphs(out)
    assert inserted[0] == "4A. Dispute Resolution"  # disputes follows the deadlines, which sit in clause 4
    assert any(t.startswith("4A.2 ") for t in inserted)  # sub-clauses numbered under 4A


def test_nothing_outside_the_tracked_changes_changes(zh_contract, en_contract, tmp_path):
    for src in (zh_contract, en_contract):
        out = tmp_path / f"{src.stem}.red.docx"
        main(["check", str(src), "--redline", str(out), "--playbook", str(CUSTOMER)])
        original = zipfile.ZipFile(src).read("word/document.xml")
        redlined = zipfile.ZipFile(out).read("word/document.xml")
        assert canonical_body(original) != canonical_body(redlined)
        assert changed_only_by_redline(original, redlined)
        # and the check can fail: a change made without tracking is caught
        tampered = redlined.replace("甲方".encode(), "丙方".encode()).replace(b"Customer", b"Client")
        assert not changed_only_by_redline(original, tampered)


def test_author_comes_from_clausegen_toml(zh_contract, tmp_path, monkeypatch):
    (tmp_path / "clausegen.toml").write_text('[check]\nauthor = "王律师"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", zh_contract.name, "--redline", "out.docx"]) == 1
    authors = {m.get(W + "author") for p in body_paragraphs(tmp_path / "out.docx") for m in p.iter(W + "ins")}
    assert authors == {"王律师"}


@pytest.mark.parametrize("args, needle", [
    (["{txt}", "--redline", "{out}"], "needs a Word .docx contract"),
    (["{docx}", "{docx}", "--redline", "{out}"], "one redlined copy"),
    (["{docx}", "--redline", "{docx}"], ""),
    (["{docx}", "--redline", "{tmp}/nope/out.docx"], "does not exist"),
    (["{docx}", "--redline", "{tmp}/out.pdf"], "must be a .docx"),
], ids=["txt-input", "two-files", "overwrite-input", "no-folder", "not-docx"])
def test_bad_redline_requests_exit_2_and_write_nothing(zh_contract, tmp_path, capsys, args, needle):
    txt = tmp_path / "c.txt"
    txt.write_text("服务中断。", encoding="utf-8")
    before = sha(zh_contract)
    filled = [a.format(txt=txt, docx=zh_contract, out=tmp_path / "o.docx", tmp=tmp_path) for a in args]
    assert main(["check", *filled]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and needle in err and "Traceback" not in err
    assert not (tmp_path / "o.docx").exists()
    assert sha(zh_contract) == before


def test_reject_all_restores_the_deleted_text(zh_contract, tmp_path):
    out = tmp_path / "red.docx"
    main(["check", str(zh_contract), "--redline", str(out)])
    restored = etree.fromstring(reject_all(zipfile.ZipFile(out).read("word/document.xml")))
    texts = ["".join(t.text or "" for t in p.iter(W + "t")) for p in restored.iter(W + "p")]
    assert "2.3 发生服务中断的，乙方应及时通知甲方。" in texts
    assert not any("赔偿期限" in t for t in texts)


def _accepted_contracts_are_complete(sources, tmp_path):
    from lo_accept import accept_all, soffice

    require_or_skip(soffice() is not None, "LibreOffice (soffice)")
    for src in sources:
        out = tmp_path / f"{src.stem}.red.docx"
        assert main(["check", str(src), "--redline", str(out), "--playbook", str(CUSTOMER)]) in (0, 1)
        accepted = accept_all(out, tmp_path / f"{src.stem}.accepted.docx", tmp_path)
        xml = zipfile.ZipFile(accepted).read("word/document.xml")
        assert b"<w:ins " not in xml and b"<w:del " not in xml  # the changes really were accepted
        report = check_file(accepted)
        required = [p for p in report.provisions if p.required]
        assert {p.id: p.status for p in required} == {p.id: "present" for p in required}, src.name
        assert not [f for f in report.findings if f.rule.startswith("position-") and f.severity != "info"]


@pytest.mark.libreoffice
def test_libreoffice_accepting_all_changes_gives_a_complete_contract(zh_contract, en_contract, corpus_dir, tmp_path):
    # Built contracts in both languages, and real Word files that lack five provisions (en, zh).
    real = [corpus_dir / "docx" / "bonterms-mutual-nda.docx", corpus_dir / "docx" / "zh-bitip-service-agreement.docx"]
    _accepted_contracts_are_complete([zh_contract, en_contract, *real], tmp_path)


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_round_trip_on_every_real_word_contract(corpus_dir, tmp_path):
    real = sorted((corpus_dir / "docx").glob("*.docx"))
    assert len(real) >= 6
    _accepted_contracts_are_complete(real, tmp_path)


def test_promptly_becomes_a_number_of_hours_in_english(tmp_path):
    lines = [(t.replace("within twenty-four (24) hours after becoming aware of", "promptly of"), h) for t, h in EN]
    src = make_docx(tmp_path / "promptly.docx", lines)
    out = tmp_path / "red.docx"
    main(["check", str(src), "--redline", str(out), "--playbook", str(CUSTOMER)])
    p = next(p for p in body_paragraphs(out) if "notify the Customer" in text_of(p, deleted=True))
    assert [t.text for t in p.iter(W + "delText")] == ["promptly"]
    assert "".join(t.text for ins in p.iter(W + "ins") for t in ins.iter(W + "t")) == "within one (1) hour"
