"""The checker beyond cloud SLAs: compensation for an interruption in other industries' own words.

Written for these tests (not taken from the corpus): one clause per industry, each stating a
compensation standard for the service stopping. They guard the family's vocabularies, which are
what make the rules general (docs/model.md, "Rule changes").
"""

from __future__ import annotations

import pytest

from clausegen.check import check_text

CLAUSES = {
    "power": "第五条 停电赔偿\n因供电企业责任造成用户停电的，供电企业应按用户在停电时间内可能用电量的电度电费的五倍给予赔偿。",
    "telecom": "第六条 通信中断\n因电信企业原因造成通信中断的，应按中断时长双倍返还月租费。",
    "property": "第八条 物业服务\n因物业公司原因停水停电超过24小时的，减免当月物业服务费的10%。",
    "gas": "第九条 停气\n因燃气企业原因停止供气超过48小时的，每日按当月燃气费的1%赔偿用户。",
    "hosting": "第三条 服务可用性\n月度可用性低于99.9%的，按未达标时长的100倍赠送服务时长。",
}
# Known gap (docs/model.md, "Where it fails"): the failure named as late performance, not as an
# interruption. The blank rate is read (PERCENT); the words are not in the vocabulary, and
# adding the one corpus document's phrase would fit that document, not the language.
LATE_PERFORMANCE = "第七条 违约责任\n甲方未按约定时间提供服务的，每逾期一日，按乙方已支付费用的____%向乙方支付违约金。"


@pytest.mark.parametrize("industry", sorted(CLAUSES) + [
    pytest.param("late-performance", marks=pytest.mark.xfail(strict=True, reason="late performance is not in the "
                                                               "interruption vocabulary (docs/model.md)"))])
def test_a_compensation_standard_is_recognised_in_each_industry(industry: str) -> None:
    report = check_text(CLAUSES.get(industry, LATE_PERFORMANCE), "zh", suggest=False)
    assert next(p for p in report.provisions if p.id == "standards").status in ("present", "weak")


@pytest.mark.parametrize("text", [
    "第十条 违约责任\n乙方违反本合同的，甲方有权要求乙方赔偿因此造成的全部损失。",
    "第十一条 保险\n车辆在停车场内损坏的，停车场应协助车主向保险公司申请索赔。",
], ids=["damages-for-breach", "insurance-claim"])
def test_a_remedy_or_an_insurance_claim_is_not_a_compensation_process(text: str) -> None:
    report = check_text(text, "zh", suggest=False)
    assert next(p for p in report.provisions if p.id == "process").status == "missing"
