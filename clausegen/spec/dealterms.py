"""Semantic rules for the deal terms beyond the six provisions' basics: hourly compensation beyond a
threshold, the annual cap, per-unit fees, response-time and latency levels, expiring credits,
mandatory mediation, how the document names itself and fits the host contract.

Each rule takes the spec data and yields (path, message[, hint[, severity]]) like the rules in
`clausegen.spec.rules`, whose helpers they share; `clausegen.spec.load` runs both sets. Messages
are worded in the spec's language.
"""

from __future__ import annotations

from clausegen.messages import CATALOG, msg
from clausegen.spec.rules import _MINUTES, _PERIOD_MINUTES, _PERIOD_MONTHS as _MONTHS, _get, _money, _num
from clausegen.spec.rules import duration_minutes as _minutes

_PERIODS_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}


def _show(value) -> str:
    value = float(value)
    return f"{int(value):,}" if value.is_integer() else f"{value:,.2f}"


def _methods(data) -> list:
    methods = _get(data, "standards", "methods")
    return [m for m in methods if isinstance(m, str)] if isinstance(methods, list) else []


def _period(data) -> str:
    period = _get(data, "service", "measurement_period")
    return period if isinstance(period, str) and period in _PERIOD_MINUTES else "month"


def rule_per_hour_threshold(data):
    """Hourly compensation "beyond 4 hours" needs a threshold shorter than the period, and a reason to exist."""
    block = _get(data, "standards", "per_hour")
    if not isinstance(block, dict):
        return
    threshold = _minutes(block.get("threshold"))
    if threshold is not None and threshold >= _PERIOD_MINUTES[_period(data)]:
        yield (("standards", "per_hour", "threshold"), msg("threshold-never-reached"), msg("threshold-never-reached-hint"))
    if block.get("in_addition") is True and "service_credits" not in _methods(data):
        yield (("standards", "per_hour", "in_addition"), msg("in-addition-alone"), msg("in-addition-alone-hint"),
               "warning")


def _cap(data, key: str, months: float):
    """Return the cap `standards.<key>` as (amount, currency) or None: the lower of its amount and
    its percent of `months` monthly fees, when both are in one currency (see spec.overall_cap)."""
    cap = _get(data, "standards", key)
    if not isinstance(cap, dict):
        return None
    found = [m for m in (_money(cap.get("amount")),) if m]
    percent, fee = _num(cap.get("percent")), _money(_get(data, "service", "monthly_fee"))
    if percent is not None and fee:
        found.append((percent / 100 * fee[0] * months, fee[1]))
    return min(found) if found and len({c for _, c in found}) == 1 else None


def _period_cap(data):
    """Return the cap per measurement period as (amount, currency) or None."""
    return _cap(data, "cap", _MONTHS[_period(data)])


def _annual_cap(data):
    return _cap(data, "annual_cap", 12)


def rule_annual_cap(data):
    """An annual cap below the cap for one period makes the period cap a fiction; one above every period's cap
    together never applies."""
    annual, period_cap = _annual_cap(data), _period_cap(data)
    if not annual or not period_cap or annual[1] != period_cap[1]:
        return
    period = _period(data)
    if annual[0] < period_cap[0]:
        yield (("standards", "annual_cap"), msg("annual-cap-below-period", annual=_show(annual[0]),
                                                  period_cap=_show(period_cap[0]), currency=annual[1]),
               msg("annual-cap-below-period-hint"))
    elif annual[0] >= period_cap[0] * _PERIODS_PER_YEAR[period]:
        yield (("standards", "annual_cap"), msg("annual-cap-never-binds", annual=_show(annual[0]),
                                                  total=_show(period_cap[0] * _PERIODS_PER_YEAR[period]),
                                                  currency=annual[1]),
               msg("annual-cap-never-binds-hint"), "warning")


