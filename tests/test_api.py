"""The public Python API (docs/api.md): clausegen.validate / render / check, and the --library options."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import docx
import pytest
import yaml
from shared_data import corpus_file

import clausegen
from clausegen.check.model import FileReport, Report
from clausegen.cli import main
from clausegen.errors import InvalidSpec, Problem, SpecError

REPO = Path(__file__).resolve().parent.parent
SAMPLE_EN = REPO / "samples" / "sla-en.yaml"
FIRM = REPO / "samples" / "firm-library" / "clauses"


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_api_works_in_a_fresh_process_before_and_after_its_subpackages_are_imported() -> None:
    code = (
        "import clausegen, sys\n"
        "assert not any(m.split('.')[0] in ('spacy', 'docx', 'pypdf') for m in sys.modules), 'import is heavy'\n"
        f"assert clausegen.validate({str(SAMPLE_EN)!r}) == []\n"
        f"first = clausegen.render({str(SAMPLE_EN)!r}, format='txt')\n"
        "import clausegen.render, clausegen.check\n"
        "assert clausegen.render.render_file and clausegen.check.check_file  # the packages\n"
        f"assert clausegen.render({str(SAMPLE_EN)!r}, format='txt') == first  # still the function\n"
        "from clausegen import render\n"
        "assert render is clausegen.render and render.write  # one object, whichever way it is imported\n"
        "report = clausegen.check(first, name='clauses.txt')\n"
        "print(report.path, sorted({p.status for p in report.provisions if p.required}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "clauses.txt ['present']"


def test_validate_takes_a_path_text_or_data_and_returns_problems_with_places() -> None:
    assert clausegen.validate(SAMPLE_EN) == [] and clausegen.validate(str(SAMPLE_EN)) == []
    text = SAMPLE_EN.read_text(encoding="utf-8").replace("availability_target: 99.9", "availability_target: 150")
    problems = clausegen.validate(text)
    assert problems and all(isinstance(p, Problem) for p in problems)
    bad = next(p for p in problems if p.pointer == "service.availability_target")
    assert bad.file == "<text>" and bad.line == _line_of(text, "availability_target: 150")
    data = yaml.safe_load(text)
    assert "service.availability_target" in {p.pointer for p in clausegen.validate(data)}
    assert [p.code for p in clausegen.validate("language: en\nlanguage: zh\n")] == ["yaml"]  # duplicate key


def test_validate_raises_for_a_spec_file_it_cannot_read(tmp_path) -> None:
    with pytest.raises(SpecError):
        clausegen.validate(tmp_path / "missing.yaml")


def test_render_returns_the_document_bytes_the_cli_writes(tmp_path) -> None:
    data = clausegen.render(SAMPLE_EN, format="docx")
    assert main(["render", str(SAMPLE_EN), "-o", str(tmp_path / "cli.docx")]) == 0
    assert data == (tmp_path / "cli.docx").read_bytes()
    headings = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.style.name.startswith("Heading")]
    assert any("Dispute" in h for h in headings)
    assert clausegen.render(SAMPLE_EN, format="md", lang="zh").decode().count("第") >= 6


def test_render_refuses_an_invalid_spec_with_every_problem() -> None:
    data = yaml.safe_load(SAMPLE_EN.read_text(encoding="utf-8"))
    data["service"]["availability_target"] = 150
    data["nonsense"] = 1
    with pytest.raises(InvalidSpec) as caught:
        clausegen.render(data, format="md")
    assert {"service.availability_target", "nonsense"} <= {p.pointer for p in caught.value.problems}


def test_check_returns_the_report_the_cli_prints(capsys) -> None:
    path = corpus_file("docx", "common-paper-csa-with-sla.docx")
    report = clausegen.check(path)
    assert isinstance(report, FileReport)
    main(["check", "--format", "json", str(path)])
    printed = json.loads(capsys.readouterr().out)
    assert json.loads(json.dumps(Report(files=(report,)).to_dict())) == printed


def test_check_of_bytes_reads_them_as_the_named_format() -> None:
    path = corpus_file("docx", "common-paper-csa-with-sla.docx")
    from_path = clausegen.check(path)
    named = clausegen.check(path.read_bytes(), name="contract.docx")
    sniffed = clausegen.check(path.read_bytes())
    assert named.path == "contract.docx" and sniffed.path == "<bytes>.docx"
    statuses = [(p.id, p.status) for p in from_path.provisions]
    assert [(p.id, p.status) for p in named.provisions] == statuses == [(p.id, p.status) for p in sniffed.provisions]


def _firm_library(tmp_path: Path, family: str = "hosting-sla") -> Path:
    """Return a firm library with one family of its own, `family`, copied from the built-in one's metadata."""
    from clausegen.resources import builtin_library_dir

    lib = tmp_path / "lib"
    folder = lib / family
    folder.mkdir(parents=True)
    meta = yaml.safe_load((builtin_library_dir() / "service-interruption" / "family.yaml").read_text(encoding="utf-8"))
    meta["id"] = family
    (folder / "family.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    for sub in ("zh", "en"):
        src = builtin_library_dir() / "service-interruption" / sub
        (folder / sub).mkdir()
        for template in src.glob("*.j2"):
            (folder / sub / template.name).write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    return lib


def test_validate_library_checks_the_spec_family_against_that_library(tmp_path, capsys) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SAMPLE_EN.read_text(encoding="utf-8").replace("family: service-interruption",
                                                                   "family: hosting-sla"), encoding="utf-8")
    assert "family: hosting-sla" in spec.read_text(encoding="utf-8")
    assert main(["validate", "--library", str(FIRM.parent / "clauses"), str(spec)]) == 1
    out = capsys.readouterr().out
    assert "family: clause family 'hosting-sla' is not in the library" in out and "service-interruption" in out
    assert main(["validate", "--library", str(_firm_library(tmp_path)), str(spec)]) == 0
    assert main(["validate", "--library", str(FIRM), str(SAMPLE_EN)]) == 0
    problems = clausegen.validate(spec, library=FIRM)
    assert [(p.code, p.line) for p in problems] == [("unknown-family", _line_of(spec.read_text(), "family:"))]


