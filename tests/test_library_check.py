"""`library check` on small libraries made for each test: every problem with file and line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from clausegen.cli import main
from clausegen.errors import LibraryError, UsageError
from clausegen.library.check import check_library, read_expected

MINI_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {"duration": {"type": "object", "properties": {"value": {"type": "integer"},
                                                            "unit": {"type": "string"}}}},
    "properties": {
        "language": {"type": "string"},
        "deadlines": {"type": "object", "properties": {
            "claim_window": {"$ref": "#/$defs/duration"},
            "payment_deadline": {"$ref": "#/$defs/duration"},
            "late_claims": {"type": "string"},
        }},
        "disputes": {"type": "object", "properties": {"method": {"type": "string"},
                                                      "governing_law": {"type": "string"}}},
    },
}

FAMILY_YAML = """\
id: mini
version: 1.0.0
title: {zh: 迷你, en: Mini}
spec_schema: mini.schema.json
languages: [zh, en]
provisions:
  - {id: deadlines, required: true, title: {zh: 赔偿期限, en: Deadlines}, positions: [preferred, fallback]}
  - {id: disputes, required: true, title: {zh: 争议解决, en: Disputes}}
"""

GOOD = {
    "en/deadlines.j2": "Claims within {{ deadlines.claim_window.value }} {{ deadlines.claim_window.unit }}; "
                       "paid within {{ deadlines.payment_deadline.value }}; late claims {{ deadlines.late_claims }}.\n",
    "en/deadlines.fallback.j2": "Claims within {{ deadlines.get('claim_window').value }} days.\n",
    "zh/deadlines.j2": "{{ deadlines.claim_window.value }}日内索赔。\n",
    "zh/deadlines.fallback.j2": "{{ deadlines.claim_window.value }}日内索赔。\n",
    "en/disputes.j2": "{% for m in [disputes.method] %}{{ m }}{% endfor %} under {{ disputes.governing_law }}.\n",
    "zh/disputes.j2": "{{ disputes.method }}\n",
}


def make_library(root: Path, files: dict | None = None, family_yaml: str = FAMILY_YAML) -> Path:
    fam = root / "mini"
    fam.mkdir(parents=True)
    (fam / "family.yaml").write_text(family_yaml, encoding="utf-8")
    (fam / "mini.schema.json").write_text(json.dumps(MINI_SCHEMA, indent=2), encoding="utf-8")
    for name, text in (GOOD if files is None else files).items():
        path = fam / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return fam


def mini_problems(root: Path, **kw):
    """Return the problems in the test's own family (the built-in family is checked elsewhere)."""
    return check_library(root, families=["mini"], **kw)


def codes(problems):
    return sorted({p.code for p in problems if p.severity == "error"})


def test_a_clean_library_has_no_problems(tmp_path):
    make_library(tmp_path)
    assert mini_problems(tmp_path) == []


def test_template_syntax_error_names_file_and_line(tmp_path):
    make_library(tmp_path, {**GOOD, "en/disputes.j2": "line one\n{% if disputes.method %}\nno endif\n"})
    [p] = [p for p in mini_problems(tmp_path) if p.code == "template-syntax"]
    assert p.file.endswith("mini/en/disputes.j2")
    assert p.line == 3 and "endif" in p.message


def test_unknown_filter_is_a_compile_error(tmp_path):
    make_library(tmp_path, {**GOOD, "zh/disputes.j2": "\n{{ disputes.method | shout }}\n"})
    [p] = [p for p in mini_problems(tmp_path) if p.code == "template-syntax"]
    assert p.line == 2 and "shout" in p.message


def test_template_variable_not_in_schema_is_an_error_with_did_you_mean(tmp_path):
    make_library(tmp_path, {**GOOD, "en/deadlines.j2": "x\n{{ deadlines.claim_windw.value }}\n{{ deadlines.claim_window.value }}"
                                                        "{{ deadlines.payment_deadline.value }}{{ deadlines.late_claims }}\n"})
    [p] = [p for p in mini_problems(tmp_path) if p.code == "template-variable"]
    assert p.file.endswith("en/deadlines.j2") and p.line == 2
    assert "deadlines.claim_windw" in p.message
    assert p.hint == "did you mean `deadlines.claim_window`?"


def test_nested_unknown_key_and_unknown_section(tmp_path):
    make_library(tmp_path, {**GOOD, "zh/deadlines.j2": "{{ deadlines.claim_window.valu }}\n{{ deadlnes.x }}\n"})
    problems = [p for p in mini_problems(tmp_path) if p.code == "template-variable"]
    messages = sorted(p.message for p in problems)
    assert len(problems) == 2
    assert "`deadlines.claim_window.valu`" in messages[0]
    assert "`deadlnes` is neither a spec section" in messages[1]


