"""Tests for clausegen.yamlsource: positions, duplicate keys, unsafe tags, aliases, size, encoding."""

from __future__ import annotations

import pytest

from clausegen.errors import SpecError
from clausegen.yamlsource import MAX_NODES, load_yaml_file, load_yaml_text


def test_marks_give_line_and_column_of_keys_and_items():
    doc = load_yaml_text("a:\n  b: 1\n  c:\n    - x\n    - {d: 2}\n", "t.yaml")
    assert doc.data == {"a": {"b": 1, "c": ["x", {"d": 2}]}}
    assert doc.marks[("a",)] == (1, 1)
    assert doc.marks[("a", "b")] == (2, 3)
    assert doc.marks[("a", "c", 1)] == (5, 7)
    assert doc.marks[("a", "c", 1, "d")] == (5, 8)
    assert doc.mark(("a", "c", 1, "d", "missing")) == (5, 8)


def test_sample_marks_point_at_the_credit(samples_dir):
    doc = load_yaml_file(samples_dir / "sla-en.yaml")
    line, col = doc.marks[("standards", "service_credits", "tiers", 1, "credit_percent")]
    text = doc.text.splitlines()[line - 1]
    assert text[col - 1:].startswith("credit_percent: 25")


@pytest.mark.parametrize("text, line", [
    ("a: 1\na: 2\n", 2),
    ("top:\n  mid:\n    k: 1\n    k: 2\n", 4),
    ("list:\n  - {x: 1, x: 2}\n", 2),
    ("a:\n  - b:\n      c: 1\n      d: 2\n      c: 3\n", 5),
], ids=["top", "nested", "flow-in-list", "deep"])
def test_validate_rejects_duplicate_keys(text, line):
    with pytest.raises(SpecError, match="duplicate key") as info:
        load_yaml_text(text, "t.yaml")
    assert info.value.line == line
    assert "keeps only the last" in info.value.hint


@pytest.mark.parametrize("text", [
    "a: !!python/object/apply:os.system ['echo hi']\n",
    "a: !!python/name:os.system\n",
    "!!python/object:collections.OrderedDict {}\n",
    "a: !custom 1\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!set {x, y}\n",
], ids=["apply", "name", "object-root", "custom", "binary", "set"])
def test_unsafe_and_unknown_tags_are_rejected(text):
    with pytest.raises(SpecError, match="is not allowed"):
        load_yaml_text(text, "t.yaml")


def test_alias_bomb_is_bounded():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    with pytest.raises(SpecError, match=f"more than {MAX_NODES}") as info:
        load_yaml_text("\n".join(lines) + "\n", "bomb.yaml")
    assert "aliases" in info.value.hint


def test_recursive_alias_is_rejected():
    with pytest.raises(SpecError, match="recursive"):
        load_yaml_text("a: &x\n  b: *x\n", "t.yaml")


def test_small_aliases_and_merge_keys_still_work():
    doc = load_yaml_text("base: &b {value: 1, unit: days}\nx: *b\ny:\n  <<: *b\n  unit: hours\n", "t")
    assert doc.data["x"] == {"value": 1, "unit": "days"}
    assert doc.data["y"] == {"value": 1, "unit": "hours"}


def test_size_limit_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 2000 + "\n", encoding="utf-8")
    monkeypatch.setenv("CLAUSEGEN_MAX_SPEC_BYTES", "1000")
    with pytest.raises(SpecError, match="limited to 1000 bytes"):
        load_yaml_file(path)
    monkeypatch.setenv("CLAUSEGEN_MAX_SPEC_BYTES", "100000")
    assert load_yaml_file(path).data["a"].startswith("xx")


def test_bad_size_setting_is_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "s.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    monkeypatch.setenv("CLAUSEGEN_MAX_SPEC_BYTES", "lots")
    with pytest.raises(SpecError, match="not a whole number"):
        load_yaml_file(path)


def test_invalid_utf8_reports_its_position(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes("a: 1\nname: ".encode() + "服务".encode("gbk") + b"\n")
    with pytest.raises(SpecError, match="not valid UTF-8") as info:
        load_yaml_file(path)
    assert (info.value.line, info.value.col) == (2, 7)
    assert "UTF-8" in info.value.hint


def test_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbflanguage: zh\n")
    assert load_yaml_file(path).data == {"language": "zh"}


def test_tab_indentation_is_a_clear_error():
    with pytest.raises(SpecError, match="tab character") as info:
        load_yaml_text("a:\n\tb: 1\n", "t.yaml")
    assert info.value.line == 2
    assert "spaces" in info.value.hint


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n"], ids=["empty", "blank", "comment"])
def test_empty_file_is_a_clear_error(text):
    with pytest.raises(SpecError, match="the file is empty") as info:
        load_yaml_text(text, "t.yaml")
    assert "clausegen new" in info.value.hint


@pytest.mark.parametrize("text, what", [("- a\n- b\n", "a list"), ("just text\n", "the value 'just text'"),
                                        ("42\n", "the value 42")])
def test_top_level_must_be_a_mapping(text, what):
    with pytest.raises(SpecError, match=f"top level is {what}"):
        load_yaml_text(text, "t.yaml")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(SpecError, match="no such file"):
        load_yaml_file(tmp_path / "nope.yaml")
    with pytest.raises(SpecError, match="is a folder"):
        load_yaml_file(tmp_path)


def test_syntax_error_has_position():
    with pytest.raises(SpecError, match="not valid YAML") as info:
        load_yaml_text("a: [1, 2\nb: 3\n", "t.yaml")
    assert info.value.line is not None and info.value.col is not None


def test_two_documents_are_rejected():
    with pytest.raises(SpecError, match="more than one YAML document"):
        load_yaml_text("a: 1\n---\nb: 2\n", "t.yaml")


def test_deep_nesting_is_bounded():
    with pytest.raises(SpecError, match="nested too deeply"):
        load_yaml_text("a: " + "[" * 200 + "]" * 200 + "\n", "t.yaml")


def test_dates_become_iso_text_and_keys_stay_as_written():
    doc = load_yaml_text("date: 2026-03-01\nyes: 1\n", "t.yaml")
    assert doc.data == {"date": "2026-03-01", "yes": 1}


def test_control_character_reports_its_position():
    with pytest.raises(SpecError, match=r"U\+0001\) is not allowed") as info:
        load_yaml_text("a: 1\nb: x\x01b\n", "t.yaml")
    assert (info.value.line, info.value.col) == (2, 5)


def test_lone_surrogate_in_text_is_a_spec_error():
    with pytest.raises(SpecError, match="lone surrogate") as info:
        load_yaml_text("a: \ud800\n", "t.yaml")
    assert (info.value.line, info.value.col) == (1, 4)


@pytest.mark.parametrize(("value", "text"), [
    ("2026-01-31", "2026-01-31"),  # a date stays bare, as a lawyer writes it
    ("no", "'no'"),  # YAML 1.1 would read a bare no as false
    ("服务中断", "服务中断"),
    (99.9, "99.9"),
    ([1, 5, 10], "[1, 5, 10]"),
    ({"zh": "甲方", "en": "Provider"}, "{zh: 甲方, en: Provider}"),
    ("a: b", "'a: b'"),
], ids=["date", "no", "cjk", "number", "list", "mapping", "colon"])
def test_dump_inline_writes_values_that_load_back(value, text) -> None:
    import datetime

    import yaml

    from clausegen.yamlsource import dump_inline

    assert dump_inline(value) == text
    loaded = yaml.safe_load(f"k: {text}")["k"]
    assert loaded == (datetime.date(2026, 1, 31) if value == "2026-01-31" else value)
