"""Clauses a lawyer would sign unchanged: each drafting defect of issue 12, rendered and read back as text."""

from __future__ import annotations

import re

import pytest

from clausegen.render import render, write
from clausegen.spec import load_spec, validate


def text_of(data, lang=None) -> str:
    """Return the spec `data` rendered as plain text (the txt writer, as a reader sees it)."""
    assert [p.format() for p in validate(data) if p.severity == "error"] == []
    return write(render(data, lang=lang), "txt").decode("utf-8")


def clause(text: str, heading: str) -> str:
    """Return the clause of `text` under `heading` (up to the next clause heading)."""
    head = r"(?:第[一二三四五六七八九十]+条\u3000|\d+\. (?=[A-Z]))"
    m = re.search(rf"^{head}{re.escape(heading)}\n(.*?)(?=^{head}|\Z)", text, re.S | re.M)
    assert m, heading
    return m.group(1)


def sample(samples_dir, name):
    return load_spec(samples_dir / f"sla-{name}.yaml").data


# ------------------------------------------------------------------ 1. compensation attaches to Downtime


def _all_methods(starter, lang):
    data = starter(lang)
    std = data["standards"]
    std["methods"] = ["service_credits", "per_hour", "direct_loss", "free_service_time"]
    currency = data["service"]["monthly_fee"]["currency"]
    std["per_hour"] = {"amount": {"amount": 500, "currency": currency}, "rounding": "started_hour"}
    std["direct_loss"] = {"requires_proof": True, "cap": {"amount": 10000, "currency": currency}}
    std["cap"]["covers"] = ["service_credits", "per_hour", "free_service_time"]
    return data


def test_excluded_events_are_not_compensated_in_english(starter):
    text = text_of(_all_methods(starter, "en"))
    definition, standards = clause(text, "Definition and Scope of Interruption"), clause(text, "Compensation Standards")
    assert "other than Interruptions caused by an Excluded Event" in definition
    assert ("An Interruption caused by any of the following (each an “Excluded Event”) does not count as Downtime, "
            "and the Provider owes no compensation under this Schedule for it") in definition
    assert "as a result of an Interruption that counts as Downtime" in standards
    assert "of Downtime, the Provider shall compensate the Customer in the amount of" in standards
    assert "for each twenty-four (24) hours of Downtime in a calendar month" in standards
    assert "on which an Interruption occurred" not in text  # free days no longer follow any Interruption


def test_excluded_events_are_not_compensated_in_chinese(starter):
    text = text_of(_all_methods(starter, "zh"))
    definition, standards = clause(text, "服务中断的定义与范围"), clause(text, "赔偿标准")
    assert "但除外事件（定义见下文）导致的服务中断不计入" in definition
    assert "导致的服务中断，不计入不可用时间，乙方亦不承担本条款项下的赔偿责任" in definition
    assert "对于计入不可用时间的服务中断，乙方应赔偿甲方因此遭受并经证明的直接经济损失" in standards
    assert "任一自然月内的不可用时间每二十四小时" in standards
    assert "服务中断每发生一日" not in text


# ------------------------------------------------------------------ 2. credit-only deals promise no payment


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_credit_settlement_promises_no_payment_of_compensation(starter, lang):
    data = starter(lang)  # settlement: credit; outstanding credit paid when the Agreement ends
    text = text_of(data)
    if lang == "en":
        assert "shall pay the agreed compensation" not in text
        assert "The Provider shall apply the agreed compensation as a credit to the first invoice" in text
        assert ("The Provider shall pay the Customer any amount not yet credited when the Agreement ends within "
                "three (3) Business Days after the Agreement ends.") in text
        assert "the Provider applies the compensation as a credit against the Customer’s invoices" in text
    else:
        assert "支付赔偿金" not in text
        assert "乙方应在赔偿金额确定后开具的第一张账单中将已确定的赔偿金额抵扣甲方应付的服务费。" in text
        assert "本协议终止时尚未抵扣的金额，乙方应在本协议终止后三个工作日内支付给甲方。" in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_credit_that_lapses_is_never_paid_in_the_fallback_either(starter, lang):
    data = starter(lang)
    data["position"] = "fallback"
    data["standards"]["outstanding_credit"] = "lapses"
    del data["deadlines"]["payment_deadline"]
    text = text_of(data)
    if lang == "en":
        assert "any amount not yet credited when the Agreement ends lapses and is not paid" in text
        assert "Compensation given as a credit is not redeemable for cash" in text
        assert not re.search(r"\bshall pay\b", text)
    else:
        assert "本协议终止时尚未抵扣的金额不再抵扣，亦不予支付" in text
        assert "服务费抵扣不得兑换为现金" in text
        assert "支付给甲方" not in text and "支付赔偿金" not in text


