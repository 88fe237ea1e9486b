"""Every sample in every language and format; the clause model; safe writing; template error reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clausegen.cli import main
from clausegen.errors import InvalidSpec, LibraryError, UsageError
from clausegen.render import render, render_file, render_provision_text
from clausegen.render.model import Paragraph, Table, parse_blocks, tidy
from clausegen.spec import load_spec

SAMPLES = ("zh", "en", "bilingual")
FORMATS = ("docx", "md", "txt", "html")
LANGS = ("zh", "en", "bilingual")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("sample", SAMPLES)
def test_every_sample_renders_in_every_language_and_format(samples_dir, tmp_path, sample, lang, fmt):
    out = render_file(samples_dir / f"sla-{sample}.yaml", tmp_path / f"out.{fmt}", lang=lang)
    data = out.read_bytes()
    assert len(data) > 2000
    if fmt == "docx":
        import docx

        text = "\n".join(p.text for p in docx.Document(out).paragraphs)
        text += "\n".join(c.text for t in docx.Document(out).tables for r in t.rows for c in r.cells)
    else:
        text = data.decode("utf-8")
    if lang in ("zh", "bilingual"):
        assert "赔偿期限" in text and "争议解决" in text
    if lang in ("en", "bilingual"):
        assert "Compensation Deadlines" in text and "Dispute Resolution" in text
    assert "{{" not in text and "{%" not in text


def test_markdown_has_headings_numbers_and_a_pipe_table(samples_dir, tmp_path):
    out = render_file(samples_dir / "sla-en.yaml", tmp_path / "out.md")
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# Schedule 2")
    assert "## 1. Definitions" in md and "## 4. Compensation Standards" in md
    assert "**4.2**" in md and "**(a)**" in md
    assert re.search(r"^\| at least 99.5% but below 99.9% \| 10% \|$", md, re.M)


def test_html_escapes_and_lays_out_bilingual_columns(samples_dir, tmp_path):
    out = render_file(samples_dir / "sla-bilingual.yaml", tmp_path / "out.html")
    html = out.read_text(encoding="utf-8")
    assert '<table class="bilingual">' in html
    assert html.count('<td lang="zh">') == html.count('<td lang="en">') >= 7


def test_format_comes_from_the_suffix_or_the_option(samples_dir, tmp_path):
    out = render_file(samples_dir / "sla-en.yaml", tmp_path / "clauses.out", fmt="txt")
    assert out.read_text(encoding="utf-8").startswith("Schedule 2")
    with pytest.raises(UsageError, match="cannot tell the output format"):
        render_file(samples_dir / "sla-en.yaml", tmp_path / "clauses.out")


def test_every_sample_value_reaches_the_wording(samples_dir):
    """Each scalar leaf of the English sample that is free text or a number shows up in the text."""
    spec = load_spec(samples_dir / "sla-en.yaml")
    doc = render(spec)
    from clausegen.render.text import write_text

    text = write_text(doc).decode()
    d = spec.data
    for needle in [d["parties"]["provider"]["address"], d["parties"]["customer"]["address"],
                   d["service"]["description"], d["definition"]["measurement"], d["process"]["agreement"],
                   d["notification"]["contacts"]["provider"], d["disputes"]["arbitration"]["rules"],
                   d["disputes"]["arbitration"]["seat"], "two (2) calendar months", "three (3) consecutive",
                   "twenty-four (24) months", "ten (10) Business Days", "seventy-two (72) hours",
                   "fifty percent (50%)", "one (1) arbitrator", "free of charge"]:
        assert tidy(needle, "en") in text, needle


def test_clause_model_parses_levels_continuations_and_tables():
    markup = "Body text\n\n- first\n  continued\n  - sub\n    - subsub\n| A | B |\n|---|---|\n| 1 | 2 |\n- next\n"
    blocks = parse_blocks(markup, "en")
    assert blocks == (
        Paragraph("Body text", 0), Paragraph("first continued", 1), Paragraph("sub", 2), Paragraph("subsub", 3),
        Table(("A", "B"), (("1", "2"),)), Paragraph("next", 1),
    )


def test_straight_quotes_become_typographic_quotes():
    assert parse_blocks('- "Interruption" means the Provider\'s outage; the Parties\' records.', "en") == (
        Paragraph("\u201cInterruption\u201d means the Provider\u2019s outage; the Parties\u2019 records.", 1),)


def test_chinese_paragraphs_join_without_spaces():
    assert parse_blocks("- 甲方应当\n  在三日内通知乙方 。", "zh") == (Paragraph("甲方应当在三日内通知乙方。", 1),)


def test_optional_provisions_are_drafted_only_when_the_spec_has_them(starter):
    data = starter("en")
    for key in ("records", "reports", "review", "training"):
        data.pop(key, None)
    ids = [c.id for c in render(data).parts[0].clauses]
    assert ids == ["definitions", "definition", "notification", "standards", "process", "deadlines", "disputes"]


def test_court_and_arbitration_wording_differ(starter):
    data = starter("en")
    data["disputes"]["method"] = "court"
    data["disputes"]["court"] = {"venue": "the courts of England and Wales", "exclusive": True}
    text = render_provision_text("disputes", "en", data=data)
    assert "the courts of England and Wales, which shall have exclusive jurisdiction" in text
    assert "arbitration" not in text.lower()


def test_render_provision_text_defaults_to_the_starter_spec():
    text = render_provision_text("deadlines", "zh")
    assert text.startswith("第五条　赔偿期限\n1. ")
    assert "抵扣甲方应付的服务费" in text and "个工作日内支付给甲方" in text  # the starter settles by credit
    en = render_provision_text("notification", "en")
    assert en.startswith("2. Notification and Confirmation\n2.1 ")


def _firm_library(tmp_path: Path, name: str, body: str) -> Path:
    folder = tmp_path / "firm" / "service-interruption" / "en"
    folder.mkdir(parents=True)
    (folder / name).write_text(body, encoding="utf-8")
    return tmp_path / "firm"


def test_undeclared_variables_are_reported_with_template_file_and_line(tmp_path, starter):
    lib = _firm_library(tmp_path, "deadlines.j2",
                        "- The claim window is {{ deadlines.claim_window | duration }}.\n"
                        "- Interest accrues at {{ late_interest_rate }}.\n"
                        "- Notices go to {{ notice_address }}.\n")
    with pytest.raises(LibraryError) as err:
        render(starter("en"), library=lib)
    message = str(err.value)
    assert "2 variables" in message
    assert re.search(r"firm/service-interruption/en/deadlines\.j2:2: `late_interest_rate`", message)
    assert re.search(r"deadlines\.j2:3: `notice_address`", message)
    assert err.value.line == 2 and err.value.path.endswith("deadlines.j2")


def test_template_syntax_and_runtime_errors_name_file_and_line(tmp_path, starter):
    lib = _firm_library(tmp_path, "process.j2", "- ok\n- {% if %}broken\n")
    with pytest.raises(LibraryError) as err:
        render(starter("en"), library=lib)
    assert err.value.path.endswith("process.j2") and err.value.line == 2

    lib2 = _firm_library(tmp_path / "two", "process.j2", "- ok\n\n- {{ process.no_such_key.deeper }}\n")
    with pytest.raises(LibraryError) as err:
        render(starter("en"), library=lib2)
    assert err.value.path.endswith("process.j2") and err.value.line == 3


def test_the_sandbox_blocks_unsafe_template_code(tmp_path, starter):
    lib = _firm_library(tmp_path, "process.j2", "- {{ process.steps.append('x') }}\n")
    with pytest.raises(LibraryError, match="template error"):
        render(starter("en"), library=lib)


def test_cli_render_writes_the_file_and_says_where(samples_dir, tmp_path, capsys):
    out = tmp_path / "clauses.docx"
    assert main(["render", str(samples_dir / "sla-zh.yaml"), "-o", str(out)]) == 0
    assert out.is_file() and str(out) in capsys.readouterr().err


def test_cli_render_of_an_invalid_spec_writes_nothing_and_exits_1(write_spec, starter, tmp_path, capsys):
    data = starter("en")
    data["standards"]["service_credits"]["tiers"][0]["credit_percent"] = 150
    spec = write_spec(data)
    out = tmp_path / "never.docx"
    assert main(["render", str(spec), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "credit_percent" in err and "nothing was written" in err
    assert not out.exists()
    with pytest.raises(InvalidSpec):
        render_file(spec, out)


def test_cli_render_refuses_to_overwrite_its_input(samples_dir, tmp_path, capsys):
    spec = tmp_path / "spec.docx"
    spec.write_bytes((samples_dir / "sla-en.yaml").read_bytes())
    before = spec.read_bytes()
    assert main(["render", str(spec), "-o", str(spec), "--format", "docx"]) == 2
    assert "never overwrites its input" in capsys.readouterr().err
    assert spec.read_bytes() == before


def test_cli_render_template_error_exits_2_with_location(samples_dir, tmp_path, capsys):
    lib = _firm_library(tmp_path, "disputes.j2", "- {{ arbitration_fee_schedule }}\n")
    assert main(["render", str(samples_dir / "sla-en.yaml"), "-o", str(tmp_path / "x.md"),
                 "--library", str(lib)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"error: .*disputes\.j2:1: ", err) and "arbitration_fee_schedule" in err
    assert "Traceback" not in err
    assert not (tmp_path / "x.md").exists()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_render_provision_text_works_for_every_provision(lang):
    from clausegen.library import load_library

    for number, prov in enumerate(load_library().family().provisions, 1):
        text = render_provision_text(prov.id, lang)
        first, second = text.splitlines()[:2]
        assert first.endswith(prov.title[lang])
        assert second.startswith("1. " if lang == "zh" else f"{number}.1 ")


def test_unknown_provision_is_a_library_error():
    with pytest.raises(LibraryError, match="no provision 'warranty'"):
        render_provision_text("warranty", "en")


def test_without_a_document_date_the_date_comes_from_source_date_epoch(starter, monkeypatch):
    data = starter("en")
    data.get("document", {}).pop("date", None)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    assert render(data).meta["date"].isoformat().startswith("2026-01-01")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert render(data).meta["date"].year == 2000  # fixed, never the clock


def test_html_and_markdown_escape_text_from_the_spec(starter):
    from clausegen.render import write

    data = starter("en")
    data["parties"]["provider"]["name"] = "<script>alert(1)</script> A|B Ltd"
    document = render(data)
    html = write(document, "html").decode()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; A|B Ltd" in html
    md = write(document, "md").decode()
    assert "<script>" not in md and "&lt;script&gt;alert(1)&lt;/script&gt; A|B Ltd" in md


@pytest.mark.parametrize("lang, term", [("en", "Service Credit"), ("zh", "服务费抵扣")])
def test_the_service_credit_term_appears_only_when_service_credits_are_chosen(starter, lang, term):
    from clausegen.render.text import write_text

    data = starter(lang)
    data["document"]["title"] = "Schedule" if lang == "en" else "附件"
    data["standards"]["methods"] = ["per_hour"]
    data["standards"].pop("service_credits", None)
    data["standards"]["per_hour"] = {"amount": {"amount": 500, "currency": "CNY"}, "rounding": "full_hour"}
    assert term not in write_text(render(data)).decode()
    assert term in write_text(render(starter(lang))).decode()


def test_markdown_sub_items_are_not_code_blocks(tmp_path, samples_dir):
    """Four leading spaces after a blank line make a CommonMark code block; sub-items must not."""
    from clausegen.render import render_file

    out = render_file(samples_dir / "sla-en.yaml", tmp_path / "c.md")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert not [ln for ln in lines if ln.startswith("    ")]
    assert any(ln.startswith("**(a)** ") for ln in lines)
