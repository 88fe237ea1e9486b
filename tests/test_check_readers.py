"""Readers: .docx (paragraphs, tables, numbering, headers ignored), .pdf, .txt/.md encodings, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from clausegen.check.readers import decode_text, detect_language, read_contract
from clausegen.errors import InputError


def _docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "CONFIDENTIAL HEADER TEXT"
    d.add_heading("Service Level Agreement", level=1)
    d.add_paragraph("Downtime means any minute in which the Service is unavailable.")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Monthly Uptime"
    table.cell(0, 1).text = "Service Credit"
    table.cell(1, 0).text = "< 99.9%"
    table.cell(1, 1).text = "10%"
    d.add_paragraph("Credits are applied to the next invoice.")
    d.add_paragraph("First item", style="List Number")
    d.add_paragraph("Second item", style="List Number")
    d.save(str(path))
    return path


def test_docx_reads_paragraphs_and_table_rows_in_document_order(tmp_path: Path) -> None:
    c = read_contract(_docx(tmp_path / "sla.docx"))
    texts = [p.text for p in c.paragraphs]
    assert texts[:5] == [
        "Service Level Agreement",
        "Downtime means any minute in which the Service is unavailable.",
        "Monthly Uptime | Service Credit",
        "< 99.9% | 10%",
        "Credits are applied to the next invoice.",
    ]
    assert c.paragraphs[0].heading_level == 1
    assert c.paragraphs[3].location == "table 1 row 2"
    assert not any("HEADER" in t for t in texts)
    assert c.language == "en"
    assert [p.index for p in c.paragraphs] == list(range(len(c.paragraphs)))


def test_docx_list_numbering_becomes_text(tmp_path: Path) -> None:
    c = read_contract(_docx(tmp_path / "sla.docx"))
    numbered = [p.text for p in c.paragraphs if p.text.endswith("item")]
    assert numbered == ["1. First item", "2. Second item"]


def test_gbk_text_file_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "合同.txt"
    path.write_bytes("第一条 服务中断\n服务提供方应在2小时内通知服务接受方。\n".encode("gbk"))
    c = read_contract(path)
    assert c.paragraphs[1].text == "服务提供方应在2小时内通知服务接受方。"
    assert c.language == "zh"


def test_utf8_bom_and_markdown_headings(tmp_path: Path) -> None:
    path = tmp_path / "sla.md"
    path.write_bytes("\ufeff# Service Credits\n\nCredits are **10%** of the _monthly fee_.\n".encode("utf-8"))
    c = read_contract(path)
    assert [(p.text, p.heading_level) for p in c.paragraphs] == [
        ("Service Credits", 1), ("Credits are 10% of the monthly fee.", None)]


def test_hard_wrapped_english_lines_are_joined() -> None:
    from clausegen.check.readers import split_lines

    text = ("Customer must submit the claim to Customer Support within two months of the end\n"
            "of the billing month in which the Incident occurred.\n2. Next clause.")
    assert [t for _, t in split_lines(text)] == [
        "Customer must submit the claim to Customer Support within two months of the end of the billing "
        "month in which the Incident occurred.", "2. Next clause."]


def test_pdf_from_the_corpus_has_text(corpus_dir: Path) -> None:
    c = read_contract(corpus_dir / "pdf" / "en-sweepai-service-level-terms.pdf")
    assert c.language == "en"
    assert any("notify Sweep AI in writing within seventy-two (72) hours" in p.text for p in c.paragraphs)
    assert all(p.location.startswith("page ") for p in c.paragraphs)


def test_pdf_without_text_layer_says_ocr_is_needed(tmp_path: Path) -> None:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scan.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    with pytest.raises(InputError, match="OCR"):
        read_contract(path)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.txt", None, "no such file"),
    ("folder", "DIR", "folder"),
    ("contract.doc", b"\xd0\xcf\x11\xe0", "unsupported file type"),
    ("broken.docx", b"not a zip", "Word"),
    ("broken.pdf", b"%PDF-1.4 garbage", "PDF"),
    ("binary.txt", b"\x00\x01\x02\x03", "binary"),
], ids=["missing", "directory", "doc", "bad-docx", "bad-pdf", "binary-txt"])
def test_unreadable_inputs_raise_input_error(tmp_path: Path, name: str, content, message: str) -> None:
    path = tmp_path / name
    if content == "DIR":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        read_contract(path)
    assert info.value.exit_code == 2


@pytest.mark.parametrize(("text", "lang"), [
    ("服务提供方应在2小时内通知服务接受方。", "zh"),
    ("The Provider shall notify the Customer within two hours.", "en"),
    ("本协议由 Microsoft Azure 和 Customer 签订，服务可用性为 99.9%，赔偿为服务费的 10%。", "zh"),
    ("The Service (服务) is provided by Acme Ltd under the laws of England.", "en"),
    ("", "en"),
], ids=["zh", "en", "zh-with-english-names", "en-with-a-chinese-gloss", "empty"])
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_lang_override_wins(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_text("The Provider shall notify the Customer.", encoding="utf-8")
    assert read_contract(path, lang="zh").language == "zh"


def test_decode_rejects_undecodable_bytes() -> None:
    assert decode_text("中文".encode("gb18030")) == "中文"