def rule_unit_basis(data):
    """Credits per unit need the unit; a unit nobody uses says nothing."""
    basis = _get(data, "standards", "service_credits", "basis")
    unit = _get(data, "service", "unit")
    if basis == "unit_fee" and not isinstance(unit, dict):
        yield (("standards", "service_credits", "basis"), msg("unit-basis-no-unit"), msg("unit-basis-no-unit-hint"))
    elif basis == "unit_fee" and _money(unit.get("monthly_fee")) is None:
        yield (("service", "unit"), msg("unit-no-fee"), msg("unit-no-fee-hint"))
    elif isinstance(unit, dict) and basis != "unit_fee":
        yield (("service", "unit"), msg("unit-unused"), msg("unit-unused-hint"), "warning")


def rule_response_levels(data):
    """Priorities are distinct and run from the most urgent (shortest response) down; no credit above the cap."""
    levels = _get(data, "standards", "response_time", "levels")
    levels = levels if isinstance(levels, list) else []
    base = ("standards", "response_time", "levels")
    seen, last = {}, None
    cap = _num(_get(data, "standards", "cap", "percent"))
    for i, level in enumerate(levels):
        if not isinstance(level, dict):
            continue
        name = level.get("priority")
        key = repr(name)
        if name is not None and key in seen:
            yield (base + (i, "priority"), msg("priority-repeated", priority=key, first=seen[key] + 1),
                   msg("priority-repeated-hint"))
        seen.setdefault(key, i)
        within = _minutes(level.get("respond_within"))
        if within is not None and last is not None and within < last:
            yield (base + (i, "respond_within"), msg("response-not-ascending"), msg("response-not-ascending-hint"),
                   "warning")
        last = within if within is not None else last
        credit = _num(level.get("credit_percent"))
        if cap is not None and credit is not None and credit > cap:
            yield (base + (i, "credit_percent"), msg("level-credit-over-cap", credit=_show(credit), cap=_show(cap)),
                   msg("level-credit-over-cap-hint"))
    latency_credit = _num(_get(data, "standards", "latency", "credit_percent"))
    if cap is not None and latency_credit is not None and latency_credit > cap:
        yield (("standards", "latency", "credit_percent"),
               msg("level-credit-over-cap", credit=_show(latency_credit), cap=_show(cap)),
               msg("level-credit-over-cap-hint"))
    percentile = _num(_get(data, "standards", "latency", "percentile"))
    if percentile is not None and percentile < 50:
        yield (("standards", "latency", "percentile"), msg("percentile-low", value=_show(percentile)),
               msg("percentile-low-hint"), "warning")


def rule_credit_expiry(data):
    """Credits that expire must be credits, and must live long enough to be used."""
    expiry = _get(data, "deadlines", "credit_expiry")
    minutes = _minutes(expiry)
    if minutes is None:
        return
    settlement = _get(data, "standards", "settlement") or "credit"
    if settlement == "payment":
        yield (("deadlines", "credit_expiry"), msg("expiry-without-credits"), msg("expiry-without-credits-hint"),
               "warning")
        return
    if minutes < _PERIOD_MINUTES[_period(data)]:
        yield (("deadlines", "credit_expiry"), msg("expiry-too-short"), msg("expiry-too-short-hint"), "warning")
    if (_get(data, "standards", "outstanding_credit") or "paid_at_end") == "paid_at_end":
        yield (("deadlines", "credit_expiry"), msg("expiry-vs-paid-at-end"), msg("expiry-vs-paid-at-end-hint"),
               "warning")


def rule_mandatory_mediation(data):
    """Mediation that must come first needs a period, or the right to arbitrate or sue is held up for ever."""
    mediation = _get(data, "disputes", "mediation")
    if isinstance(mediation, dict) and mediation.get("mandatory") is True and mediation.get("period") is None:
        yield (("disputes", "mediation", "mandatory"), msg("mandatory-mediation-no-period"),
               msg("mandatory-mediation-no-period-hint"))


