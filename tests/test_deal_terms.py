"""Issue 14: the whole deal in a spec, a definitions clause, cross-references, numbering that fits the
host contract, PDF, drafts with blanks, precedence and execution blocks."""

from __future__ import annotations

import copy
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from cli_process import run_cli
from clausegen import spec
from clausegen.spec.dealterms import RULES as DEAL_RULES
from clausegen.render import render, render_file, write
from clausegen.yamlsource import load_yaml_text
from conftest import require_or_skip

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check(data):
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    doc = load_yaml_text(text, "spec.yaml")
    return spec.validate(doc.data, doc.marks, file="spec.yaml")


def _set(data, path, value):
    for key in path[:-1]:
        data = data.setdefault(key, {}) if isinstance(key, str) else data[key]
    data[path[-1]] = value


def m(*changes):
    def apply(data):
        for path, value in changes:
            if value is _DEL:
                parent = data
                for key in path[:-1]:
                    parent = parent[key]
                parent.pop(path[-1], None)
            else:
                _set(data, path, copy.deepcopy(value))
        return data
    return apply


_DEL = object()
EUR = lambda n: {"amount": n, "currency": "EUR"}  # noqa: E731
H = lambda n: {"value": n, "unit": "hours"}  # noqa: E731
LEVELS = [{"priority": "P1", "respond_within": {"value": 15, "unit": "minutes"}, "credit_percent": 5},
          {"priority": "P2", "respond_within": H(1), "credit_percent": 2}]

DEAL_CASES = [
    # (code, severity, failing mutation, passing mutation)
    ("per-hour-threshold", "error",
     m((("standards", "methods"), ["service_credits", "per_hour"]),
       (("standards", "per_hour"), {"amount": EUR(500), "threshold": {"value": 40, "unit": "days"}})),
     m((("standards", "methods"), ["service_credits", "per_hour"]),
       (("standards", "per_hour"), {"amount": EUR(500), "threshold": H(4)}))),
    ("per-hour-threshold", "warning",
     m((("standards", "methods"), ["per_hour"]), (("standards", "cap", "covers"), ["per_hour"]),
       (("standards", "per_hour"), {"amount": EUR(500), "in_addition": True})),
     m((("standards", "methods"), ["service_credits", "per_hour"]),
       (("standards", "per_hour"), {"amount": EUR(500), "in_addition": True}))),
    ("annual-cap", "error", m((("standards", "annual_cap"), {"amount": EUR(1000)})),
     m((("standards", "annual_cap"), {"percent": 15}))),
    ("annual-cap", "warning", m((("standards", "annual_cap"), {"percent": 60})),
     m((("standards", "annual_cap"), {"amount": EUR(20000)}))),
    ("unit-basis", "error", m((("standards", "service_credits", "basis"), "unit_fee")),
     m((("standards", "service_credits", "basis"), "unit_fee"),
       (("service", "unit"), {"name": "rack", "monthly_fee": EUR(900)}))),
    ("unit-basis", "error", m((("standards", "service_credits", "basis"), "unit_fee"),
                              (("service", "unit"), {"name": "rack"})), m()),
    ("unit-basis", "warning", m((("service", "unit"), {"name": "rack", "monthly_fee": EUR(900)})), m()),
    ("response-levels", "error",
     m((("standards", "response_time"), {"levels": [LEVELS[0], {**LEVELS[1], "priority": "P1"}]})),
     m((("standards", "response_time"), {"levels": LEVELS}))),
    ("response-levels", "warning",
     m((("standards", "response_time"), {"levels": list(reversed(LEVELS))})),
     m((("standards", "response_time"), {"levels": LEVELS}))),
    ("response-levels", "error",
     m((("standards", "response_time"), {"levels": [{**LEVELS[0], "credit_percent": 60}]})),
     m((("standards", "response_time"), {"levels": [{**LEVELS[0], "credit_percent": 50}]}))),
    ("response-levels", "warning",
     m((("standards", "latency"), {"maximum_ms": 200, "percentile": 20, "credit_percent": 5})),
     m((("standards", "latency"), {"maximum_ms": 200, "percentile": 95, "credit_percent": 5}))),
    ("credit-expiry", "warning", m((("deadlines", "credit_expiry"), {"value": 12, "unit": "months"})),
     m((("deadlines", "credit_expiry"), {"value": 12, "unit": "months"}),
       (("standards", "outstanding_credit"), "lapses"), (("deadlines", "payment_deadline"), _DEL))),
    ("credit-expiry", "warning",
     m((("deadlines", "credit_expiry"), {"value": 5, "unit": "days"}), (("standards", "outstanding_credit"), "lapses"),
       (("deadlines", "payment_deadline"), _DEL)), m()),
    ("mandatory-mediation", "error", m((("disputes", "mediation"), {"mandatory": True})),
     m((("disputes", "mediation"), {"mandatory": True, "period": {"value": 30, "unit": "days"}}))),
    ("host-document", "warning",
     m((("document", "precedence"), "schedule"), (("document", "reference"), _DEL)),
     m((("document", "precedence"), "schedule"), (("document", "reference"), _DEL),
       (("document", "agreement_title"), "Master Services Agreement"))),
    ("open-values", "error", m((("standards", "per_hour"), {"amount": {"amount": "TBD", "currency": "EUR"}}),
                               (("standards", "methods"), ["service_credits", "per_hour"])),
     m()),
    ("open-values", "error", m((("disputes", "arbitration", "seat"), "待定")), m()),
]