def test_credit_paid_at_the_end_is_not_called_unredeemable_in_the_fallback(starter):
    data = starter("zh")
    data["position"] = "fallback"
    text = text_of(data)
    assert "不得兑换为现金" not in text  # it is paid out when the Agreement ends
    assert "本协议终止时尚未抵扣的金额，乙方应在本协议终止后三个工作日内支付给甲方" in text


def test_customer_choice_pays_or_credits_as_chosen(samples_dir):
    text = text_of(sample(samples_dir, "bilingual"))
    assert ("Where the Customer chooses payment, the Provider shall pay the agreed compensation within fifteen (15) "
            "Business Days after the amount is agreed; where it chooses a credit") in text
    assert "甲方选择支付赔偿金的，乙方应在赔偿金额确定后十五个工作日内支付" in text


# ------------------------------------------------------------------ 3. the arbitration rules are not doubled


def test_arbitration_rules_phrase_appears_once_in_the_bilingual_sample(samples_dir):
    text = text_of(sample(samples_dir, "bilingual"))
    assert "按照申请仲裁时该会现行有效的仲裁规则进行仲裁" in text
    assert text.count("现行有效的") == 1
    assert "in accordance with the CIETAC Arbitration Rules in effect at the time of applying for arbitration." in text
    assert "in force when the notice" not in text


@pytest.mark.parametrize("lang, words", [
    ("zh", "按照申请仲裁时该会现行有效的仲裁规则进行仲裁"),
    ("en", "in accordance with its arbitration rules in force when the notice of arbitration is submitted"),
])
def test_without_rules_the_institutions_current_rules_apply(starter, lang, words):
    data = starter(lang)
    del data["disputes"]["arbitration"]["rules"]
    assert words in text_of(data)


# ------------------------------------------------------------------ 4. which cap governs what


def test_caps_say_what_they_cover(samples_dir, starter):
    text = text_of(sample(samples_dir, "bilingual"))
    assert "任一自然月内服务费抵扣的总额不得超过本服务在该自然月应付服务费的30%。" in text
    assert "直接损失赔偿不受本款上限限制，仅适用上述每次服务中断的赔偿上限。" in text
    assert "The total of the Service Credits for any calendar month shall not exceed thirty percent (30%)" in text
    assert ("The compensation for direct losses is not subject to this cap and is limited only by the cap for each "
            "Interruption set out above.") in text
    data = _all_methods(starter, "en")
    data["standards"]["cap"]["covers"] = ["service_credits", "direct_loss"]
    data["standards"]["direct_loss"]["cap"]["amount"] = 5000
    text = text_of(data)
    assert ("The total of the Service Credits and the compensation for direct losses for any calendar month shall "
            "not exceed fifty percent (50%)") in text
    assert "the cap on direct losses for each Interruption applies within this overall cap" in text
    assert "The compensation for hours of Downtime and the free service time (valued at the monthly fee pro rata) " \
           "are not subject to this cap." in text


# ------------------------------------------------------------------ 5. sole remedy, termination right, mandatory law


def test_sole_remedy_keeps_the_termination_right_and_mandatory_liability(samples_dir, starter):
    standards = clause(text_of(sample(samples_dir, "zh")), "赔偿标准")
    assert "除本条约定的解除权及下款约定的情形外，本条约定的赔偿是甲方就本服务未达到可用性目标及服务中断所能获得的唯一救济。" in standards
    assert "乙方因故意或者重大过失造成甲方财产损失的责任、造成甲方人身损害的责任" in standards
    assert standards.index("有权书面通知乙方立即解除本协议") < standards.index("唯一救济")
    data = starter("en")
    data["standards"]["exclusive_remedy"] = True
    standards = clause(text_of(data), "Compensation Standards")
    assert "Subject to the Customer’s right to terminate set out above and to the following paragraph" in standards
    assert "sole and exclusive remedy" in standards
    assert "for loss caused by its wilful misconduct or gross negligence" in standards
    del data["standards"]["chronic_failure"]
    standards = clause(text_of(data), "Compensation Standards")
    assert "right to terminate" not in standards and "Subject to the following paragraph" in standards


# ------------------------------------------------------------------ 6. numbers, not hedges


