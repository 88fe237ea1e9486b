"""Rule kinds (require, forbid, conditional) as tables: a small rule set, texts, expected outcome."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from clausegen.check.engine import analyse, evaluate
from clausegen.check.readers import contract_from_text
from clausegen.check.rules import RuleSet, load_rule
from clausegen.errors import LibraryError
from clausegen.library import load_library

HEADER = """
level: {level}
provision: {provision}
scope: {scope}
message: {{zh: 问题, en: problem}}
description: test rule
examples: {{pass: {{zh: [x], en: [x]}}, fail: {{zh: [y], en: [y]}}}}
"""

NOTICE = """kind: require
patterns: {zh: ['通知'], en: ['\\bnotify\\b']}
entities: [DURATION]
"""
NOTICE_HEADING = """kind: require
trigger: headings
headings: {zh: ['通知'], en: ['notices?']}
"""
NOTICE_WITH = """kind: require
patterns: {zh: ['通知'], en: ['\\bnotify\\b']}
with: [{zh: ['中断|故障'], en: ['outage|downtime']}]
unless: {zh: ['泄露'], en: ['breach']}
"""
NOTICE_TOKENS = """kind: require
patterns:
  en: [[{LEMMA: notify}, {OP: '*', IS_PUNCT: false}, {LOWER: {IN: [outage, downtime]}}]]
