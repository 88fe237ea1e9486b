"""spaCy pipelines: entity tagging on characters, sentence splitting, jieba independence, caching."""

from __future__ import annotations

import pytest

from clausegen.check.nlp import find_entities, pipeline

ENTITY_CASES = [
    ("zh", "应在3个工作日内完成赔偿", "DURATION", "3个工作日"),
    ("zh", "提前72小时向社会公告", "DURATION", "72小时"),
    ("zh", "结束后两（2）个月内提出", "DURATION", "两（2）个月"),
    ("zh", "至少提前五 (5) 天发布通知", "DURATION", "五 (5) 天"),
    ("zh", "赔偿当月服务费的10%", "PERCENT", "10%"),
    ("zh", "按百分之二十给予赔偿", "PERCENT", "百分之二十"),
    ("zh", "按已付费用的____%向乙方支付违约金", "PERCENT", "____%"),  # a model contract's blank rate
    ("zh", "每逾期一日，按已付费用的【　】%支付违约金", "PERCENT", "【　】%"),
    ("zh", "每小时赔偿人民币500元", "MONEY", "人民币500元"),
    ("zh", "电费的５倍给予赔偿", "MULTIPLIER", "５倍"),
    ("zh", "服务提供方应通知服务接受方", "PARTY", "服务提供方"),
    ("en", "within thirty (30) days of the end of the month", "DURATION", "thirty (30) days"),
    ("en", "within 5 business days after the request", "DURATION", "5 business days"),
    ("en", "by the end of the second billing cycle after the incident", "DURATION",
     "end of the second billing cycle"),
    ("en", "at least 48 hours' prior notice", "DURATION", "48 hours"),
    ("en", "a Service Credit of 10% of the monthly fee", "PERCENT", "10%"),
    ("en", "up to $1,000.00 per incident", "MONEY", "$1,000.00"),
    ("en", "one hundred times the hourly fee", "MULTIPLIER", "hundred times"),
    ("en", "The Provider shall notify the Customer", "PARTY", "Provider"),
    ("zh", "乙方应立即通知甲方", "OBLIGATION", "应"),
    ("zh", "乙方应立即通知甲方", "VAGUE_TIME", "立即"),
    ("zh", "计划维护时间不计入不可用时间", "EXCLUSION", "不计入"),
    ("en", "Provider will promptly notify Customer", "VAGUE_TIME", "promptly"),
    ("en", "Downtime excludes Scheduled Maintenance", "EXCLUSION", "excludes"),
    ("en", "Customer must submit a claim", "OBLIGATION", "must"),
]


@pytest.mark.parametrize(("lang", "text", "label", "expected"), ENTITY_CASES,
                         ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in ENTITY_CASES])
def test_entities_are_found_on_characters(lang: str, text: str, label: str, expected: str) -> None:
    found = {h.text.strip() for h in find_entities(text, lang) if h.label == label}
    assert expected in found


@pytest.mark.parametrize(("lang", "text"), [
    ("zh", "本合同自2024年1月1日起生效。"),
    ("en", "This Agreement is governed by the laws of England."),
], ids=["zh-date", "en-no-duration"])
def test_no_duration_in_plain_sentences(lang: str, text: str) -> None:
    assert not [h for h in find_entities(text, lang) if h.label == "DURATION"]


def test_entities_are_found_on_characters_whatever_the_word_segmentation() -> None:
    # jieba (today) glues the particle 在 to the party name and 应 to 时, so no token is "供电方";
    # clausegen tags on the characters and widens each span to token boundaries, so the party and
    # the duration are found however the words are cut.
    doc = pipeline("zh")("供电方在发现停电时应在2小时内通知用电方")
    spans = [(s.label_, s.text) for s in doc.spans["clausegen"]]
    assert any(label == "PARTY" and "供电方" in text for label, text in spans), spans
    assert any(label == "DURATION" and "2小时" in text for label, text in spans), spans
    assert {h.text for h in find_entities("供电方在发现停电时应在2小时内通知用电方", "zh")} >= {"供电方", "2小时"}


def test_jieba_accident_does_not_change_what_the_checker_finds() -> None:
    from clausegen.check import check_text

    report = check_text("供电方在发现停电时应在2小时内通知用电方，并说明停电原因。", lang="zh", suggest=False)
    assert report.provision("notification").status == "present"