@pytest.mark.parametrize("code, severity, fail, ok", DEAL_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(DEAL_CASES)])
def test_deal_rule_fails_and_passes(starter, code, severity, fail, ok):
    bad = check(fail(starter("en")))
    found = [p for p in bad if p.code == code]
    assert any(p.severity == severity for p in found), [p.format() for p in bad]
    assert all(p.line is not None and p.hint for p in found)
    good = check(ok(starter("en")))
    assert code not in {p.code for p in good}, [p.format() for p in good]


def test_every_deal_rule_is_tested_and_speaks_chinese(starter):
    assert set(DEAL_RULES) == {c[0] for c in DEAL_CASES}
    data = starter("zh")
    data["disputes"]["mediation"] = {"mandatory": True}
    problem = next(p for p in spec.validate(data) if p.code == "mandatory-mediation")
    assert "调解" in problem.message and "period" in problem.hint


def test_new_keys_have_titles_in_both_languages_and_docs():
    schema = spec.spec_schema()
    props = schema["properties"]
    new = [props["acting_for"], props["document"]["properties"]["agreement_title"],
           props["document"]["properties"]["self_reference"], props["document"]["properties"]["numbering"],
           props["document"]["properties"]["precedence"], props["document"]["properties"]["standalone"],
           props["service"]["properties"]["unit"], props["standards"]["properties"]["response_time"],
           props["standards"]["properties"]["latency"], props["standards"]["properties"]["annual_cap"],
           props["standards"]["properties"]["proration"], props["deadlines"]["properties"]["credit_expiry"],
           props["standards"]["properties"]["per_hour"]["properties"]["threshold"]]
    for sub in new:
        assert sub["title"] and sub["x-title-zh"] and sub["description"] and sub["x-description-zh"]


def test_old_specs_stay_valid_and_the_family_version_is_a_minor_bump(samples_dir):
    from clausegen.library import load_library

    family = load_library(None).family("service-interruption")
    assert family.version == "1.2.0"
    assert spec.validate_files(sorted(samples_dir.glob("sla-*.yaml"))) == []


def test_the_deal_sample_is_valid_without_warnings_and_says_the_deal(samples_dir):
    path = samples_dir / "sla-deal-zh.yaml"
    assert spec.validate_files([path]) == []
    text = write(render(spec.load_spec(path)), "txt").decode("utf-8")
    assert "第十二条　定义" in text and "超出部分每一小时（不足一小时的按一小时计），乙方应向甲方另行赔偿人民币500元" in text


# ---------------------------------------------------------------- the deal in the clauses