def test_schema_field_no_template_uses_is_a_warning(tmp_path):
    files = {**GOOD, "en/deadlines.j2": "{{ deadlines.claim_window.value }}\n"}
    files["en/disputes.j2"] = "{{ disputes.method }}\n"
    make_library(tmp_path, files)
    unused = [p for p in mini_problems(tmp_path) if p.code == "unused-field"]
    assert sorted(p.pointer for p in unused) == ["deadlines.late_claims", "deadlines.payment_deadline",
                                                 "disputes.governing_law"]
    assert all(p.severity == "warning" and p.file.endswith("mini.schema.json") and p.line for p in unused)


def test_required_provision_missing_a_language_is_an_error_at_its_family_entry(tmp_path):
    files = dict(GOOD)
    del files["zh/disputes.j2"]
    make_library(tmp_path, files)
    [p] = [p for p in mini_problems(tmp_path) if p.code == "missing-template"]
    assert p.severity == "error" and p.file.endswith("mini/family.yaml") and p.line == 8
    assert "'disputes' has no zh template" in p.message


def test_listed_position_without_its_file_and_unlisted_position_file(tmp_path):
    files = dict(GOOD)
    del files["zh/deadlines.fallback.j2"]
    files["en/disputes.provider.j2"] = "{{ disputes.method }}\n"
    make_library(tmp_path, files)
    problems = mini_problems(tmp_path)
    [missing] = [p for p in problems if p.code == "missing-position"]
    assert missing.line == 7 and "zh/deadlines.fallback.j2" in missing.message
    [undeclared] = [p for p in problems if p.code == "undeclared-position"]
    assert undeclared.severity == "warning" and undeclared.file.endswith("en/disputes.provider.j2")


def test_broken_family_yaml_makes_the_library_unusable(tmp_path):
    make_library(tmp_path, family_yaml="id: mini\nprovisions: []\n")
    with pytest.raises(LibraryError):
        check_library(tmp_path)


def test_cli_exit_codes_0_1_2(tmp_path, capsys):
    make_library(tmp_path / "good")
    make_library(tmp_path / "bad", {**GOOD, "en/disputes.j2": "{% if %}\n"})
    assert main(["library", "check", "--library", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["library", "check", "--library", str(tmp_path / "bad")]) == 1
    out = capsys.readouterr().out
    assert "bad/mini/en/disputes.j2:1: template syntax error" in out


def test_family_tests_report_a_unified_diff(tmp_path):
    make_library(tmp_path)
    tests = tmp_path / "mini" / "tests"
    tests.mkdir()
    (tests / "case.expected.md").write_text("# sample\n\n## deadlines en\nClaims within 45 days.\n", encoding="utf-8")
    assert read_expected(tests / "case.expected.md") == [("deadlines", "en", "Claims within 45 days.", 4)]


def git(cwd, *args):
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True)


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "lib"
    make_library(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "init", "--allow-empty")
    git(root, "add", ".")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "library")
    return root


def test_since_reports_a_changed_template_without_a_version_raise(repo):
    (repo / "mini" / "en" / "disputes.j2").write_text("{{ disputes.method }} ({{ disputes.governing_law }})\n")
    [p] = [p for p in mini_problems(repo, since="HEAD") if p.code == "version-not-raised"]
    assert p.file.endswith("mini/family.yaml") and p.line == 2
    assert "en/disputes.j2 changed since HEAD" in p.message and "still 1.0.0" in p.message
    family = repo / "mini" / "family.yaml"
    family.write_text(family.read_text().replace("1.0.0", "1.0.1"))
    assert [p for p in mini_problems(repo, since="HEAD") if p.code == "version-not-raised"] == []
    family.write_text(family.read_text().replace("1.0.1", "0.9.0"))
    [p] = [p for p in mini_problems(repo, since="HEAD") if p.code == "version-not-raised"]
    assert "lower than 1.0.0" in p.message


def test_since_with_no_change_and_with_a_bad_revision(repo):
    assert mini_problems(repo, since="HEAD") == []
    with pytest.raises(UsageError, match="no such git revision"):
        check_library(repo, since="no-such-branch")


def test_since_outside_a_git_repository_is_a_usage_error(tmp_path):
    make_library(tmp_path)
    with pytest.raises(UsageError, match="git repository"):
        check_library(tmp_path, since="HEAD")


RULE = """\
kind: require
level: error
provision: deadlines
scope: sentence
message: {zh: 缺少索赔期限, en: No claim window}
description: A claim window with a number of days.
patterns:
  en: ['claims? within \\d+']
  zh: ['\\d+日内索赔']
examples:
  pass: {en: ["Claims within 30 days."], zh: ["30日内索赔。"]}
  fail: {en: ["The weather is fine."], zh: ["天气很好。"]}
"""


