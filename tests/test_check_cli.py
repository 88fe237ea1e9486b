"""`clausegen check`: exit codes, formats, batch over folders and globs, --jobs, --annotate."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import docx
import jsonschema
import pytest
from shared_data import corpus_file, shared_file
from docx.oxml.ns import qn

from clausegen.check import batch
from clausegen.check.model import FileReport, Finding, ProvisionResult
from clausegen.cli import main
from clausegen.errors import InputError

REPO_DIR = Path(__file__).resolve().parents[1]  # wherever the checkout is (CI clones elsewhere)
SIX = ["definition", "notification", "standards", "process", "deadlines", "disputes"]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["check", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def _fake_report(path, severity: str | None) -> FileReport:
    provisions = tuple(ProvisionResult(pid, "present", 0.9) for pid in SIX)
    findings = (Finding("weak-deadlines", severity, "deadlines", "vague deadline"),) if severity else ()
    return FileReport(str(path), "en", provisions, findings, paragraphs=3)


@pytest.fixture
def fake_checker(monkeypatch):
    """Replace check_file: a file's name says what it yields (clean, warning, error, unreadable)."""

    def check_file(path, lang="auto", library=None, playbook=None):
        name = Path(path).stem
        if name.startswith("unreadable"):
            raise InputError("not a readable Word .docx file", path=str(path), hint="re-save it in Word")
        return _fake_report(path, {"clean": None, "warning": "warning", "error": "error"}[name.split("-")[0]])

    monkeypatch.setattr("clausegen.check.check_file", check_file)


def _touch(folder: Path, *names: str) -> list[Path]:
    paths = []
    for name in names:
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("text", encoding="utf-8")
        paths.append(p)
    return paths


@pytest.mark.parametrize(("names", "code"), [
    (["clean.txt"], 0),
    (["warning.txt"], 0),
    (["error.txt"], 1),
    (["clean.txt", "error-2.md"], 1),
    (["unreadable.docx"], 2),
    (["error.txt", "unreadable.docx"], 2),
], ids=["clean", "warning-only", "error-finding", "one-of-two-with-errors", "unreadable", "unreadable-among-others"])
def test_exit_codes(tmp_path, capsys, fake_checker, names, code):
    files = _touch(tmp_path, *names)
    assert run(capsys, *files)[0] == code


def test_unreadable_file_among_others_is_reported_and_named(tmp_path, capsys, fake_checker):
    files = _touch(tmp_path, "clean.txt", "unreadable.docx", "warning.txt")
    code, out, err = run(capsys, "--format", "json", *files)
    assert code == 2
    data = json.loads(out)
    assert [Path(f["path"]).name for f in data["files"]] == ["clean.txt", "warning.txt"]
    assert data["errors"][0]["path"].endswith("unreadable.docx")
    assert "error: " in err and "unreadable.docx: not a readable Word .docx file" in err
    assert "hint: re-save it in Word" in err and "Traceback" not in err


def test_only_unreadable_files_give_one_plain_error(tmp_path, capsys):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 this is not a zip")
    code, out, err = run(capsys, bad)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {bad}:") and "Traceback" not in err


@pytest.mark.parametrize(("argv", "message"), [
    (["missing.docx"], "no such file or folder"),
    (["empty"], "holds no .docx"),
    (["nothing/*.docx"], "no contract file matches"),
    (["a.txt", "--jobs", "-1"], "--jobs must be 0"),
    (["a.txt", "b.txt", "--annotate", "out.docx"], "--annotate writes one commented copy"),
    (["a.txt", "--annotate", "out.docx"], "--annotate needs a Word .docx"),
    (["w.docx", "--annotate", "nowhere/out.docx"], "folder 'nowhere' for the annotated copy does not exist"),
    (["a.txt", "--format", "yaml"], "invalid choice"),
], ids=["missing-file", "empty-folder", "glob-matches-nothing", "negative-jobs", "annotate-two-files",
        "annotate-text-file", "annotate-folder-missing", "unknown-format"])