def deal(starter, lang="en"):
    data = starter(lang)
    text = (lambda zh, en: {"zh": zh, "en": en}) if lang == "bilingual" else (lambda zh, en: zh if lang == "zh" else en)
    cur = data["service"]["monthly_fee"]["currency"]
    data["document"].update({"agreement_title": text("云服务主协议", "Master Services Agreement"),
                             "self_reference": "schedule", "precedence": "schedule", "standalone": True})
    data["service"]["unit"] = {"name": text("机柜", "rack"), "monthly_fee": {"amount": 900, "currency": cur}}
    st = data["standards"]
    st["methods"] = ["service_credits", "per_hour"]
    st.pop("free_service_time")
    st["cap"] = {"percent": 50, "covers": ["service_credits", "per_hour"]}
    st["service_credits"]["basis"] = "unit_fee"
    st["per_hour"] = {"amount": {"amount": 500, "currency": cur}, "threshold": H(4), "rounding": "started_hour",
                      "in_addition": True}
    st["annual_cap"] = {"percent": 15}
    st["proration"] = "pro_rata"
    st["outstanding_credit"] = "lapses"
    st["response_time"] = {"levels": [
        {"priority": text("一级", "P1"), "respond_within": {"value": 15, "unit": "minutes"}, "credit_percent": 5},
        {"priority": text("二级", "P2"), "respond_within": H(1), "credit_percent": 2}], "period_cap_percent": 10}
    st["latency"] = {"maximum_ms": 200, "percentile": 95, "credit_percent": 5}
    data["deadlines"]["credit_expiry"] = {"value": 12, "unit": "months"}
    data["deadlines"].pop("payment_deadline")
    data["disputes"]["mediation"] = {"institution": text("上海经贸商事调解中心", "the Dublin Mediation Centre"),
                                     "period": {"value": 30, "unit": "days"}, "mandatory": True}
    return data


def text_of(data, lang=None) -> str:
    return write(render(data, lang=lang), "txt").decode("utf-8")


def test_the_whole_deal_is_valid_and_said_in_english(starter):
    data = deal(starter, "en")
    assert [p.format() for p in spec.validate(data)] == []
    text = text_of(data)
    for needle in [
        "under the Master Services Agreement (No. MSA-2026-0142) (the “Agreement”)",
        "Where a single Interruption lasts longer than four (4) hours, for each hour or part of an hour of Downtime "
        "beyond four (4) hours, the Provider shall compensate the Customer in the amount of EUR 500 (five hundred "
        "euros), in addition to any Service Credit.",
        "Availability is measured separately for each rack",
        "on the monthly fee for each affected rack, being EUR 900 (nine hundred euros)",
        "the total compensation under this Schedule for any contract year",
        "shall not exceed fifteen percent (15%) of the fees payable for the Service for that contract year",
        "For a calendar month in which the Service is provided for part only",
        "P1 fifteen (15) minutes",
        "at least ninety-five percent (95%) of requests to the Service are answered within two hundred (200) "
        "milliseconds",
        "Credits not applied within twelve (12) months after they are granted expire.",
        "the Parties shall refer it to mediation administered by the Dublin Mediation Centre before either of them",
        "If this Schedule conflicts with any other provision of the Agreement, this Schedule prevails",
        "Signed for and on behalf of Northwind Cloud Services Ltd. (the Provider)",
    ]:
        assert needle in re.sub(r" {2,}", " ", text), needle


def test_the_whole_deal_is_said_in_chinese(starter):
    data = deal(starter, "zh")
    assert [p.format() for p in spec.validate(data) if p.severity == "error"] == []
    text = text_of(data)
    for needle in ["是《云服务主协议》（编号：YF-SLA-2026-018）（以下简称“本协议”）的组成部分",
                   "单次服务中断持续超过四小时的，超出部分每一小时（不足一小时的按一小时计），乙方应向甲方另行赔偿人民币500元",
                   "可用性按每一机柜分别计量", "任一合同年度", "本附件应付服务费的" if False else "应付服务费的15%",
                   "在200毫秒内得到响应", "服务费抵扣自给予之日起十二个月内未使用的即失效",
                   "双方应先将争议提交上海经贸商事调解中心调解", "就服务水平、服务中断及其赔偿事项以本附件为准",
                   "甲方：杭州远航物流有限公司（盖章）", "法定代表人或授权代表（签字）："]:
        assert needle in text, needle


def test_self_reference_names_the_document_everywhere(starter):
    data = starter("en")
    data["document"]["self_reference"] = "sla"
    text = text_of(data)
    assert "this Service Level Agreement" in text and "this Schedule" not in text
    data = starter("zh")
    data["document"]["self_reference"] = "appendix"
    text = text_of(data)
    assert "本附录" in text and "本条款" not in text