def add_rule(root: Path, name: str, text: str) -> Path:
    path = root / "mini" / "rules" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


DISPUTES_RULE = """\
kind: require
level: error
provision: disputes
scope: sentence
message: {zh: 缺少争议解决, en: No dispute resolution}
description: Arbitration or a court.
patterns:
  en: [arbitration, court]
  zh: [仲裁, 法院]
examples:
  pass: {en: ["Disputes go to arbitration."], zh: ["争议提交仲裁。"]}
  fail: {en: ["The weather is fine."], zh: ["天气很好。"]}
"""


def test_a_good_rule_passes_its_examples(tmp_path):
    make_library(tmp_path, {**GOOD, "zh/disputes.j2": "{{ disputes.method }}仲裁\n"})
    add_rule(tmp_path, "deadlines-window.yml", RULE)
    add_rule(tmp_path, "disputes-forum.yml", DISPUTES_RULE)
    assert [p for p in mini_problems(tmp_path) if p.severity == "error"] == []


def test_rule_failing_the_schema_names_file_and_line(tmp_path):
    make_library(tmp_path)
    add_rule(tmp_path, "bad.yml", RULE.replace("scope: sentence", "scope: chapter"))
    [p] = [p for p in mini_problems(tmp_path) if p.code == "rule-schema"]
    assert p.file.endswith("rules/bad.yml") and p.line == 4 and "chapter" in p.message


def test_rule_with_an_invalid_spacy_pattern(tmp_path):
    make_library(tmp_path)
    add_rule(tmp_path, "tokens.yml", RULE.replace("  en: ['claims? within \\d+']",
                                                  "  en:\n    - [{LOWER: claims}, {LIKE_NUMBER: true}]"))
    [p] = [p for p in mini_problems(tmp_path) if p.code == "rule-pattern"]
    assert p.file.endswith("rules/tokens.yml") and p.line == 9
    assert "LIKE_NUMBER" in p.message


def test_rule_with_a_bad_regular_expression(tmp_path):
    make_library(tmp_path)
    add_rule(tmp_path, "regex.yml", RULE.replace("claims? within", "claims? (within"))
    [p] = [p for p in mini_problems(tmp_path) if p.code == "rule-pattern"]
    assert "regular expression" in p.message and p.line == 8


def test_rule_failing_its_own_examples(tmp_path):
    make_library(tmp_path)
    add_rule(tmp_path, "deadlines-window.yml",
             RULE.replace('pass: {en: ["Claims within 30 days."]', 'pass: {en: ["Claims are due promptly."]')
                 .replace('fail: {en: ["The weather is fine."]', 'fail: {en: ["Claim within 9 days."]'))
    problems = sorted((p for p in mini_problems(tmp_path) if p.code == "rule-example"), key=lambda p: p.line)
    assert [(p.line, p.pointer) for p in problems] == [(11, "examples.pass.en[0]"), (12, "examples.fail.en[0]")]
    assert "is not recognised" in problems[0].message and "is recognised" in problems[1].message


def test_default_clause_not_recognised_by_the_family_rules(tmp_path):
    make_library(tmp_path, {**GOOD, "en/deadlines.j2": "Deadlines apply.{{ deadlines.claim_window.value }}"
                                                       "{{ deadlines.payment_deadline.value }}{{ deadlines.late_claims }}\n"})
    add_rule(tmp_path, "deadlines-window.yml", RULE)
    [p] = [p for p in mini_problems(tmp_path) if p.code == "default-clause"]
    assert p.file.endswith("mini/en/deadlines.j2") and "default en clause for 'deadlines' is missing" in p.message


def test_a_family_yaml_with_several_schema_problems_lists_them_all(tmp_path, capsys):
    make_library(tmp_path, family_yaml=FAMILY_YAML.replace("version: 1.0.0", "version: one")
                 .replace("languages: [zh, en]", "languages: [zh, fr]"))
    assert main(["library", "check", "--library", str(tmp_path), "--family", "mini"]) == 2
    err = capsys.readouterr().err
    assert "mini/family.yaml:2:1: version: 'one' does not match" in err
    assert "mini/family.yaml:5:" in err and "'fr' is not one of" in err


def test_library_without_an_action_prints_its_own_usage(capsys):
    assert main(["library"]) == 2
    assert capsys.readouterr().err.startswith("usage: clausegen library")


def test_the_builtin_library_agrees_with_itself():
    """Every template compiles and fits the spec schema, every rule passes its examples, and the
    rules recognise every default clause (both positions, both languages)."""
    problems = check_library(None)
    assert [p.format() for p in problems if p.severity == "error"] == []