def test_the_spec_numbers_are_not_hedged(samples_dir):
    zh, en, bi = (text_of(sample(samples_dir, n)) for n in ("zh", "en", "bilingual"))
    assert "乙方为保障本服务的安全或完整而进行紧急维护的，应至少提前一小时通知甲方" in zh
    assert "并在本服务恢复后十五分钟内通知甲方" in zh
    for text in (zh, bi):
        assert "尽可能" not in text and "尽快" not in text
    for text in (en, bi):
        assert "practicable" not in text
        assert "promptly when the Service is restored" not in text
    assert ("“Emergency Maintenance” means maintenance that must be carried out without delay to protect the security "
            "or integrity of the Service. The Provider shall give the Customer notice of any Emergency Maintenance at "
            "least one (1) hour in advance. Emergency Maintenance is excluded from Downtime for up to two (2) hours in each "
            "calendar month; Emergency Maintenance beyond that allowance, or without that notice, counts as Downtime."
            ) in en
    assert "每个自然月内紧急维护不计入不可用时间的时长以两小时为限" in bi
    assert "shall notify the Customer within thirty (30) minutes after the Service is restored" in en


# ------------------------------------------------------------------ 7. negotiation, then mediation, then the forum


def test_mediation_follows_the_negotiation_period_it_depends_on(starter):
    data = starter("en")
    data["disputes"]["mediation"] = {"institution": "Centre for Effective Dispute Resolution",
                                     "period": {"value": 60, "unit": "days"}}
    disputes = clause(text_of(data), "Dispute Resolution")
    paragraphs = re.findall(r"^7\.\d (.*)$", disputes, re.M)
    assert paragraphs[0].startswith("The Parties shall first try to resolve")
    assert "(the “Negotiation Period”)" in paragraphs[0]
    assert paragraphs[1].startswith("If the dispute is not resolved within the Negotiation Period, either Party may "
                                    "refer it to mediation administered by the Centre for Effective Dispute Resolution")
    assert "not settled within sixty (60) days after the referral, either Party may start the proceedings below" \
        in paragraphs[1]
    assert paragraphs[2].startswith("If the dispute is not resolved within the Negotiation Period or, where it has been "
                                    "referred to mediation, within the mediation period, the dispute shall be referred")


def test_mediation_in_chinese_comes_after_the_negotiation_period(starter):
    data = starter("zh")
    data["disputes"]["mediation"] = {"institution": "上海经贸商事调解中心", "period": {"value": 30, "unit": "days"}}
    disputes = clause(text_of(data), "争议解决")
    assert "协商不成" not in disputes
    assert disputes.index("（以下简称“协商期限”）") < disputes.index("争议在协商期限内未能解决的，任何一方均可将争议提交上海经贸商事调解中心调解")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_without_negotiation_there_is_no_open_ended_precondition(starter, lang):
    data = starter(lang)
    del data["disputes"]["negotiation"]
    disputes = clause(text_of(data), "Dispute Resolution" if lang == "en" else "争议解决")
    assert "by negotiation" not in disputes and "协商" not in disputes
    first = disputes.strip().splitlines()[0]
    assert first.startswith(("7.1 Any such dispute shall be referred", "1. 任何一方均有权将争议提交"))


# ------------------------------------------------------------------ 8. the bilingual text says the same in both columns


def test_court_exclusivity_reads_the_same_in_both_languages(samples_dir):
    data = sample(samples_dir, "zh")
    zh = clause(text_of(data), "争议解决")
    assert "任何一方均可将争议提交乙方住所地有管辖权的人民法院诉讼解决；双方同意该法院对争议具有排他性管辖权。" in zh
    data["disputes"]["court"] = {"venue": {"zh": "上海市浦东新区人民法院", "en": "the Shanghai Pudong New Area People's Court"},
                                 "exclusive": True}
    data["language"] = "bilingual"
    text = write(render(data), "txt").decode("utf-8")
    assert "双方同意该法院对争议具有排他性管辖权" in text
    assert "the Shanghai Pudong New Area People’s Court, which shall have exclusive jurisdiction" in text
    del data["disputes"]["court"]["exclusive"]
    text = write(render(data), "txt").decode("utf-8")
    assert "排他" not in text and "exclusive jurisdiction" not in text  # not asked, not said


def test_both_columns_name_the_parties_in_the_spec_order_and_say_which_text_prevails(samples_dir):
    document = render(sample(samples_dir, "bilingual"))
    zh, en = ("\n".join(p.text for p in part.preamble) for part in document.parts)
    assert zh.index("德迈精密传动") < zh.index("北京数联港")
    assert en.index("Demaier Precision Drives") < en.index("Beijing Shulian Harbour")
    assert "本条款以中文和英文书就，两种文本如有不一致，以中文文本为准。" in zh
    assert "This Schedule is made in Chinese and English. If the two texts differ, the Chinese text prevails." in en
    single = render(sample(samples_dir, "en"))
    assert "prevails" not in "\n".join(p.text for p in single.parts[0].preamble)