def test_acting_for_the_provider_makes_preferred_the_provider_friendly_wording(starter):
    data = starter("en")
    customer = text_of(data)
    data["acting_for"] = "provider"
    provider = text_of(data)
    assert "Time is of the essence for the Claim Period" in provider
    assert "Time is of the essence" not in customer
    data["position"] = "fallback"
    assert text_of(data) == customer
    assert render(data).meta["position"] == "preferred"


# ---------------------------------------------------------------- definitions


_NOT_TERMS = {"Availability Target", "Customer", "Provider", "Parties", "Party", "Agreement", "Service", "Schedule"}


def _clauses(text: str) -> tuple[str, str]:
    """Return (the definitions clause, the rest of the clauses) of a rendered English text."""
    start = text.index("1. Definitions")
    end = text.index("\n2. ", start)
    return text[start:end], text[end:]


@pytest.mark.parametrize("variant", ["starter", "deal", "sample"])
def test_every_capitalised_term_is_defined_and_every_defined_term_is_used(starter, samples_dir, variant):
    data = {"starter": lambda: starter("en"), "deal": lambda: deal(starter, "en"),
            "sample": lambda: yaml.safe_load((samples_dir / "sla-en.yaml").read_text(encoding="utf-8"))}[variant]()
    text = text_of(data)
    definitions, rest = _clauses(text)
    rest = "\n".join(line for line in rest.splitlines() if not re.match(r"\d+\. ", line))  # not the headings
    listed = set(re.findall(r"“([A-Z][A-Za-z ]+)”", definitions))
    # Every term defined in the clauses ("X" means ..., (the "X"), (each an "X")) is listed once.
    defined_in_text = set(re.findall(r"“([A-Z][A-Za-z ]+)” means", rest)) | \
        set(re.findall(r"\((?:the|each an?) “([A-Z][A-Za-z ]+)”", text))
    assert defined_in_text <= listed | {"Agreement"}, defined_in_text - listed
    # Every capitalised multi-word or defined term used is listed.
    used = set(re.findall(r"(?<![.:;] )(?<!^)\b((?:Business Day|Claim Period|Downtime|Interruption|Excluded Event|"
                          r"Force Majeure Event|Scheduled Maintenance|Emergency Maintenance|Service Credit|"
                          r"Negotiation Period|Availability Target|Availability))s?\b", rest, re.M))
    assert used <= listed, used - listed
    capitalised = {t for t in re.findall(r"(?<=[a-z,] )((?:[A-Z][a-z]+ )*[A-Z][a-z]+(?: [A-Z][a-z]+)+)", rest)
                   if not any(w in t for w in ("Monday", "Dublin", "Ireland", "Hamburg", "Arbitration", "Northwind",
                                               "Fabrikam", "European", "Centre", "Loan", "National", "Street",
                                               "Platform", "Service Desk", "Operations", "Time"))}
    capitalised = {t[:-1] if t.endswith("s") and t[:-1] in listed else t for t in capitalised}  # plurals
    assert capitalised <= listed | _NOT_TERMS, capitalised - listed - _NOT_TERMS
    # And every term listed is used outside the definitions clause.
    for term in listed - {"Agreement", "Parties", "Customer", "Provider", "Service"}:
        assert re.search(rf"\b{term}", rest), term
    assert len(re.findall(r"“Business Day” means", text)) == 1


@pytest.mark.parametrize("variant", ["starter", "deal"])
def test_chinese_defined_terms_are_listed_once_and_used(starter, variant):
    data = starter("zh") if variant == "starter" else deal(starter, "zh")
    text = text_of(data)
    start = text.index("第一条　定义")
    definitions = text[start:text.index("\n第二条", start)]
    rest = text[text.index("\n第二条", start):]
    listed = set(re.findall(r"“([^”]+)”", definitions.split("\n2. ")[0]))
    defined = set(re.findall(r"“([^”]+)”是指", rest)) | set(re.findall(r"以下(?:简称|统称)“([^”]+)”", rest))
    assert defined <= listed | {"本协议", "双方", "本服务", "本附件", "本条款"}, defined - listed
    for term in listed - {"本协议", "甲方", "乙方", "双方", "本服务"}:
        assert rest.count(term) >= 2, term  # defined there, and used


