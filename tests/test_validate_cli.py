"""Tests for `clausegen validate`: exit codes 0/1/2, the one-line format, json, light imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from clausegen.cli import main

SAMPLES = ["sla-en.yaml", "sla-zh.yaml", "sla-bilingual.yaml"]


def run(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_samples_exit_0(capsys, samples_dir):
    code, out, err = run(capsys, "validate", *(samples_dir / s for s in SAMPLES))
    assert code == 0, out + err
    assert out.strip() == "3 spec(s) valid"


def test_invalid_spec_exits_1_with_every_problem(capsys, samples_dir, tmp_path):
    text = (samples_dir / "sla-en.yaml").read_text(encoding="utf-8")
    text = text.replace("availability_target: 99.9 ", "availability_target: '99.9%' ")
    text = text.replace("credit_percent: 25}", "credit_percent: 150}")
    text = text.replace("measurement_period: month", "measurment_period: month")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "validate", bad, samples_dir / "sla-zh.yaml")
    assert code == 1
    assert err == ""
    assert "service.availability_target: '99.9%' is not a number" in out
    assert "hint: write the number without quotes or a % sign: 99.9" in out
    assert "service.measurment_period: unknown key 'measurment_period'" in out
    assert "hint: did you mean 'measurement_period'?" in out
    assert "standards.service_credits.tiers[1].credit_percent: 150 is more than 100" in out
    for line in out.splitlines():
        if line.startswith(str(bad)):
            file, lineno, col, rest = line.split(":", 3)
            assert lineno.isdigit() and col.isdigit() and rest.startswith(" ")
    assert out.rstrip().endswith("warning(s)")


def test_warnings_alone_exit_0(capsys, write_spec, starter):
    data = starter("en")
    data["standards"]["methods"] = ["service_credits"]
    code, out, _ = run(capsys, "validate", write_spec(data))
    assert code == 0
    assert "warning: standards.free_service_time" in out


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"language: \xff\n", "not valid UTF-8"),
], ids=["missing", "not-utf8"])
def test_unreadable_spec_exits_2(capsys, tmp_path, samples_dir, content, message):
    path = tmp_path / "s.yaml"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, "validate", samples_dir / "sla-en.yaml", path)
    assert code == 2
    assert message in out
    assert "Traceback" not in out + err


@pytest.mark.parametrize("content, message", [
    ("a: 1\na: 2\n", "duplicate key 'a'"),
    ("a: [1,\n", "not valid YAML"),
    ("", "the file is empty"),
    ("x: !!python/object/apply:os.system [ls]\n", "is not allowed"),
], ids=["duplicate", "syntax", "empty", "unsafe"])
def test_spec_read_but_not_usable_yaml_is_invalid_and_exits_1(capsys, tmp_path, samples_dir, content, message):
    """The design's contract: 1 for an invalid spec (the file was read, its content is wrong)."""
    path = tmp_path / "s.yaml"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "validate", samples_dir / "sla-en.yaml", path)
    assert code == 1
    assert message in out
    assert f"{path}:" in out
    assert "Traceback" not in out + err
    code, _, err = run(capsys, "render", path, "-o", tmp_path / "out.docx")
    assert code == 1 and message in err
    assert not (tmp_path / "out.docx").exists()


def test_folder_exits_2(capsys, tmp_path):
    code, out, _ = run(capsys, "validate", tmp_path)
    assert code == 2 and "is a folder" in out


def test_usage_error_exits_2(capsys):
    code, _, err = run(capsys, "validate")
    assert code == 2 and "SPEC" in err