def test_sentences_split_on_chinese_punctuation() -> None:
    doc = pipeline("zh")("服务中断是指服务不可用。服务提供方应通知客户；客户应确认！")
    assert [s.text for s in doc.sents] == ["服务中断是指服务不可用。", "服务提供方应通知客户；", "客户应确认！"]


def test_english_pipeline_has_lookup_lemmas() -> None:
    doc = pipeline("en")("Customers notified the providers")
    assert [t.lemma_ for t in doc] == ["Customers", "notify", "the", "provider"]


def test_pipelines_are_built_once_per_process() -> None:
    assert pipeline("zh") is pipeline("zh")
    assert pipeline("en") is pipeline("en")


@pytest.mark.parametrize(("lang", "text", "label"), [
    ("en", "restore within 24 h of the report", "DURATION"),
    ("en", "a credit of 10 per cent of the fee", "PERCENT"),
    ("en", "credits of 10 x the hourly fee", "MULTIPLIER"),
    ("zh", "每小时赔偿人民币500", "MONEY"),
    ("zh", "每次赔偿200块", "MONEY"),
    ("zh", "按乙方已支付停车费用的 \t %向乙方支付违约金", "PERCENT"),
], ids=["24h", "per-cent", "10x", "rmb-without-yuan", "kuai", "blank-rate"])
def test_quick_prefilter_keeps_every_entity_form(lang: str, text: str, label: str) -> None:
    assert label in {h.label for h in find_entities(text, lang)}


@pytest.mark.parametrize(("lang", "text"), [
    ("zh", "服务中断是指服务不可用。服务提供方应通知客户；客户应确认！是否同意？"),
    ("zh", "（1）不可抗力；（2）系统维护。"),
    ("en", "Downtime means unavailability. Provider shall notify Customer; Customer may claim a credit!"),
], ids=["zh", "zh-list", "en"])
def test_light_sentence_split_agrees_with_the_pipeline(lang: str, text: str) -> None:
    from clausegen.check.engine import light_sentences

    doc = pipeline(lang)(text)
    assert [text[a:b].strip() for a, b in light_sentences(text, lang)] == [s.text.strip() for s in doc.sents]


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("zh", "发生下列情形的，乙方不承担责任：（1）不可抗力；（2）线路故障；（3）黑客攻击。另一句。",
     ["发生下列情形的，乙方不承担责任：（1）不可抗力；（2）线路故障；（3）黑客攻击。", "另一句。"]),
    ("zh", "甲方应付款；乙方应交货。", ["甲方应付款；", "乙方应交货。"]),
    ("en", "The SLA does not apply to: (a) beta features; (b) force majeure. Next sentence.",
     ["The SLA does not apply to: (a) beta features; (b) force majeure.", "Next sentence."]),
], ids=["zh-list", "zh-no-list", "en-list"])
def test_enumerations_stay_one_sentence(lang: str, text: str, expected: list) -> None:
    from clausegen.check.engine import join_enumerations, light_sentences

    bounds = join_enumerations(text, light_sentences(text, lang))
    assert [text[a:b].strip() for a, b in bounds] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("The courts of San Francisco County, California, U.S.A. will have exclusive jurisdiction. Next.",
     ["The courts of San Francisco County, California, U.S.A. will have exclusive jurisdiction.", "Next."]),
    ("We are based in the U.S. The Customer may claim a credit.",
     ["We are based in the U.S.", "The Customer may claim a credit."]),
    ("Credits (e.g. 10% of the fee) apply. Next.", ["Credits (e.g. 10% of the fee) apply.", "Next."]),
], ids=["initialism-then-lowercase", "initialism-then-capital", "abbreviation"])
def test_an_initialism_ends_a_sentence_only_before_a_capital(text: str, expected: list) -> None:
    from clausegen.check.engine import light_sentences

    assert [text[a:b].strip() for a, b in light_sentences(text, "en")] == expected


def test_a_jurisdiction_clause_split_by_no_initialism_is_recognised() -> None:
    from clausegen.check import check_text

    report = check_text("Disputes\nThe federal and state courts sitting in San Francisco County, California, U.S.A. "
                        "will have proper and exclusive jurisdiction and venue with respect to any disputes arising "
                        "from this Agreement.", "en", suggest=False)
    assert next(p for p in report.provisions if p.id == "disputes").status == "present"