def test_the_definitions_clause_can_be_left_out(starter):
    data = starter("en")
    data["document"]["definitions_clause"] = False
    assert render(data).parts[0].clauses[0].id == "definition"


# ---------------------------------------------------------------- cross-references


def _docx(data: bytes):
    import docx

    return docx.Document(io.BytesIO(data))


def test_cross_references_are_ref_fields_to_bookmarks_and_text_prints_the_number(starter):
    data = starter("en")
    document = render(data)
    text = write(document, "txt").decode("utf-8")
    assert "within the Claim Period (see clause 6.1)" in text
    assert "clause headed" not in text
    body = _docx(write(document, "docx")).element.body
    bookmarks = {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    instr = [t.text for t in body.iter(f"{W}instrText") if "REF" in (t.text or "")]
    assert instr and all(re.fullmatch(r" REF (_Ref_\w+) \\n \\h ", i) for i in instr)
    targets = {re.search(r"REF (\S+)", i).group(1) for i in instr}
    assert targets <= bookmarks, targets - bookmarks
    assert "_Ref_en_claim_period" in targets
    # The bookmarked paragraph is the one cited: the claim period paragraph of clause 6.
    claim = next(p for p in body.iter(f"{W}p") if any(b.get(f"{W}name") == "_Ref_en_claim_period"
                                                     for b in p.iter(f"{W}bookmarkStart")))
    assert "Claim Period" in "".join(t.text or "" for t in claim.iter(f"{W}t"))


def test_chinese_cross_references_cite_the_article(starter):
    text = text_of(starter("zh"))
    assert "应在第六条约定的申请期限内" in text
    bilingual = text_of(starter("bilingual"))
    assert "应在第6.1条约定的申请期限内" in bilingual


def test_a_single_clause_cites_by_heading(starter):
    from clausegen.render import render_provision_text

    assert "the clause headed “Compensation Deadlines”" in render_provision_text("process", "en")
    assert "“赔偿期限”一条" in render_provision_text("process", "zh")


@pytest.fixture(scope="module")
def soffice():
    found = shutil.which("soffice") or shutil.which("libreoffice")
    require_or_skip(bool(found) and bool(shutil.which("pdftotext")) and bool(shutil.which("pdffonts")),
                    "LibreOffice and poppler-utils")
    return found


def _pdf_text(pdf: bytes, tmp_path: Path, layout: bool = False) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext"] + (["-layout"] if layout else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


@pytest.mark.libreoffice
@pytest.mark.parametrize("lang, needle", [("en", "Claim Period (see Schedule 2, paragraph 17.1)"),
                                          ("zh", "应在附件二第十七条约定的申请期限内"),
                                          ("bilingual", "Claim Period (see Schedule 2, paragraph 17.1)")])
def test_word_numbers_the_references_itself(starter, tmp_path, soffice, lang, needle):
    """The cached text of every REF field is spoiled; LibreOffice must still print the right number."""
    import dataclasses

    from clausegen.render.model import Paragraph, Ref
    from clausegen.render.pdf import docx_to_pdf

    data = deal(starter, lang)
    data["document"]["numbering"] = {"start": 12, "prefix": {"zh": "附件二", "en": "Schedule 2, paragraph"}
                                     if lang == "bilingual" else ("附件二" if lang == "zh" else "Schedule 2, paragraph")}
    document = render(data)

    def spoil(block):
        if isinstance(block, Paragraph) and block.segments:
            return dataclasses.replace(block, segments=tuple(Ref(s.anchor, "X9") if isinstance(s, Ref) else s
                                                             for s in block.segments))
        return block

    document = dataclasses.replace(document, parts=tuple(
        dataclasses.replace(p, clauses=tuple(dataclasses.replace(c, blocks=tuple(spoil(b) for b in c.blocks))
                                             for c in p.clauses)) for p in document.parts))
    from clausegen.render.docx import write_docx

    text = re.sub(r"\s+", " ", _pdf_text(docx_to_pdf(write_docx(document)), tmp_path))
    assert "X9" not in text
    flat = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff\d])|(?<=\d) (?=[\u4e00-\u9fff])", "", text)
    assert needle in text or needle in flat, text[:3000]