def test_new_library_starts_from_the_library_family_and_its_starter(tmp_path, capsys) -> None:
    lib = _firm_library(tmp_path)
    assert main(["new", "--lang", "en", "--library", str(lib)]) == 0
    data = yaml.safe_load(capsys.readouterr().out)
    assert data["family"] == "hosting-sla"
    from clausegen.resources import builtin_library_dir

    starter = (builtin_library_dir() / "service-interruption" / "starter.yaml").read_text(encoding="utf-8")
    (lib / "hosting-sla" / "starter.yaml").write_text(
        starter.replace("Northwind Cloud Services Ltd.", "Harbour Hosting Ltd."), encoding="utf-8")
    assert main(["new", "--lang", "en", "--library", str(lib)]) == 0
    text = capsys.readouterr().out
    assert yaml.safe_load(text)["parties"]["provider"]["name"] == "Harbour Hosting Ltd."
    spec = tmp_path / "new.yaml"
    spec.write_text(text, encoding="utf-8")
    assert main(["validate", "--library", str(lib), str(spec)]) == 0
    assert main(["render", "--library", str(lib), str(spec), "-o", str(tmp_path / "new.md")]) == 0
    assert "Harbour Hosting Ltd." in (tmp_path / "new.md").read_text(encoding="utf-8")


def test_check_applies_a_playbook_by_finding_id_as_the_cli_does(tmp_path) -> None:
    text = b"This Agreement may be signed in counterparts.\n"
    plain = clausegen.check(text, name="nda.txt", lang="en")
    assert {"missing-disputes", "missing-deadlines"} <= {f.rule for f in plain.findings}
    book = tmp_path / "playbook.yaml"
    book.write_text("rules:\n  missing-disputes: off\n  missing-deadlines: warning\n", encoding="utf-8")
    changed = clausegen.check(text, name="nda.txt", lang="en", playbook=book)
    levels = {f.rule: f.severity for f in changed.findings}
    assert "missing-disputes" not in levels and levels["missing-deadlines"] == "warning"