def rule_host_document(data):
    """A document signed on its own that is only "a Schedule" to an unnamed agreement cannot say what it belongs to."""
    document = _get(data, "document")
    if not isinstance(document, dict):
        return
    if document.get("precedence") and not (document.get("agreement_title") or document.get("reference")):
        yield (("document", "precedence"), msg("precedence-no-agreement"), msg("precedence-no-agreement-hint"),
               "warning")


def rule_open_values(data):
    """TBD / 待定 / [●] hold a place for a value still to be agreed: only a draft may have them
    (`--draft` renders them as blanks); in a final document they would print as they are."""
    from clausegen.blanks import open_paths

    for path in open_paths(data):
        yield (path, msg("open-not-draft", marker=repr(_get(data, *path).strip())), msg("open-not-draft-hint"))


RULES = {
    "open-values": rule_open_values,
    "per-hour-threshold": rule_per_hour_threshold,
    "annual-cap": rule_annual_cap,
    "unit-basis": rule_unit_basis,
    "response-levels": rule_response_levels,
    "credit-expiry": rule_credit_expiry,
    "mandatory-mediation": rule_mandatory_mediation,
    "host-document": rule_host_document,
}

MESSAGES = {
    "threshold-never-reached": (
        "the threshold is as long as the measurement period: no single Interruption can last longer, so no hourly "
        "compensation is ever due",
        "超出时长不短于计量周期：单次服务中断不可能超出该时长，按小时赔偿永远不会发生"),
    "threshold-never-reached-hint": ("give a threshold of hours, e.g. {{value: 4, unit: hours}}",
                                     "请以小时给出超出时长，如 {{value: 4, unit: hours}}"),
    "in-addition-alone": ("hourly compensation `in addition` to service credits, but the methods list no service credits",
                          "按小时赔偿为“另行赔偿”，但赔偿方式中没有服务费抵扣"),
    "in-addition-alone-hint": ("add service_credits to standards.methods, or drop in_addition",
                               "请在 standards.methods 中加入 service_credits，或删除 in_addition"),
    "annual-cap-below-period": (
        "the annual cap ({currency} {annual}) is lower than the cap for a single period ({currency} {period_cap}): "
        "the period cap could never be reached",
        "年度上限（{currency} {annual}）低于单个计量周期的上限（{currency} {period_cap}）：周期上限永远无法达到"),
    "annual-cap-below-period-hint": ("raise the annual cap above the period cap, or lower the period cap",
                                     "请将年度上限提高到周期上限以上，或降低周期上限"),
    "annual-cap-never-binds": (
        "the annual cap ({currency} {annual}) is not below the period caps of a whole year together "
        "({currency} {total}): it never applies",
        "年度上限（{currency} {annual}）不低于全年各周期上限之和（{currency} {total}）：该上限永远不会适用"),
    "annual-cap-never-binds-hint": ("lower the annual cap, or drop it", "请降低年度上限，或删除"),
    "unit-basis-no-unit": ("credits are a share of the unit fee, but service.unit is missing",
                           "抵扣以单元服务费为基数，但缺少 service.unit"),
    "unit-basis-no-unit-hint": ("add `unit: {{name: {{zh: 机柜, en: rack}}, monthly_fee: {{amount: 3000, currency: CNY}}}}` "
                                "under service",
                                "请在 service 下加入 `unit: {{name: {{zh: 机柜, en: rack}}, monthly_fee: "
                                "{{amount: 3000, currency: CNY}}}}`"),
    "unit-no-fee": ("credits are a share of the unit fee, but the unit has no monthly_fee",
                    "抵扣以单元服务费为基数，但计费单元没有 monthly_fee"),
    "unit-no-fee-hint": ("add `monthly_fee: {{amount: 3000, currency: CNY}}` under service.unit",
                         "请在 service.unit 下加入 `monthly_fee: {{amount: 3000, currency: CNY}}`"),
    "unit-unused": ("a unit of service is given, but credits are not calculated per unit",
                    "给出了计费单元，但服务费抵扣并非按单元计算"),
    "unit-unused-hint": ("set standards.service_credits.basis to unit_fee, or drop service.unit",
                         "请将 standards.service_credits.basis 设为 unit_fee，或删除 service.unit"),
    "priority-repeated": ("priority {priority} is listed twice (first as level {first})",
                          "优先级 {priority} 重复（第 {first} 级已列出）"),
    "priority-repeated-hint": ("give each priority once", "每个优先级只列一次"),
    "response-not-ascending": ("this priority must be answered faster than the one above it: levels run from the most "
                               "urgent down",
                               "该优先级的响应时限短于上一级：各级应自最紧急者依次排列"),
    "response-not-ascending-hint": ("list the most urgent priority first, with the shortest response time",
                                    "请将最紧急的优先级列在最前，其响应时限最短"),
    "level-credit-over-cap": ("a credit of {credit}% is more than the cap of {cap}%",
                              "抵扣比例 {credit}% 高于赔偿上限 {cap}%"),
    "level-credit-over-cap-hint": ("lower the credit, or raise standards.cap.percent", "请降低抵扣比例，或提高 standards.cap.percent"),
    "percentile-low": ("a latency limit met by only {value}% of requests says little about the service",
                       "仅 {value}% 的请求须满足的延迟上限对服务质量约束很弱"),
    "percentile-low-hint": ("use the 95th or 99th percentile", "请使用第 95 或第 99 百分位"),
    "expiry-without-credits": ("compensation is paid, not credited: there are no credits to expire",
                               "赔偿以支付方式给予，并无抵扣额可失效"),
    "expiry-without-credits-hint": ("drop deadlines.credit_expiry, or settle by credit", "请删除 deadlines.credit_expiry，或改为抵扣"),
    "expiry-too-short": ("credits expire within one measurement period: most would lapse before an invoice can use them",
                         "抵扣额在一个计量周期内即失效：多数抵扣额来不及在账单中使用"),
    "expiry-too-short-hint": ("let credits live at least a few months, e.g. {{value: 12, unit: months}}",
                              "请给抵扣额至少数月的有效期，如 {{value: 12, unit: months}}"),
    "expiry-vs-paid-at-end": ("credits expire, yet outstanding credit is paid at the end: credits that expired before "
                              "the end are not paid",
                              "抵扣额会失效，但期末未抵扣金额应予支付：期末前已失效的抵扣额不予支付"),
    "expiry-vs-paid-at-end-hint": ("make sure this is the deal; the clauses say expired credits are not paid",
                                   "请确认这是双方的约定；条款将写明已失效的抵扣额不予支付"),
    "mandatory-mediation-no-period": ("mediation must come first but has no period: the right to arbitrate or sue could be "
                                      "held up for ever",
                                      "调解为强制前置程序但没有期限：仲裁或诉讼的权利可能被无限期拖延"),
    "mandatory-mediation-no-period-hint": ("add `period: {{value: 30, unit: days}}` under disputes.mediation",
                                           "请在 disputes.mediation 下加入 `period: {{value: 30, unit: days}}`"),
    "precedence-no-agreement": ("an order of precedence over the main agreement, but the agreement is not named",
                                "约定了与主协议的效力优先顺序，但未写明主协议"),
    "precedence-no-agreement-hint": ("add document.agreement_title (or document.reference)",
                                     "请加入 document.agreement_title（或 document.reference）"),
    "open-value": ("{title} is open ({marker}): the draft shows a blank", "{title}待定（{marker}）：草稿中显示为空白"),
    "open-value-hint": ("fill it in before the document is signed", "签署前请填写"),
    "open-not-draft": ("{marker} marks an open value; only a draft may leave values open",
                       "{marker} 表示待定值；只有草稿可以保留待定值"),
    "open-not-draft-hint": ("fill it in, or render a draft with --draft (blanks are then listed at the end)",
                            "请填写，或以 --draft 生成草稿（待定事项列于文末）"),
}
CATALOG.update(MESSAGES)