# ------------------------------------------------------------------ 9. values kept and consistent


def test_the_measurement_clause_does_not_repeat_itself(samples_dir):
    definition = clause(text_of(sample(samples_dir, "zh")), "服务中断的定义与范围")
    assert definition.count("为准") == 1
    assert ("服务中断的起止时间、不可用时间和可用性均以乙方监控系统的记录为准。乙方监控系统每分钟探测一次本服务的实例和云硬盘；"
            in definition)


@pytest.mark.parametrize("name, zh_source, en_source", [
    ("zh", "乙方监控系统的记录", None),
    ("bilingual", "双方共同确认的监控记录", "monitoring records confirmed by both Parties"),
    ("en", None, "the records of the Provider’s monitoring systems"),
])
def test_process_verifies_against_the_records_the_definition_names(samples_dir, name, zh_source, en_source):
    text = text_of(sample(samples_dir, name))
    if zh_source:
        assert zh_source in clause(text, "服务中断的定义与范围")
        process = clause(text, "赔偿流程")
        assert (zh_source in process) or ("根据其监控系统的记录" in process)
        assert "双方共同确认的服务中断记录" not in text
    if en_source:
        assert en_source in clause(text, "Definition and Scope of Interruption")
        assert en_source.replace("the records of the Provider’s", "the records of the Provider’s") in \
            clause(text, "Compensation Process")


# ------------------------------------------------------------------ 10. terms only when the spec asks for them


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_deemed_acceptance_interest_and_continued_performance_only_when_asked(starter, lang):
    data = starter(lang)
    for block, key in (("process", "verification"), ):
        data[block][key]["deemed_acceptance"] = False
    del data["deadlines"]["late_interest"]
    del data["disputes"]["continue_performance"]
    text = text_of(data)
    for words in ("deemed accepted", "视为认可", "interest", "利息", "法定利率", "statutory rate",
                  "continue to perform", "继续履行"):
        assert words not in text, words
    data["process"]["verification"]["deemed_acceptance"] = True
    data["deadlines"]["late_interest"] = "lpr"
    data["disputes"]["continue_performance"] = True
    text = text_of(data)
    if lang == "en":
        assert "the claim is deemed accepted" in text
        assert "the one-year Loan Prime Rate (LPR) last published by the National Interbank Funding Center" in text
        assert "shall continue to perform" in text
    else:
        assert "乙方未在上述期限内答复的，视为认可该申请。" in text
        assert "按照应付之日前最近一期全国银行间同业拆借中心公布的一年期贷款市场报价利率（LPR）向甲方支付逾期利息" in text
        assert "双方应继续履行本协议项下的其他义务" in text
    assert "法定利率" not in text and "statutory" not in text


def test_the_starter_shows_the_defaults_of_these_terms():
    from clausegen.spec import starter_spec

    for lang in ("zh", "en", "bilingual"):
        text = starter_spec(lang)
        for key in ("deemed_acceptance:", "late_interest:", "continue_performance:", "outstanding_credit:",
                    "emergency_allowance:", "covers:"):
            assert key in text, (lang, key)
    assert "prevailing_language: zh" in starter_spec("bilingual")


# ------------------------------------------------------------------ 11. numbers drafted as lawyers write them


def test_numbers_in_british_drafting_with_words_for_cents(starter):
    data = starter("en")
    data["service"]["monthly_fee"] = {"amount": 100005, "currency": "EUR"}
    data["notification"]["updates_every"] = {"value": 1, "unit": "hours"}
    text = text_of(data)
    assert "EUR 100,005 (one hundred thousand and five euros)" in text
    assert "at least once every hour" in text and "every one (1) hour" not in text
    data["service"]["monthly_fee"] = {"amount": 1234.56, "currency": "EUR"}
    assert "EUR 1,234.56 (one thousand two hundred and thirty-four euros and fifty-six cents)" in text_of(data)


def test_fractions_are_refused_by_validate_with_the_whole_number_to_write(starter):
    data = starter("en")
    data["definition"]["minimum_duration"] = {"value": 0.5, "unit": "minutes"}
    data["notification"]["updates_every"] = {"value": 1.5, "unit": "hours"}
    data["standards"]["free_service_time"]["ratio"] = 1.5
    problems = {p.pointer: p for p in validate(data) if p.code == "whole-durations"}
    assert problems["definition.minimum_duration.value"].message == "0.5 minutes is not a whole number of minutes"
    assert problems["notification.updates_every.value"].hint == "write it as {value: 90, unit: minutes}"
    assert "standards.free_service_time.ratio" in problems
