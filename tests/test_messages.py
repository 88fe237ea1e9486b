"""Validator messages speak the spec's language: Chinese for zh and bilingual specs, `--lang` overrides."""

from __future__ import annotations

import re
import string

import pytest
import yaml

from clausegen import spec
from clausegen.cli import main
from clausegen.messages import CATALOG, load_error, message_language
from clausegen.yamlsource import load_yaml_text

CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_catalog_message_has_both_languages_with_the_same_placeholders():
    for key, (en, zh) in CATALOG.items():
        assert en and zh, key
        assert _fields(en) == _fields(zh) or key == "literal", key
        if key != "literal" and re.search(r"[a-z]{4,}", en) and not en.startswith("{"):
            assert CJK.search(zh) or "clausegen" in zh or zh.startswith("{"), key


@pytest.mark.parametrize("language, expected", [("zh", "zh"), ("bilingual", "zh"), ("en", "en"), (None, "en")])
def test_the_spec_language_chooses_the_message_language(language, expected):
    assert message_language({"language": language}) == expected
    assert message_language({"language": language}, "en") == "en"
    assert message_language({"language": language}, "zh") == "zh"


def _problems(data, lang=None):
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    doc = load_yaml_text(text, "spec.yaml")
    return spec.validate(doc.data, doc.marks, file="spec.yaml", lang=lang)


def test_a_chinese_spec_gets_chinese_messages_and_hints(starter):
    data = starter("zh")
    data["service"]["availability_target"] = "99.9%"
    data["service"]["measurment_period"] = data["service"].pop("measurement_period")
    data["standards"]["chronic_failure"]["missed_periods"] = 5
    problems = {p.pointer: p for p in _problems(data)}
    assert problems["service.availability_target"].message == "'99.9%' 不是数字"
    assert problems["service.availability_target"].hint == "请直接写数字，不加引号或 % 号：99.9"
    assert problems["service.measurment_period"].message == "未知的键 'measurment_period'"
    assert problems["service.measurment_period"].hint == "是否应为 'measurement_period'？"
    chronic = problems["standards.chronic_failure.missed_periods"]
    assert chronic.message == "3 个周期内不可能有 5 个周期未达标"
    # the format stays file:line:col: pointer: message, with the hint on its own line
    head, hint = chronic.format().split("\n")
    assert re.match(r"^spec\.yaml:\d+:\d+: standards\.chronic_failure\.missed_periods: ", head)
    assert hint.startswith("  hint: ")


def test_a_bilingual_spec_gets_chinese_and_lang_en_overrides(starter):
    data = starter("bilingual")
    data["service"]["availability_target"] = 120
    [zh] = [p for p in _problems(data) if p.pointer == "service.availability_target" and p.code == "schema"]
    [en] = [p for p in _problems(data, "en") if p.pointer == "service.availability_target" and p.code == "schema"]
    assert zh.message == "120 大于 100"
    assert en.message == "120 is more than 100"


# A spec broken in many ways at once: every message and hint of a Chinese spec is Chinese.
def _many_problems(data):
    data["service"]["monthly_fee"]["currency"] = "RMB"
    data["service"]["measurement_period"] = "monthly"
    data["disputes"]["method"] = "litigation"
    data["standards"]["service_credits"]["tiers"] = [{"below": 99.0, "at_least": 99.5, "credit_percent": 30},
                                                     {"below": 99.9, "credit_percent": 10}]
    data["standards"]["cap"]["percent"] = 20
    data["definition"]["covered_events"].append("force_majeure")
    data["notification"]["incident_report"]["within"] = {"value": 5, "unit": "minutes"}
    data["term"]["expiry_date"] = "2020-01-01"
    data["process"]["steps"] = ["pay", "claim"]
    data["deadlines"]["claim_window"]["unit"] = "day"
    data["parties"]["provider"]["nme"] = "x"
    return data


def test_every_message_and_hint_of_a_broken_chinese_spec_is_chinese(starter):
    problems = _problems(_many_problems(starter("zh")))
    assert len(problems) >= 12
    for p in problems:
        assert CJK.search(p.message), p.format()
        assert p.hint is None or CJK.search(p.hint) or p.hint.startswith("`clausegen"), p.format()


def test_the_same_broken_spec_in_english_has_no_chinese_words(starter):
    problems = _problems(_many_problems(starter("zh")), lang="en")
    for p in problems:
        prose = re.sub(r"'[^']*'|\{[^}]*\}", "", p.message + " " + (p.hint or ""))  # quoted values may be Chinese
        assert not CJK.search(prose), p.format()


def test_loading_errors_of_a_chinese_spec_are_chinese(capsys, tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("language: zh\nservice:\n  name: 甲\n  name: 乙\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:4:3: 重复的键 'name'（首次出现于第 3 行）" in out
    assert "hint: YAML 会静默保留最后一个值；请删除其中一个" in out
    assert main(["validate", "--lang", "en", str(path)]) == 1
    assert "duplicate key 'name' (first at line 3)" in capsys.readouterr().out


def test_loading_error_wording_covers_the_loader_messages():
    assert load_error("no such file", "check the path; `clausegen new > spec.yaml` starts a spec", "zh") == \
        ("文件不存在", "请检查路径；`clausegen new > spec.yaml` 可生成新规格")
    assert load_error("not valid YAML: a tab character is used for indentation", None, "zh")[0] == \
        "不是有效的 YAML：使用了制表符缩进"
    assert load_error("no such file", None, "en") == ("no such file", None)


def test_validate_summary_follows_lang(capsys, samples_dir):
    assert main(["validate", "--lang", "zh", str(samples_dir / "sla-zh.yaml")]) == 0
    assert capsys.readouterr().out.strip() == "1 个规格有效"


def test_every_schema_hint_has_a_chinese_hint():
    missing = []

    def walk(node, path):
        if isinstance(node, dict):
            if "x-hint" in node and not CJK.search(node.get("x-hint-zh", "")):
                missing.append(path)
            for k, v in node.items():
                walk(v, f"{path}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}/{i}")

    walk(spec.spec_schema(), "")
    assert missing == []


@pytest.mark.parametrize("value, meant", [("litigation", "court"), ("Litigation", "court"), ("lawsuit", "court"),
                                          ("诉讼", "court"), ("仲裁", "arbitration")])
def test_common_words_for_the_forum_point_to_the_right_value(starter, value, meant):
    data = starter("en")
    data["disputes"]["method"] = value
    [problem] = [p for p in _problems(data) if p.pointer == "disputes.method"]
    assert f"write '{meant}'" in problem.hint
    assert "arbitration" not in problem.hint or meant == "arbitration"


def test_rmb_is_named_as_not_an_iso_code_and_the_cny_lines_are_not_blamed(starter):
    data = starter("zh")
    data["standards"]["cap"]["amount"] = {"amount": 40000, "currency": "RMB"}
    problems = [p for p in _problems(data, lang="en") if p.severity == "error"]
    assert [(p.pointer, p.code) for p in problems] == [("standards.cap.amount.currency", "iso-currency")]
    assert problems[0].message == "'RMB' is not an ISO 4217 currency code"
    assert problems[0].hint == "write CNY: RMB is a common name, not the ISO 4217 code"
