"""clausegen extract: a spec read back from a contract, validated and rendered."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from clausegen.cli import main
from clausegen.render import render_provision_text
from clausegen.spec import starter_data

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "contracts"
REPO = Path(__file__).resolve().parent.parent


def fill_in(extracted: dict, starter: dict) -> dict:
    """Return `extracted` with what it lacks taken from `starter` (the lawyer filling the placeholders)."""
    out = dict(starter)
    for key, value in extracted.items():
        out[key] = fill_in(value, starter[key]) if isinstance(value, dict) and isinstance(starter.get(key), dict) else value
    return out


def test_extract_fills_what_the_contract_states_and_comments_the_rest(tmp_path, capsys):
    out = tmp_path / "spec.yaml"
    assert main(["extract", str(SAMPLES / "cloud-service-agreement-zh.txt"), "-o", str(out)]) == 0
    assert "6 of 12 fields read from the contract" in capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["language"] == "zh"
    assert data["parties"]["customer"]["name"] == "杭州青禾电子商务有限公司"
    assert data["parties"]["provider"]["name"] == "苏州云启数据科技有限公司"
    assert data["service"]["availability_target"] == 99.9
    assert data["standards"]["service_credits"]["tiers"] == [
        {"below": 99.9, "at_least": 99, "credit_percent": 10}, {"below": 99, "credit_percent": 25}]
    assert data["standards"]["cap"]["percent"] == 50
    assert data["disputes"]["method"] == "arbitration"
    assert "notification" not in data  # the contract says only 及时: left as a placeholder
    assert "# notification:" in text and "合同未写明" in text
    assert "availability_target: 99.9  # 取自合同 ¶5: 99.9%" in text  # each value names its source


def test_validate_lists_what_is_missing_then_render_uses_the_contracts_values(tmp_path, capsys):
    out = tmp_path / "spec.yaml"
    main(["extract", str(SAMPLES / "hosting-agreement-en.md"), "-o", str(out)])
    capsys.readouterr()
    assert main(["validate", str(out), "--format", "json"]) == 1
    problems = json.loads(capsys.readouterr().out)
    listed = json.dumps(problems)
    for missing in ("definition", "notification", "process", "disputes"):
        assert missing in listed
    extracted = yaml.safe_load(out.read_text(encoding="utf-8"))
    filled = tmp_path / "filled.yaml"
    filled.write_text(yaml.safe_dump(fill_in(extracted, starter_data("en")), allow_unicode=True), encoding="utf-8")
    assert main(["validate", str(filled)]) == 0
    data = yaml.safe_load(filled.read_text(encoding="utf-8"))
    clause = render_provision_text("deadlines", "en", data=data)
    assert "thirty (30) days" in clause  # the contract's claim window, in the firm's wording
    standards = render_provision_text("standards", "en", data=data)
    assert "30%" in standards  # the contract's cap


def test_extract_prints_to_stdout_without_output(capsys):
    assert main(["extract", str(SAMPLES / "hosting-agreement-en.md")]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["language"] == "en"


def test_extract_errors(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "missing.docx"), "-o", str(tmp_path / "s.yaml")]) == 2
    err = capsys.readouterr().err
    assert "missing.docx" in err and "Traceback" not in err
    src = tmp_path / "c.txt"
    src.write_text("服务中断。", encoding="utf-8")
    assert main(["extract", str(src), "-o", str(src)]) == 2
    assert src.read_text(encoding="utf-8") == "服务中断。"


def test_extract_on_the_dev_corpus_docx(corpus_dir, tmp_path):
    src = corpus_dir / "docx" / "zh-bitip-service-agreement.docx"
    out = tmp_path / "s.yaml"
    assert main(["extract", str(src), "-o", str(out)]) == 0
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["disputes"]["governing_law"].startswith("中华人民共和国法律")


@pytest.mark.slow
def test_bench_extract_runs(corpus_dir):
    done = subprocess.run([sys.executable, str(REPO / "bench" / "extract.py"), str(corpus_dir)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "precision" in done.stdout and "baseline" in done.stdout
