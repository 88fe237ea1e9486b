"""Values read from contract text, zh and en: durations, percentages, money, institutions, venues, law."""

from __future__ import annotations

import pytest

from clausegen.check.readers import contract_from_text
from clausegen.values import credit_at, extract_values, in_minutes, zh_int


def values(text: str, lang: str) -> list[tuple]:
    return [(v.term, v.value, v.unit) for v in extract_values(contract_from_text(text, lang), lang)]


CASES = [
    ("zh", "发生服务中断的，乙方应在知悉后两小时内通知甲方。", ("notice_within", 2, "hours")),
    ("zh", "乙方应于30分钟内通知甲方服务中断的原因和影响范围。", ("notice_within", 30, "minutes")),
    ("zh", "甲方应在服务中断结束后十五个工作日内提出赔偿申请。", ("claim_window", 15, "business_days")),
    ("zh", "乙方应在赔偿金额确认后十个自然日内支付赔偿款。", ("payment_deadline", 10, "calendar_days")),
    ("zh", "赔偿总额不超过当月服务费的百分之三十。", ("cap", 30, "%")),
    ("zh", "服务可用性低于99.5%的，乙方按当月服务费的10%给予服务费抵扣。", ("service_credit", 10, "%")),
    ("zh", "每中断一小时，乙方向甲方赔偿人民币500元。", ("compensation_amount", 500, "CNY")),
    ("zh", "争议提交中国国际经济贸易仲裁委员会，按照申请仲裁时该会现行有效的仲裁规则进行仲裁。",
     ("arbitration_institution", "CIETAC", None)),
    ("zh", "争议提交上海国际仲裁中心仲裁。", ("arbitration_institution", "SHIAC", None)),
    ("zh", "双方同意将争议提交北京仲裁委员会仲裁。", ("arbitration_institution", "BAC", None)),
    ("zh", "本协议适用中华人民共和国法律。", ("governing_law", "PRC", None)),
    ("zh", "协商不成的，任何一方可向深圳市南山区人民法院提起诉讼。", ("venue", "深圳市南山区", None)),
    ("en", "The Provider shall notify the Customer within one (1) hour of becoming aware of an Interruption.",
     ("notice_within", 1, "hours")),
    ("en", "Claims must be submitted within thirty (30) days after the end of the month.", ("claim_window", 30, "days")),
    ("en", "Service credits shall be paid within 10 business days after the claim is approved.",
     ("payment_deadline", 10, "business_days")),
    ("en", "Service credits are capped at 25% of the monthly fee.", ("cap", 25, "%")),
    ("en", "The Customer receives a credit of USD 1,000 per hour of Downtime.", ("compensation_amount", 1000, "USD")),
    ("en", "Disputes shall be finally resolved by arbitration administered by the Hong Kong International "
           "Arbitration Centre.", ("arbitration_institution", "HKIAC", None)),
    ("en", "Any dispute shall be referred to arbitration under the SIAC Rules.", ("arbitration_institution", "SIAC", None)),
    ("en", "This Agreement is governed by the laws of England and Wales.", ("governing_law", "England and Wales", None)),
    ("en", "The seat of arbitration shall be Singapore.", ("venue", "Singapore", None)),
]


@pytest.mark.parametrize("lang, text, expected", CASES, ids=[f"{c[0]}-{c[2][0]}-{i}" for i, c in enumerate(CASES)])
def test_value_is_read_with_its_unit(lang, text, expected):
    assert expected in values(text, lang)


@pytest.mark.parametrize("lang, text", [
    ("zh", "乙方应提前四十八小时通知甲方计划内维护。"),  # advance notice of maintenance, not interruption notice
    ("zh", "甲方应于每月五日前支付当月服务费。"),  # a fee the customer pays
    ("en", "The Provider shall give at least 72 hours prior notice of scheduled maintenance."),
    ("en", "The Customer shall pay each invoice within thirty (30) days."),
], ids=["zh-advance", "zh-fee", "en-advance", "en-fee"])
def test_durations_that_are_not_the_terms_are_not_read(lang, text):
    assert not [v for v in values(text, lang) if v[0] in ("notice_within", "payment_deadline", "claim_window")]


def test_value_keeps_the_exact_phrase_and_its_place():
    text = "第一条 通知\n乙方应在知悉服务中断后两小时内通知甲方。"
    c = contract_from_text(text, "zh")
    v = next(v for v in extract_values(c, "zh") if v.term == "notice_within")
    assert c.paragraphs[v.paragraph].text[v.start:v.end] == v.text == "两小时"


def test_business_days_are_longer_than_calendar_days():
    assert in_minutes(10, "business_days") == in_minutes(14, "days")
    assert in_minutes(1, "hours") < in_minutes(90, "minutes")


def test_credit_at_picks_the_tier_just_below_the_threshold():
    text = ("服务可用性低于99.9%但不低于99.5%的，乙方按当月服务费的5%给予抵扣；"
            "低于99.5%但不低于99%的，按当月服务费的15%给予抵扣；低于99%的，按30%给予抵扣。")
    found = extract_values(contract_from_text(text, "zh"), "zh")
    assert credit_at(found, 99.5).value == 15
    assert credit_at(found, 99.9).value == 5


@pytest.mark.parametrize("text, n", [("三十", 30), ("二十四", 24), ("十", 10), ("一百二十", 120), ("两", 2), ("15", 15)])
def test_chinese_numerals(text, n):
    assert zh_int(text) == n
