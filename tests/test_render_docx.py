"""Word output read back with python-docx: headings, real numbering, spec values, tier tables, fonts, traceability."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import pytest
from shared_data import require

from clausegen.render import render, render_file, write
from clausegen.render.filters import has_cjk
from clausegen.spec import load_spec

SAMPLES = ("zh", "en", "bilingual")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TYPED_NUMBER = re.compile(r"^\s*(\d+(\.\d+)*\.?|\([a-z]+\)|（\d+）|第[一二三四五六七八九十\d]+条)\s")


def _docx(data: bytes):
    import docx

    return docx.Document(io.BytesIO(data))


def _all_paragraphs(doc):
    """Return body paragraphs and paragraphs in table cells (nested tables included), in order."""
    out = []

    def walk(container):
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    for cell in row.cells:
                        walk(cell)
            else:
                out.append(block)

    walk(doc)
    return out


def _num_pr(par):
    ppr = par._p.pPr
    return None if ppr is None else ppr.numPr


@pytest.fixture(scope="module")
def rendered(samples_dir):
    """Return {sample: (Spec, docx bytes)} rendered once per module."""
    out = {}
    for name in SAMPLES:
        spec = load_spec(samples_dir / f"sla-{name}.yaml")
        out[name] = (spec, write(render(spec), "docx"))
    return out


@pytest.mark.parametrize("name", SAMPLES)
def test_docx_has_numbered_headings_for_every_required_provision(rendered, name):
    from clausegen.library import load_library

    spec, data = rendered[name]
    doc = _docx(data)
    headings = [p for p in _all_paragraphs(doc) if p.style.name == "Heading 1"]
    family = load_library().family()
    langs = ("zh", "en") if name == "bilingual" else (name,)
    for prov in family.required:
        for lang in langs:
            matches = [h for h in headings if h.text == prov.title[lang]]
            assert matches, f"no heading {prov.title[lang]!r}"
            num = _num_pr(matches[0])
            assert num is not None and num.ilvl.val == 0


@pytest.mark.parametrize("name", SAMPLES)
def test_docx_paragraphs_use_list_numbering_not_typed_digits(rendered, name):
    doc = _docx(rendered[name][1])
    pars = [p for p in _all_paragraphs(doc) if p.text.strip()]
    numbered = [p for p in pars if _num_pr(p) is not None]
    levels = {p._p.pPr.numPr.ilvl.val for p in numbered}
    assert {0, 1, 2} <= levels  # headings, clauses, sub-items
    assert len(numbered) > 40
    assert not [p.text for p in pars if TYPED_NUMBER.match(p.text)]
    numbering = doc.part.numbering_part.element
    abstract = numbering.findall(f"{W}abstractNum")
    texts = [lvl.find(f"{W}lvlText").get(f"{W}val") for a in abstract for lvl in a.findall(f"{W}lvl")]
    assert "%1.%2" in texts or "%2." in texts


@pytest.mark.parametrize("name, needles", [
    ("en", ["Northwind Cloud Services Ltd.", "Fabrikam Logistics GmbH", "ninety-nine point nine percent (99.9%)",
            "thirty (30) minutes", "three (3) Business Days", "Dublin International Arbitration Centre",
            "the laws of Ireland", "EUR 12,000 (twelve thousand euros)", "1 March 2026", "28 February 2029",
            "MSA-2026-0142", "Saturdays 22:00 to Sundays 04:00"]),
    ("zh", ["杭州之云计算技术有限公司", "苏州恒泽医疗器械股份有限公司", "99.95%", "十五分钟", "三个工作日", "六十日",
            "人民币500元（大写：人民币伍佰元整）", "中华人民共和国法律", "2026年4月15日", "乙方住所地有管辖权的人民法院"]),
    ("bilingual", ["中国国际经济贸易仲裁委员会", "China International Economic and Trade Arbitration Commission"]),
], ids=["en", "zh", "bilingual"])
def test_docx_carries_values_from_the_spec(rendered, name, needles):
    text = "\n".join(p.text for p in _all_paragraphs(_docx(rendered[name][1])))
    for needle in needles:
        assert needle in text, needle


@pytest.mark.parametrize("name", SAMPLES)
def test_docx_has_a_real_tier_table_with_every_tier(rendered, name):
    spec, data = rendered[name]
    doc = _docx(data)
    tiers = spec.data["standards"]["service_credits"]["tiers"]

    def tables(container):
        for t in container.tables:
            yield t
            for row in t.rows:
                for cell in row.cells:
                    yield from tables(cell)

    tier_tables = [t for t in tables(doc) if len(t.columns) == 2 and "%" in t.cell(len(t.rows) - 1, 1).text]
    assert tier_tables
    table = tier_tables[0]
    assert len(table.rows) == len(tiers) + 1
    credits = [table.cell(i + 1, 1).text for i in range(len(tiers))]
    assert credits == [f"{t['credit_percent']:g}%" for t in tiers]
    assert table._tbl.tblPr is not None


@pytest.mark.parametrize("name", ["zh", "bilingual"])
def test_chinese_runs_and_normal_style_have_an_east_asian_font(rendered, name):
    doc = _docx(rendered[name][1])
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(f"{W}eastAsia") == "SimSun"
    cjk_runs = [r for p in _all_paragraphs(doc) for r in p.runs if re.search(r"[\u4e00-\u9fff]", r.text)]
    assert cjk_runs
    for run in cjk_runs:
        assert run._r.rPr.rFonts.get(f"{W}eastAsia") == "SimSun"


def test_chinese_output_uses_full_width_punctuation(rendered):
    text = "\n".join(p.text for p in _all_paragraphs(_docx(rendered["zh"][1])))
    for mark in "，。；：（）":
        assert mark in text
    # No ASCII comma or semicolon right after a Chinese character.
    assert not re.search(r"[\u4e00-\u9fff][,;]", text)


def test_bilingual_is_a_two_column_table_chinese_left_english_right(rendered):
    doc = _docx(rendered["bilingual"][1])
    table = doc.tables[0]
    assert len(table.columns) == 2
    checked = 0
    for row in table.rows[1:]:
        left, right = row.cells
        if not left.text.strip():
            continue  # a row holding the two tier tables
        assert re.search(r"[\u4e00-\u9fff]", left.text)
        assert not re.search(r"[\u4e00-\u9fff]", right.text)
        checked += 1
    assert checked >= 6 * 2
    headings = [r.cells[1].text for r in table.rows if r.cells[1].paragraphs[0].style.name == "Heading 1"]
    assert headings[0] == "Definitions"
    assert headings[1:7] == ["Definition and Scope of Interruption", "Notification and Confirmation",
                            "Compensation Standards", "Compensation Process", "Compensation Deadlines",
                            "Dispute Resolution"]


@pytest.mark.parametrize("name", SAMPLES)
def test_footer_has_a_page_field(rendered, name):
    doc = _docx(rendered[name][1])
    instr = [el.text for el in doc.sections[0].footer._element.iter(f"{W}instrText")]
    assert any("PAGE" in t for t in instr)


@pytest.mark.parametrize("name", SAMPLES)
def test_custom_properties_trace_library_and_spec(rendered, name):
    spec, data = rendered[name]
    custom = zipfile.ZipFile(io.BytesIO(data)).read("docProps/custom.xml").decode()
    assert spec.sha256 in custom
    assert "clausegen.family_version" in custom and "1.2.0" in custom
    assert "clausegen.library" in custom
    assert "clausegen.template." in custom


def test_core_properties_come_from_the_spec_date(rendered):
    doc = _docx(rendered["en"][1])
    assert doc.core_properties.created.date().isoformat() == "2026-03-01"
    assert doc.core_properties.modified == doc.core_properties.created


@pytest.mark.parametrize("name", SAMPLES)
def test_rendering_twice_gives_identical_bytes(samples_dir, tmp_path, name):
    spec = samples_dir / f"sla-{name}.yaml"
    a = render_file(spec, tmp_path / "a.docx")
    b = render_file(spec, tmp_path / "b.docx")
    assert a.read_bytes() == b.read_bytes()
    for info in zipfile.ZipFile(a).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)


def test_reference_docx_styles_are_applied(samples_dir, tmp_path):
    import docx
    from docx.shared import Pt, RGBColor

    house = docx.Document()
    house.styles["Heading 1"].font.name = "Georgia"
    house.styles["Heading 1"].font.size = Pt(17)
    house.styles["Heading 1"].font.color.rgb = RGBColor(0x80, 0x00, 0x20)
    house.styles["Normal"].font.name = "Arial"
    house.sections[0].left_margin = Pt(90)
    house.add_paragraph("House boilerplate that must not survive")
    house_path = tmp_path / "house.docx"
    house.save(house_path)

    out = render_file(samples_dir / "sla-en.yaml", tmp_path / "out.docx", reference_docx=house_path)
    doc = docx.Document(out)
    assert doc.styles["Heading 1"].font.name == "Georgia"
    assert doc.styles["Heading 1"].font.size == Pt(17)
    assert doc.styles["Normal"].font.name == "Arial"
    assert doc.sections[0].left_margin == Pt(90)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "House boilerplate" not in text
    assert "Northwind Cloud Services Ltd." in text
    assert any(p.style.name == "Heading 1" for p in doc.paragraphs)


@pytest.mark.libreoffice
@pytest.mark.parametrize("name, needles", [
    ("zh", ["第一条 定义", "第二条 服务中断的定义与范围", "第七条 争议解决", "1. “服务中断”是指", "（1）", "人民币伍佰元整",
            "第 1 页"]),
    ("en", ["1. Definitions", "2. Definition and Scope of Interruption", "1.1", "(a)", "thirty (30) days",
            "Page 1 of"]),
    ("bilingual", ["争议解决", "Dispute Resolution", "中国国际经济贸易仲裁委员会"]),
], ids=["zh", "en", "bilingual"])
def test_libreoffice_converts_the_docx_to_a_pdf_with_the_text(samples_dir, tmp_path, name, needles):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    require(bool(soffice and shutil.which("pdftotext")), "LibreOffice (soffice) or poppler-utils (pdftotext)")
    out = render_file(samples_dir / f"sla-{name}.yaml", tmp_path / f"sla-{name}.docx")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=240)
    pdf = tmp_path / f"sla-{name}.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    flat = re.sub(r"\s+", " ", text)
    # A narrow column may break a Chinese name across lines; -layout interleaves the columns,
    # so read the text again in reading order and join the lines.
    raw = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    joined = re.sub(r"\s+", "", raw)
    for needle in needles:
        assert needle in flat or needle in text or (has_cjk(needle) and needle in joined), needle


def test_reference_docx_without_heading_styles_still_gets_headings(samples_dir, tmp_path):
    import docx

    house = docx.Document()
    styles = house.styles.element
    for style in list(styles):
        if style.get(f"{W}styleId") in ("Heading1", "Title"):
            styles.remove(style)
    house_path = tmp_path / "bare.docx"
    house.save(house_path)
    out = render_file(samples_dir / "sla-zh.yaml", tmp_path / "out.docx", reference_docx=house_path)
    doc = docx.Document(out)
    headings = [p for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) >= 6 and headings[0].style.font.bold
    assert doc.styles["Normal"].element.rPr.rFonts.get(f"{W}eastAsia") == "SimSun"


def test_a_reference_that_is_not_a_word_file_is_an_input_error(samples_dir, tmp_path):
    from clausegen.errors import InputError

    fake = tmp_path / "house.docx"
    fake.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="cannot open the reference document"):
        render_file(samples_dir / "sla-en.yaml", tmp_path / "out.docx", reference_docx=fake)
    assert not (tmp_path / "out.docx").exists()


def test_a_house_footer_is_kept_and_page_numbers_added_once(samples_dir, tmp_path):
    import docx

    house = docx.Document()
    house.sections[0].footer.paragraphs[0].text = "Northwind Legal – Confidential"
    house_path = tmp_path / "house.docx"
    house.save(house_path)
    out = render_file(samples_dir / "sla-en.yaml", tmp_path / "out.docx", reference_docx=house_path)
    footer = docx.Document(out).sections[0].footer
    assert footer.paragraphs[0].text == "Northwind Legal – Confidential"
    instr = [el.text for el in footer._element.iter(f"{W}instrText")]
    assert sum("PAGE" in t and "NUMPAGES" not in t for t in instr) == 1

    again = render_file(samples_dir / "sla-en.yaml", tmp_path / "again.docx", reference_docx=out)
    instr = [el.text for el in docx.Document(again).sections[0].footer._element.iter(f"{W}instrText")]
    assert sum("PAGE" in t and "NUMPAGES" not in t for t in instr) == 1  # not numbered twice


# ---------------------------------------------------------------- the bilingual layout a lawyer signs


def _level_text(doc, par) -> str:
    """Return the lvlText Word shows for `par`'s list level (the paragraph's number pattern)."""
    num_pr = _num_pr(par)
    numbering = doc.part.numbering_part.element
    num = next(n for n in numbering.findall(f"{W}num") if n.get(f"{W}numId") == str(num_pr.numId.val))
    abstract_id = num.find(f"{W}abstractNumId").get(f"{W}val")
    abstract = next(a for a in numbering.findall(f"{W}abstractNum") if a.get(f"{W}abstractNumId") == abstract_id)
    lvl = next(lv for lv in abstract.findall(f"{W}lvl") if lv.get(f"{W}ilvl") == str(num_pr.ilvl.val))
    return lvl.find(f"{W}lvlText").get(f"{W}val")


def test_bilingual_columns_number_each_paragraph_alike(rendered):
    """The Chinese column says 3.2 where the English says 3.2 (not "2."), under 第三条."""
    doc = _docx(rendered["bilingual"][1])
    outer = doc.tables[0]
    heading_no = 0
    checked = 0
    for row in outer.rows:
        zh_cell, en_cell = row.cells
        zh_pars = [p for p in zh_cell.paragraphs if _num_pr(p) is not None]
        en_pars = [p for p in en_cell.paragraphs if _num_pr(p) is not None]
        if not zh_pars or not en_pars:
            continue
        zh, en = zh_pars[0], en_pars[0]
        if zh.style.name == "Heading 1":
            heading_no += 1
            assert _level_text(doc, zh) == "第%1条"
            continue
        if en._p.pPr.numPr.ilvl.val == 1:
            assert _level_text(doc, en) == "%1.%2"
            assert _level_text(doc, zh) == f"{heading_no}.%2", zh.text
            checked += 1
    assert heading_no == 11 and checked > 30  # the definitions clause, the six provisions, four optional


def test_monolingual_chinese_keeps_article_paragraph_numbers(rendered):
    doc = _docx(rendered["zh"][1])
    first = next(p for p in doc.paragraphs if p.text.startswith("“服务中断”是指"))
    assert _level_text(doc, first) == "%2."


def test_text_writer_numbers_the_chinese_column_like_the_english(rendered, samples_dir):
    text = write(render(load_spec(samples_dir / "sla-bilingual.yaml")), "txt").decode("utf-8")
    assert "\n2.3 因下列情形（以下统称“除外事件”）" in text and "\n2.3 An Interruption caused by" in text
    alone = write(render(load_spec(samples_dir / "sla-zh.yaml")), "txt").decode("utf-8")
    assert "\n3. 服务中断仅影响本服务部分功能的" in alone


def test_narrow_columns_are_set_ragged_right_not_justified(rendered):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = _docx(rendered["bilingual"][1])
    justified = [p.text for row in doc.tables[0].rows for cell in row.cells for p in cell.paragraphs
                 if p.text and p.alignment != WD_ALIGN_PARAGRAPH.LEFT]
    assert justified == []
    # the monolingual documents stay justified (Normal style)
    assert _docx(rendered["zh"][1]).styles["Normal"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY


def test_tables_in_the_bilingual_columns_keep_apart(rendered):
    doc = _docx(rendered["bilingual"][1])
    outer = doc.tables[0]
    margins = outer._tbl.tblPr.find(f"{W}tblCellMar")
    assert int(margins.find(f"{W}left").get(f"{W}w")) > 0 and int(margins.find(f"{W}right").get(f"{W}w")) > 0
    column = int(outer.columns[0].width.twips)
    rows = list(outer.rows)
    with_tables = [i for i, row in enumerate(rows) if row.cells[0].tables]
    assert with_tables
    for i in with_tables:
        for cell in rows[i].cells:
            [tier] = cell.tables
            width = int(tier._tbl.tblPr.find(f"{W}tblW").get(f"{W}w"))
            assert width < column - 2 * int(margins.find(f"{W}left").get(f"{W}w"))
        following = rows[i + 1]
        assert all(c.paragraphs[0].paragraph_format.space_before.pt >= 6 for c in following.cells)
