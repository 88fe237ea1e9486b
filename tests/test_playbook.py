"""The firm's positions: playbook schema, verdicts per term, findings with wording, JSON and SARIF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from clausegen.check import check_text, load_playbook
from clausegen.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CUSTOMER = SAMPLES / "playbooks" / "customer-side.yaml"
PROVIDER = SAMPLES / "playbooks" / "provider-side.yaml"

EN = """SERVICE LEVEL SCHEDULE
1. Interruption means any period during which the Service is unavailable because of a system failure or network outage.
2. The Provider shall notify the Customer of an Interruption within twenty-four (24) hours by email, stating its cause and scope.
3. If monthly availability falls below 99.9%, the Customer receives a service credit of 5% of the monthly fee; below 99.0%, 20%. Service credits are capped at 20% of the monthly fee.
4. To claim a service credit the Customer shall open a ticket with the incident times; the Provider verifies it and applies the credit to the next invoice.
5. Claims must be submitted within ten (10) days after the end of the month. Agreed credits shall be paid within 5 business days.
6. Disputes shall be finally resolved by arbitration administered by the Singapore International Arbitration Centre. This Agreement is governed by the laws of Singapore."""

ZH = """服务等级协议
第一条 服务中断是指因乙方系统故障或网络故障导致甲方无法正常使用服务的情形。
第二条 发生服务中断的，乙方应在知悉服务中断后三十分钟内通知甲方，说明原因和影响范围。
第三条 当月服务可用性低于99.9%但不低于99%的，乙方按当月服务费的10%提供服务费抵扣；低于99%的，按当月服务费的30%提供服务费抵扣。赔偿总额不超过当月服务费的30%。
第四条 甲方应通过工单系统提出赔偿申请，乙方核实后将赔偿金额抵扣下期服务费。
第五条 甲方应在服务中断结束后三十日内提出赔偿申请；乙方应在赔偿金额确认后十个工作日内支付赔偿款。
第六条 争议提交上海国际仲裁中心仲裁。本协议适用中华人民共和国法律。"""


def verdicts(report) -> dict:
    return {r.term: r.verdict for r in report.positions}


def test_samples_are_valid_and_state_every_issue_term():
    for path in (CUSTOMER, PROVIDER):
        book = load_playbook(path)
        assert set(book["positions"]) >= {"notice_within", "claim_window", "payment_deadline", "service_credit",
                                          "cap", "arbitration_institution", "governing_law"}
    assert load_playbook(CUSTOMER)["side"] == "customer" and load_playbook(PROVIDER)["side"] == "provider"


def test_customer_side_verdicts_on_an_english_sla():
    report = check_text(EN, "en", playbook=str(CUSTOMER))
    assert verdicts(report) == {
        "notice_within": "deviates",          # 24 hours > 1 hour, > 4 hours fallback
        "claim_window": "deviates",           # 10 days < 30 days, < 15 days fallback
        "payment_deadline": "meets",          # 5 business days <= 10 business days
        "service_credit": "fallback",         # just below 99.5 % the 99.9 % tier applies: 5 %; fallback >= 5 %
        "cap": "fallback",                    # 20 % < 25 %, >= 15 %
        "arbitration_institution": "meets",   # SIAC
        "governing_law": "fallback",          # Singapore is the fallback, PRC preferred
    }
    found = {f.rule: f for f in report.findings}
    notice = found["position-notice_within"]
    assert notice.severity == "warning"
    assert "twenty-four (24) hours" in notice.message and "at most one (1) hour" in notice.message
    assert "Preferred wording: The Provider shall notify the Customer of any Interruption within one (1) hour" \
        in notice.suggestion
    assert "Fallback wording:" in notice.suggestion
    assert found["position-cap"].severity == "info"
    assert "position-payment_deadline" not in found


def test_provider_side_reads_the_same_contract_the_other_way():
    report = check_text(EN, "en", playbook=str(PROVIDER))
    v = verdicts(report)
    assert v["notice_within"] == "meets"        # provider wants at least 4 hours
    assert v["claim_window"] == "meets"         # at most 30 days
    assert v["payment_deadline"] == "deviates"  # 5 business days < 10 business days fallback
    assert v["cap"] == "meets"                  # 20 % <= 25 %


def test_zh_contract_against_the_customer_playbook():
    report = check_text(ZH, "zh", playbook=str(CUSTOMER))
    assert verdicts(report) == {"notice_within": "meets", "claim_window": "meets", "payment_deadline": "meets",
                                "service_credit": "meets", "cap": "meets", "arbitration_institution": "meets",
                                "governing_law": "meets"}
    assert not [f for f in report.findings if f.rule.startswith("position-")]


def test_values_and_positions_in_json_and_sarif(tmp_path, capsys):
    contract = tmp_path / "sla.txt"
    contract.write_text(EN, encoding="utf-8")
    assert main(["check", str(contract), "--format", "json", "--playbook", str(CUSTOMER)]) == 0  # warnings only
    data = json.loads(capsys.readouterr().out)
    f = data["files"][0]
    assert [p["id"] for p in f["provisions"]][:6] == ["definition", "notification", "standards", "process",
                                                     "deadlines", "disputes"]
    notification = next(p for p in f["provisions"] if p["id"] == "notification")
    assert {"term": "notice_within", "kind": "duration", "value": 24, "unit": "hours",
            "text": "twenty-four (24) hours"}.items() <= notification["values"][0].items()
    assert all("values" in p for p in f["provisions"])  # additive key, on every provision
    notice = next(r for r in f["positions"] if r["term"] == "notice_within")
    assert notice["verdict"] == "deviates" and notice["value"]["text"] == "twenty-four (24) hours"
    assert notice["preferred"] == {"max": {"value": 1, "unit": "hours"}}
    main(["check", str(contract), "--format", "sarif", "--playbook", str(CUSTOMER)])
    sarif = json.loads(capsys.readouterr().out)
    run = sarif["runs"][0]
    props = run["artifacts"][0]["properties"]
    assert props["values"]["disputes"][0]["value"] in ("SIAC", "arbitration")
    assert any(r["ruleId"] == "position-notice_within" and r["level"] == "warning" for r in run["results"])


def test_json_without_playbook_has_values_but_no_positions(tmp_path, capsys):
    contract = tmp_path / "sla.txt"
    contract.write_text(EN, encoding="utf-8")
    main(["check", str(contract), "--format", "json"])
    f = json.loads(capsys.readouterr().out)["files"][0]
    assert "positions" not in f
    assert any(p["values"] for p in f["provisions"])


@pytest.mark.parametrize("change, needle", [
    ({"notice_within": {"preferred": {"max": {"value": 1, "unit": "fortnights"}}}}, "positions.notice_within"),
    ({"cap": {"preferred": {"min": 150}}}, "positions.cap.preferred"),
    ({"notice_within": {"fallback": {"max": {"value": 1, "unit": "hours"}}}}, "'preferred' is a required property"),
    ({"interest": {"preferred": {"max": 5}}}, "interest"),
], ids=["bad-unit", "percent-over-100", "no-preferred", "unknown-term"])
def test_bad_playbook_is_an_error_naming_the_file_and_place(tmp_path, capsys, change, needle):
    book = {"side": "customer", "positions": change}
    path = tmp_path / "book.yaml"
    path.write_text(yaml.safe_dump(book), encoding="utf-8")
    contract = tmp_path / "sla.txt"
    contract.write_text(EN, encoding="utf-8")
    assert main(["check", str(contract), "--playbook", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and needle in err and "Traceback" not in err