"""
VAGUE = """kind: forbid
effect: weak
patterns: {zh: ['立即|及时'], en: ['promptly']}
unless_entities: [DURATION]
"""
ARBITRATION = """kind: conditional
effect: weak
if: {zh: ['仲裁'], en: ['arbitration']}
then: {zh: ['仲裁委员会'], en: ['\\bICC\\b|\\bAAA\\b']}
"""
ANYWHERE = """kind: forbid
provision: null
patterns: {zh: ['以.{0,10}记录为准'], en: ['records? (?:shall|will) prevail']}
"""


def _rule(tmp_path: Path, rid: str, body: str, provision: str = "notification", scope: str = "sentence",
          level: str = "error"):
    path = tmp_path / f"{rid}.yml"
    header = HEADER.format(level=level, provision=provision, scope=scope)
    if "provision: null" in body:
        header = header.replace(f"provision: {provision}\n", "")
    path.write_text(body + header, encoding="utf-8")
    return load_rule(rid, path)


def _run(rules, text: str, lang: str):
    ruleset = RuleSet(load_library().family(), tuple(rules))
    doc = analyse(contract_from_text(textwrap.dedent(text).strip(), lang), ruleset, lang)
    return evaluate(doc, ruleset, suggest=False, use_model=False)  # the rule kinds alone


REQUIRE_CASES = [
    (NOTICE, "sentence", "en", "Provider will notify Customer within 2 hours.", True),
    (NOTICE, "sentence", "en", "Provider will notify Customer promptly.", False),
    (NOTICE, "paragraph", "en", "Provider will notify Customer. This happens within 2 hours.", True),
    (NOTICE, "sentence", "en", "Provider will notify Customer. This happens within 2 hours.", False),
    (NOTICE, "sentence", "zh", "乙方应在2小时内通知甲方。", True),
    (NOTICE, "sentence", "zh", "乙方应及时通知甲方。", False),
    (NOTICE_HEADING, "sentence", "en", "5. Notices\nAll notices must be in writing.", True),
    (NOTICE_HEADING, "sentence", "en", "5. Notices", False),
    (NOTICE_WITH, "sentence", "en", "Provider will notify Customer of any outage.", True),
    (NOTICE_WITH, "sentence", "en", "Provider will notify Customer of any breach or outage.", False),
    (NOTICE_WITH, "section", "en", "4. Outages\nProvider will notify Customer.", True),
    (NOTICE_WITH, "sentence", "zh", "服务中断时，乙方应通知甲方。", True),
    (NOTICE_WITH, "sentence", "zh", "发生信息泄露时，乙方应通知甲方。", False),
    (NOTICE_TOKENS, "sentence", "en", "Provider notified Customer of the outage.", True),
    (NOTICE_TOKENS, "sentence", "en", "Provider notified Customer of the change.", False),
]


@pytest.mark.parametrize(("body", "scope", "lang", "text", "fires"), REQUIRE_CASES,
                         ids=[f"{i}-{c[2]}-{c[4]}" for i, c in enumerate(REQUIRE_CASES)])
def test_require(tmp_path: Path, body: str, scope: str, lang: str, text: str, fires: bool) -> None:
    outcome = _run([_rule(tmp_path, "r", body, scope=scope)], text, lang)
    assert bool(outcome.hits["r"]) is fires
    status = outcome.provisions[[p.id for p in outcome.provisions].index("notification")].status
    assert status == ("present" if fires else "missing")


WEAK_CASES = [
    (VAGUE, "en", "Provider will notify Customer promptly.", "weak"),
    (VAGUE, "en", "Provider will notify Customer promptly, and in any case within 4 hours.", "present"),
    (VAGUE, "en", "Provider will notify Customer promptly. Provider will notify Customer within 4 hours.",
     "present"),
    (VAGUE, "zh", "乙方应立即通知甲方。", "weak"),
    (VAGUE, "zh", "乙方应立即通知甲方，最迟不超过2小时。", "present"),
    (ARBITRATION, "en", "Provider will notify Customer and disputes go to arbitration.", "weak"),
    (ARBITRATION, "en", "Provider will notify Customer and disputes go to ICC arbitration.", "present"),
    (ARBITRATION, "zh", "乙方应通知甲方，争议提交仲裁。", "weak"),
    (ARBITRATION, "zh", "乙方应通知甲方，争议提交上海国际仲裁委员会仲裁。", "present"),
]


@pytest.mark.parametrize(("body", "lang", "text", "status"), WEAK_CASES,
                         ids=[f"{i}-{c[1]}-{c[3]}" for i, c in enumerate(WEAK_CASES)])
def test_forbid_and_conditional_make_a_provision_weak(tmp_path: Path, body: str, lang: str, text: str,
                                                       status: str) -> None:
    rules = [_rule(tmp_path, "notice", NOTICE_WITH.replace("with:", "x_with:").split("x_with")[0]),
             _rule(tmp_path, "vague", body, level="warning")]
    outcome = _run(rules, text, lang)
    result = next(p for p in outcome.provisions if p.id == "notification")
    assert result.status == status
    weak = [f for f in outcome.findings if f.rule == "weak-notification"]
    assert bool(weak) is (status == "weak")
    if weak:
        assert weak[0].severity == "warning"


@pytest.mark.parametrize(("lang", "text", "count"), [
    ("en", "In any dispute the Provider's records shall prevail.", 1),
    ("en", "Each party keeps its own records.", 0),
    ("zh", "如有争议，以乙方后台记录为准。", 1),
], ids=["en-fires", "en-quiet", "zh-fires"])
def test_forbid_without_provision_reports_quality_findings(tmp_path: Path, lang: str, text: str,
                                                           count: int) -> None:
    outcome = _run([_rule(tmp_path, "records-prevail", ANYWHERE, level="warning")], text, lang)
    found = [f for f in outcome.findings if f.rule == "records-prevail"]
    assert len(found) == count
    if found:
        assert found[0].severity == "warning" and found[0].paragraph == 0


@pytest.mark.parametrize(("body", "message"), [
    ("kind: require\npatterns: {en: ['(unclosed']}\n", "bad regular expression"),
    ("kind: require\npatterns: {fr: ['x']}\n", "Additional properties"),
    ("kind: invent\npatterns: {en: ['x']}\n", "is not one of"),
    ("kind: require\n", "is not valid under any of the given schemas"),
], ids=["bad-regex", "unknown-language", "unknown-kind", "no-patterns"])
def test_bad_rule_files_raise_library_error_with_file_and_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(LibraryError, match=message) as info:
        _rule(tmp_path, "broken", body)
    assert info.value.path.endswith("broken.yml")
    assert info.value.line is not None
    assert info.value.exit_code == 2