def test_usage_errors_exit_2(tmp_path, capsys, monkeypatch, fake_checker, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    _touch(tmp_path, "a.txt", "b.txt", "w.docx")
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_expand_paths_recurses_sorts_globs_and_skips_lock_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _touch(tmp_path, "d/b.docx", "d/a.txt", "d/sub/c.pdf", "d/~$lock.docx", "d/.hidden/x.txt",
           "d/notes.csv", "e/deep/one.docx", "e/two.docx")
    names = [p.as_posix() for p in batch.expand_paths([Path("d"), Path("e/**/*.docx"), Path("d/a.txt")])]
    assert names == ["d/a.txt", "d/b.docx", "d/sub/c.pdf", "e/deep/one.docx", "e/two.docx"]


def test_progress_bar_only_on_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    class Stream(io.StringIO):
        def __init__(self, tty):
            super().__init__()
            self.tty = tty

        def isatty(self):
            return self.tty

    quiet, loud = Stream(False), Stream(True)
    for stream in (quiet, loud):
        bar = batch._Progress(3, None, stream)
        for name in ("a.docx", "b.docx", "c.docx"):
            bar.step(name)
        bar.close()
    assert quiet.getvalue() == ""
    assert "3/3 files" in loud.getvalue() and "c.docx" in loud.getvalue()
    single = Stream(True)
    batch._Progress(1, None, single).step("a.docx")
    assert single.getvalue() == ""  # one file: nothing to show progress for
    monkeypatch.setenv("CI", "true")
    ci = Stream(True)
    batch._Progress(3, None, ci).step("a.docx")
    assert ci.getvalue() == ""  # CI runners may have a pseudo-terminal; stay quiet there


# ---------------------------------------------------------------- real contracts, the real checker


def test_json_over_real_contracts_has_the_design_shape(capsys):
    files = [corpus_file("docs") / "en-commonpaper-sla.txt", corpus_file("docs") / "zh-tencent-cvm-sla-legacy.txt", corpus_file("docx") / "bonterms-mutual-nda.docx"]
    code, out, err = run(capsys, "--format", "json", *files)
    assert code in (0, 1) and err == ""  # not a terminal: no progress bar
    data = json.loads(out)
    assert data["version"] == 1
    assert [f["path"] for f in data["files"]] == [str(p) for p in files]
    assert [f["language"] for f in data["files"]] == ["en", "zh", "en"]
    for f in data["files"]:
        assert [p["id"] for p in f["provisions"]][:6] == SIX
        for p in f["provisions"]:
            assert p["status"] in ("present", "weak", "missing") and 0.0 <= p["confidence"] <= 1.0
            for e in p["evidence"]:
                assert set(e) == {"text", "paragraph", "start", "end", "location", "part", "region", "runs"} and e["text"]
                assert e["location"].startswith(("line ", "table ", "paragraph ", "page ")), e["location"]
                # the exact place: lines and columns in a text file, Word paragraphs and runs in a .docx
                assert (e["region"] is not None) == f["path"].endswith(".txt") and bool(e["runs"]) == f["path"].endswith(".docx")
        for x in f["findings"]:
            assert x["severity"] in ("error", "warning", "info")
    assert code == (1 if any(x["severity"] == "error" for f in data["files"] for x in f["findings"]) else 0)


def test_sarif_over_the_word_corpus_is_valid(capsys, monkeypatch):
    monkeypatch.chdir(REPO_DIR)
    code, out, _ = run(capsys, "--format", "sarif", Path("../shared/corpus/dev/docx"))
    schema = json.loads(shared_file("schemas", "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    log = json.loads(out)
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    artifacts = [a["location"]["uri"] for a in log["runs"][0]["artifacts"]]
    assert artifacts == sorted(f"../shared/corpus/dev/docx/{p.name}" for p in corpus_file("docx").glob("*.docx"))
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True
    results = log["runs"][0]["results"]
    assert results and all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in results)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_human_formats_name_every_file_and_provision(capsys, fmt):
    files = [corpus_file("docs") / "zh-chatopera-sla.txt", corpus_file("docs") / "en-gcforms-sla.txt"]
    code, out, _ = run(capsys, "--format", fmt, *files)
    for f in files:
        assert str(f) in out
    for pid in SIX:
        assert pid in out
    assert "赔偿期限" in out and "Compensation Deadlines" in out  # titles in each file's language
    assert "\x1b[" not in out  # captured output is not a terminal


def test_jobs_2_over_a_folder_equals_jobs_1_in_input_order(capsys):
    one = run(capsys, "--format", "json", corpus_file("docx"))
    two = run(capsys, "--format", "json", "--jobs", "2", corpus_file("docx"))
    assert one[0] == two[0] and one[1] == two[1]
    paths = [f["path"] for f in json.loads(two[1])["files"]]
    assert paths == sorted(paths) and len(paths) == len(list(corpus_file("docx").glob("*.docx")))
    assert two[2] == ""


def test_annotate_real_contract_from_the_command_line(tmp_path, capsys):
    out_docx = tmp_path / "reviewed.docx"
    code, out, err = run(capsys, "--format", "json", "--annotate", out_docx, corpus_file("docx") / "common-paper-csa-with-sla.docx")
    assert code in (0, 1)
    assert f"wrote {out_docx}" in err
    report = json.loads(out)["files"][0]
    provisions = {p["id"]: p for p in report["provisions"]}
    expected = sum(len({e["paragraph"] for e in p["evidence"]}) for p in provisions.values() if p["status"] != "missing")
    expected += sum(p["status"] == "missing" for pid, p in provisions.items() if pid in SIX)
    document = docx.Document(str(out_docx))
    comments = list(document.comments)
    assert len(comments) >= expected >= 6
    assert all(c.author == "clausegen" for c in comments)
    # Each found provision's first passage carries a comment on the Word paragraph (or table
    # cell) that holds it.
    anchored = {}
    for start in document.element.body.iter(qn("w:commentRangeStart")):
        paragraph = start.getparent()
        while paragraph.tag != qn("w:p"):
            paragraph = paragraph.getparent()
        anchored[start.get(qn("w:id"))] = "".join("".join(t.text or "" for t in paragraph.iter(qn("w:t"))).split())
    for pid, p in provisions.items():
        if p["status"] == "missing" or not p["evidence"]:
            continue
        # Word numbers list paragraphs itself: the reader's "4.2" is not in the paragraph's text
        head = re.sub(r"^[\d.]+", "", "".join(p["evidence"][0]["text"].split()))[:15]
        assert any(f"({pid})" in c.paragraphs[0].text and head in anchored[str(c.comment_id)] for c in comments), pid


def test_annotate_refuses_the_input_as_output(tmp_path, capsys):
    src = tmp_path / "contract.docx"
    src.write_bytes((corpus_file("docx") / "bonterms-mutual-nda.docx").read_bytes())
    code, out, err = run(capsys, "--annotate", src, src)
    assert code == 2 and "never overwrites its input" in err
    assert src.read_bytes() == (corpus_file("docx") / "bonterms-mutual-nda.docx").read_bytes()


def test_rule_levels_from_clausegen_toml_and_playbook(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    nda = corpus_file("docx") / "bonterms-mutual-nda.docx"  # an NDA: only its forum clause (disputes) is there
    five = SIX[:5]
    code, out, _ = run(capsys, "--format", "json", nda)
    severities = {x["rule"]: x["severity"] for x in json.loads(out)["files"][0]["findings"]}
    assert code == 1 and {severities[f"missing-{pid}"] for pid in five} == {"error"}

    (tmp_path / "clausegen.toml").write_text(
        "[rules]\n" + "".join(f'missing-{pid} = "warning"\n' for pid in SIX), encoding="utf-8")
    code, out, _ = run(capsys, "--format", "json", nda)
    severities = {x["rule"]: x["severity"] for x in json.loads(out)["files"][0]["findings"]}
    assert code == 0 and {severities[f"missing-{pid}"] for pid in five} == {"warning"}

    (tmp_path / "playbook.yml").write_text("rules:\n  missing-deadlines: error\n  missing-definition: off\n", encoding="utf-8")
    code, out, _ = run(capsys, "--format", "json", "--playbook", "playbook.yml", nda)
    severities = {x["rule"]: x["severity"] for x in json.loads(out)["files"][0]["findings"]}
    assert code == 1 and severities["missing-deadlines"] == "error" and severities["missing-process"] == "warning"
    assert "missing-definition" not in severities


def test_sarif_lines_point_at_the_evidence_in_real_text_contracts(capsys, monkeypatch):
    monkeypatch.chdir(REPO_DIR)
    rel = [Path("../shared/corpus/dev/docs") / n for n in ("en-fortrabbit-terms.txt", "zh-anjietong-baggage-delivery-agreement.txt")]
    code, out, _ = run(capsys, "--format", "sarif", *rel)
    log = json.loads(out)
    located = 0
    for result in log["runs"][0]["results"]:
        physical = result["locations"][0]["physicalLocation"]
        if "snippet" not in physical["region"]:
            assert physical["region"] == {"startLine": 1}  # a missing provision: the top
            continue
        lines = (REPO_DIR / physical["artifactLocation"]["uri"]).read_text(encoding="utf-8").splitlines()
        snippet = " ".join(physical["region"]["snippet"]["text"].split())
        assert snippet[:10] in " ".join(lines[physical["region"]["startLine"] - 1].split()), result["ruleId"]
        located += 1
    assert located >= 1


def test_jobs_2_keeps_order_and_carries_errors_from_worker_processes(tmp_path, capsys, fake_checker):
    files = _touch(tmp_path, "clean-1.txt", "unreadable-1.docx", "warning-1.txt", "error-1.md", "clean-2.txt")
    code, out, err = run(capsys, "--format", "json", "--jobs", "2", *files)
    assert code == 2
    data = json.loads(out)
    assert [Path(f["path"]).name for f in data["files"]] == ["clean-1.txt", "warning-1.txt", "error-1.md", "clean-2.txt"]
    assert data["errors"] == [{"path": str(files[1]),
                               "message": "not a readable Word .docx file (hint: re-save it in Word)"}]
    assert f"error: {files[1]}: not a readable Word .docx file\nhint: re-save it in Word" in err


def test_check_paths_is_usable_as_a_library(tmp_path, fake_checker):
    _touch(tmp_path, "b/warning.txt", "a/error.txt")
    report = batch.check_paths([tmp_path], jobs=1)
    assert [Path(f.path).parent.name for f in report.files] == ["a", "b"]  # sorted within a folder
    assert report.has_errors and report.errors == ()
    assert report.to_dict()["files"][0]["findings"][0]["severity"] == "error"


def test_a_broken_rule_file_stops_the_run_before_any_contract(tmp_path, capsys):
    rules = tmp_path / "firm" / "service-interruption" / "rules"
    rules.mkdir(parents=True)
    (rules / "deadlines.yml").write_text("kind: require\nlevel: [\n", encoding="utf-8")
    code, out, err = run(capsys, "--library", tmp_path / "firm", "--format", "json", corpus_file("docx"))
    assert code == 2 and out == ""
    assert "rules/deadlines.yml:3" in err and "Traceback" not in err


def test_check_speed_bench_prints_rates_and_ratios(tmp_path, capsys):
    import importlib.util

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("en-commonpaper-sla.txt", "zh-chatopera-sla.txt"):
        (corpus / name).symlink_to(corpus_file("docs") / name)  # a two-file corpus, linked, not copied
    spec = importlib.util.spec_from_file_location("check_speed", REPO_DIR / "bench" / "check_speed.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main([str(corpus), "--pages", "2", "--short-pages", "1", "--repeat", "1", "--docs", "8"]) == 0
    out = capsys.readouterr().out
    assert "a page = 3,000 characters" in out and "checker load" in out
    assert "× the floor" in out and "after      8 documents: peak resident memory" in out
    assert "corpus .txt                     2" in out
    for label in ("en 1 pages .txt", "en 2 pages .docx", "zh 1 pages .docx", "zh 2 pages .txt"):
        assert label in out
    assert "check / extraction on the corpus:" in out and "1-page contract (zh .txt):" in out