def test_json_format_lists_the_same_problems(capsys, write_spec, starter, tmp_path):
    data = starter("zh")
    data["standards"]["chronic_failure"]["missed_periods"] = 5
    bad = write_spec(data)
    code, out, _ = run(capsys, "validate", "--format", "json", bad, tmp_path / "missing.yaml")
    assert code == 2
    doc = json.loads(out)
    assert doc["version"] == 1
    by_code = {p["code"]: p for p in doc["problems"]}
    chronic = by_code["chronic-failure"]
    assert chronic["pointer"] == "standards.chronic_failure.missed_periods"
    assert chronic["file"] == str(bad) and chronic["line"] > 1 and chronic["col"] > 1
    assert by_code["unreadable"]["message"] == "no such file"


def test_json_format_valid_is_empty_list(capsys, samples_dir):
    code, out, _ = run(capsys, "validate", "--format", "json", samples_dir / "sla-zh.yaml")
    assert code == 0 and json.loads(out)["problems"] == []


def _subprocess(code: str, cwd):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_help_and_validate_do_not_import_spacy_or_docx(repo_root):
    code = (
        "import sys, io, contextlib\n"
        "from clausegen.cli import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):\n"
        "    main(['--help'])\n"
        "    rc = main(['validate', 'samples/sla-zh.yaml', 'samples/sla-bilingual.yaml'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'docx', 'pypdf', 'jieba', 'thinc'))\n"
        "print(rc, heavy)\n"
    )
    result = _subprocess(code, repo_root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 []"


def test_python_m_clausegen_validates(repo_root):
    result = subprocess.run([sys.executable, "-m", "clausegen", "validate", "samples/sla-en.yaml"],
                            capture_output=True, text=True, cwd=repo_root, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "1 spec(s) valid" in result.stdout


def test_text_output_quotes_the_offending_line_with_a_marker(capsys, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("language: zh\nparties:\n  provider: {名称: 甲, nme: 云帆}\n", encoding="utf-8")
    code, out, _ = run(capsys, "validate", "--lang", "en", path)
    assert code == 1
    lines = out.splitlines()
    i = lines.index(f"{path}:3:21: parties.provider.nme: unknown key 'nme'")
    assert lines[i + 1] == "    3 |   provider: {名称: 甲, nme: 云帆}"
    # the marker sits under the key, counting each Chinese character as two columns
    assert lines[i + 2] == "      | " + " " * 23 + "^"
    assert lines[i + 3] == "  hint: did you mean 'name'?"


def test_a_value_cut_short_by_a_hash_is_a_warning_with_the_fix(capsys, tmp_path, samples_dir):
    text = (samples_dir / "sla-en.yaml").read_text(encoding="utf-8")
    text = text.replace("address: 12 Harbour Street, Dublin 2, Ireland", "address: 10 Marina Boulevard, #22-01")
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "validate", path)
    assert code == 0  # a warning: the spec is valid, but the address lost "#22-01"
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "#22-01" in ln)
    assert (f"{path}:{line}:14: warning: parties.provider.address: '#22-01' and the rest of the line are read as a "
            "YAML comment, so the value is only '10 Marina Boulevard,'") in out
    assert '  hint: put the whole value in quotes: address: "10 Marina Boulevard, #22-01"' in out


def test_comments_after_padding_are_not_mistaken_for_cut_values(capsys, samples_dir):
    # The samples comment their values ("99.9       # percent"): no warning for those.
    code, out, _ = run(capsys, "validate", *(samples_dir / s for s in SAMPLES))
    assert code == 0 and "warning" not in out


def test_render_in_the_other_language_warns_for_every_text_without_a_version(capsys, samples_dir, tmp_path):
    code, _, err = run(capsys, "render", samples_dir / "sla-zh.yaml", "--lang", "en", "-o", tmp_path / "en.txt")
    assert code == 0
    assert "warning: parties.provider.name: 没有英文文本：中文的 '杭州之云计算技术有限公司' 将出现在英文条款中" in err
    assert "warning: disputes.governing_law:" in err
    assert "parties.provider.role" not in err  # roles are worded by clausegen itself (Provider)
    code, _, err = run(capsys, "render", samples_dir / "sla-en.yaml", "-o", tmp_path / "en2.txt")
    assert code == 0 and "warning" not in err