# ---------------------------------------------------------------- numbering that fits the host contract


def test_numbering_starts_where_the_host_contract_stops(starter):
    data = starter("zh")
    data["document"]["numbering"] = {"start": 12}
    text = text_of(data)
    assert "第十二条　定义" in text and "第十三条　服务中断的定义与范围" in text and "第一条" not in text
    body = _docx(write(render(data), "docx"))
    numbering = body.part.numbering_part.element
    starts = [lvl.find(f"{W}start").get(f"{W}val") for lvl in numbering.iter(f"{W}lvl") if lvl.get(f"{W}ilvl") == "0"]
    assert "12" in starts
    data = starter("en")
    data["document"]["numbering"] = {"start": 12, "prefix": "Schedule 2, paragraph"}
    text = text_of(data)
    assert "\n12. Definitions" in text and "(see Schedule 2, paragraph 17.1)" in text


def _house_docx(path: Path) -> Path:
    """Write a house document whose Heading 1 style is numbered "Article 1", paragraphs "1.01"."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    house = docx.Document()
    numbering = house.part.numbering_part.element
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
        f'<w:lvlJc w:val="left"/></w:lvl>'
        for i, (fmt, text) in enumerate([("decimal", "Article %1"), ("decimalZero", "%1.%2"),
                                         ("lowerLetter", "(%3)"), ("lowerRoman", "(%4)")]))
    numbering.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="77">'
                                  f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'))
    num = numbering.add_num(77)
    heading = house.styles["Heading 1"]
    ppr = heading.element.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="{num.numId}"/></w:numPr>'))
    house.save(str(path))
    return path


def test_the_house_numbering_of_the_reference_docx_is_continued(starter, tmp_path, write_spec):
    import docx

    data = starter("en")
    data["document"]["numbering"] = {"start": 12}
    spec_path = write_spec(data)
    out = render_file(spec_path, tmp_path / "out.docx", reference_docx=_house_docx(tmp_path / "house.docx"))
    document = docx.Document(str(out))
    numbering = document.part.numbering_part.element
    heading = next(p for p in document.paragraphs if p.text == "Definitions")
    num_id = heading._p.pPr.numPr.numId.val
    num = next(n for n in numbering.iter(f"{W}num") if n.get(f"{W}numId") == str(num_id))
    assert num.find(f"{W}abstractNumId").get(f"{W}val") == "77"
    assert num.find(f"{W}lvlOverride/{W}startOverride").get(f"{W}val") == "12"


@pytest.mark.libreoffice
def test_the_house_numbering_shows_in_the_pdf(starter, tmp_path, write_spec, soffice):
    data = starter("en")
    data["document"]["numbering"] = {"start": 12}
    out = render_file(write_spec(data), tmp_path / "out.pdf", reference_docx=_house_docx(tmp_path / "house.docx"))
    text = _pdf_text(out.read_bytes(), tmp_path)
    assert "Article 12" in text and "Article 13" in text and "12.01" in text


# ---------------------------------------------------------------- PDF


@pytest.mark.libreoffice
@pytest.mark.parametrize("lang", ["zh", "bilingual"])
def test_render_writes_a_pdf_with_every_font_embedded_cjk_included(samples_dir, tmp_path, soffice, lang):
    out = tmp_path / "x.pdf"
    proc = run_cli("render", samples_dir / f"sla-{lang}.yaml", "-o", out, cwd=tmp_path, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"%PDF")
    fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(re.search(r"\byes\s+yes\s+yes\b", r) for r in rows), fonts  # emb sub uni
    assert any("CJK" in r for r in rows), fonts
    text = _pdf_text(out.read_bytes(), tmp_path)
    assert "服务中断" in text and "第 1 页" in re.sub(r"\s+", " ", text)


def test_pdf_without_libreoffice_says_how_to_install_it_and_writes_nothing(samples_dir, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = Path(os.path.realpath(__import__("sys").executable))
    (bin_dir / "python").symlink_to(python)
    out = tmp_path / "x.pdf"
    proc = run_cli("render", samples_dir / "sla-en.yaml", "-o", out, cwd=tmp_path, env={"PATH": str(bin_dir)})
    assert proc.returncode == 2, proc.stderr
    assert "LibreOffice" in proc.stderr and "apt-get install libreoffice-writer" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


def test_a_hung_conversion_is_stopped_within_its_time(tmp_path, monkeypatch):
    from clausegen.errors import ClausegenError
    from clausegen.render import pdf

    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nexec {shutil.which('sleep')} 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    import time

    start = time.monotonic()
    with pytest.raises(ClausegenError, match="longer than 1 s"):
        pdf.docx_to_pdf(b"PK", timeout=1)
    assert time.monotonic() - start < 10


# ---------------------------------------------------------------- drafts


def _draft_spec(starter, write_spec, lang="en"):
    data = starter(lang)
    data["standards"]["methods"] = ["service_credits", "per_hour"]
    data["standards"]["cap"]["covers"] = ["service_credits", "per_hour"]
    data["standards"]["per_hour"] = {"amount": {"amount": "TBD" if lang == "en" else "待定",
                                                "currency": data["service"]["monthly_fee"]["currency"]},
                                     "threshold": {"value": "[●]", "unit": "hours"}}
    data["disputes"]["arbitration"]["seat"] = "TBD"
    return write_spec(data)


def test_validate_draft_lists_the_open_values_with_their_places(starter, write_spec, tmp_path):
    path = _draft_spec(starter, write_spec)
    plain = run_cli("validate", path, cwd=tmp_path)
    assert plain.returncode == 1 and "--draft" in plain.stdout
    draft = run_cli("validate", "--draft", path, cwd=tmp_path)
    assert draft.returncode == 0, draft.stdout
    opens = [line for line in draft.stdout.splitlines() if ": open: " in line]
    assert len(opens) == 3, draft.stdout
    assert any("standards.per_hour.amount.amount: Compensation standards › Per hour of interruption › "
               "Amount per hour is open (TBD)" in line for line in opens), opens
    assert all(re.match(r".*spec\.yaml:\d+:\d+: open: ", line) for line in opens)


def test_a_draft_renders_blanks_and_lists_them_at_the_end(starter, write_spec, tmp_path):
    path = _draft_spec(starter, write_spec)
    out = render_file(path, tmp_path / "draft.docx", draft=True)
    import docx

    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "longer than [●] hours" in text and "in the amount of EUR [●]" in text
    assert "The seat of the arbitration shall be [●]." in text
    tail = text[text.index("Open points"):]
    assert "Compensation standards › Per hour of interruption › Amount per hour" in tail
    assert "Compensation standards › Per hour of interruption › Beyond" in tail
    assert tail.count("›") >= 3
    with pytest.raises(Exception) as raised:
        render_file(path, tmp_path / "final.docx")
    assert not (tmp_path / "final.docx").exists() and "open" in str(getattr(raised.value, "problems", raised.value))


def test_a_chinese_draft_uses_the_chinese_blank(starter, write_spec, tmp_path):
    path = _draft_spec(starter, write_spec, "zh")
    text = render_file(path, tmp_path / "draft.txt", draft=True).read_text(encoding="utf-8")
    assert "超过【　】小时" in text and "赔偿人民币【　】元" in text and "仲裁地为【　】。" in text
    assert "待定事项" in text and "[●]" not in text


def test_a_paragraph_with_an_email_address_is_not_stretched_but_prose_stays_justified(starter):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = _docx(write(render(starter("zh")), "docx"))
    contact = next(p for p in document.paragraphs if "support@yunfan.example" in p.text)
    assert contact.alignment == WD_ALIGN_PARAGRAPH.LEFT
    prose = next(p for p in document.paragraphs if p.text.startswith("不可抗力事件"))
    assert prose.alignment is None  # the Normal style's justification


def test_deal_rules_read_spec_data_with_the_spec_rules_own_helpers() -> None:
    from clausegen.spec import RULES, dealterms, rules

    # defined once: the deal terms' rules share how the spec rules read values, durations and periods
    assert (dealterms._get, dealterms._num, dealterms._money, dealterms._minutes) == \
        (rules._get, rules._num, rules._money, rules.duration_minutes)
    assert dealterms._MINUTES is rules._MINUTES and dealterms._PERIOD_MINUTES is rules._PERIOD_MINUTES
    assert set(RULES) == set(rules.RULES) | set(DEAL_RULES) and not set(rules.RULES) & set(DEAL_RULES)
