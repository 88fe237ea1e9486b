"""Tests for `clausegen new`: a commented starter spec in zh, en or bilingual that validates."""

from __future__ import annotations

import re

import pytest

from clausegen import spec
from clausegen.cli import main
from clausegen.yamlsource import load_yaml_text


@pytest.mark.parametrize("lang", ["zh", "en", "bilingual"])
def test_new_prints_a_spec_that_validates(capsys, tmp_path, lang):
    assert main(["new", "--lang", lang]) == 0
    text = capsys.readouterr().out
    path = tmp_path / f"new-{lang}.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert "1 spec(s) valid" in capsys.readouterr().out


@pytest.mark.parametrize("lang", ["zh", "en", "bilingual"])
def test_new_round_trips_to_starter_data(lang):
    doc = load_yaml_text(spec.starter_spec(lang), "new.yaml")
    assert doc.data == spec.starter_data(lang)


def test_new_defaults_to_chinese(capsys):
    assert main(["new"]) == 0
    text = capsys.readouterr().out
    assert "language: zh" in text
    assert "# 赔偿标准：赔偿的计算方法及其上限。" in text


def _comment_before(text: str, key_line: str) -> list[str]:
    lines = text.splitlines()
    i = lines.index(key_line)
    out = []
    while i > 0 and lines[i - 1].lstrip().startswith("#"):
        i -= 1
        out.insert(0, lines[i].strip())
    return out


def test_comments_come_from_the_schema_in_the_language():
    schema = spec.spec_schema()
    deadlines = schema["properties"]["deadlines"]
    zh = spec.starter_spec("zh")
    en = spec.starter_spec("en")
    bi = spec.starter_spec("bilingual")
    assert _comment_before(zh, "deadlines:") == [f"# {deadlines['x-title-zh']}：{deadlines['x-description-zh']}"]
    assert _comment_before(en, "deadlines:") == [f"# {deadlines['title']}: {deadlines['description']}"]
    assert len(_comment_before(bi, "deadlines:")) == 2
    assert "(one of: arbitration | court)" in en
    assert "（可选：arbitration | court）" in zh


def test_every_key_of_the_starter_has_a_comment():
    text = spec.starter_spec("en")
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)([a-z_]+):", line)
        if not m or m.group(2) in ("zh", "en"):
            continue
        assert lines[i - 1].strip().startswith("#"), line


def test_new_rejects_unknown_language(capsys):
    assert main(["new", "--lang", "fr"]) == 2
