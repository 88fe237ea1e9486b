"""Validator messages and hints in English and Chinese: one catalog, looked up by key.

A drafting lawyer reads `clausegen validate` in the language of the spec: Chinese for a zh or
bilingual spec, English for an en spec (`--lang` overrides). Rules and the schema explainer
build `Msg` values (a key and its parameters); `text(lang)` words them when the problem is made.
Parameters that are themselves `Msg` values are worded in the same language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LANGS = ("en", "zh")


@dataclass(frozen=True)
class Msg:
    """A message to be worded later: `key` into `CATALOG` and its `params`."""

    key: str
    params: dict = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        """Return the message in `lang` (zh or en; anything else is English)."""
        en, zh = CATALOG[self.key]
        template = zh if lang == "zh" else en
        return template.format(**{k: word(v, lang) for k, v in self.params.items()})


def msg(_key: str, /, **params) -> Msg:
    """Return the message `_key` with `params`; raises KeyError for a key not in the catalog."""
    if _key not in CATALOG:
        raise KeyError(f"no message {_key!r} in the catalog")
    return Msg(_key, params)


def word(value, lang: str) -> str:
    """Return `value` worded in `lang`: a Msg is worded, a list joined, anything else as text."""
    if isinstance(value, Msg):
        return value.text(lang)
    if isinstance(value, (list, tuple)):
        return ("、" if lang == "zh" else ", ").join(word(v, lang) for v in value)
    return str(value)


def message_language(data, override: str | None = None) -> str:
    """Return the language of the messages about spec `data`: `override` if given, else zh for a
    zh or bilingual spec and en otherwise."""
    if override in LANGS:
        return override
    if override == "bilingual":
        return "zh"
    language = data.get("language") if isinstance(data, dict) else None
    return "zh" if language in ("zh", "bilingual") else "en"


_LANGUAGE_LINE = re.compile(r"^language:\s*['\"]?(zh|en|bilingual)['\"]?\s*(?:#.*)?$", re.M)


def sniff_language(text: str | None, override: str | None = None) -> str:
    """Return the message language of a spec whose text cannot be loaded, from its `language:` line."""
    if override:
        return message_language({}, override)
    m = _LANGUAGE_LINE.search(text or "")
    return message_language({"language": m.group(1)} if m else {})


# key: (English, Chinese). Placeholders in braces; values are quoted by the caller.
CATALOG: dict[str, tuple[str, str]] = {
    "literal": ("{en}", "{zh}"),
    # ------------------------------------------------------------ schema
    "unknown-key": ("unknown key {key}", "未知的键 {key}"),
    "unknown-family": ("clause family {family} is not in the library {library}",
                       "条款库 {library} 中没有条款族 {family}"),
    "unknown-family-hint": ("use one of its families: {known}", "可用的条款族：{known}"),
    "did-you-mean": ("did you mean {word}?", "是否应为 {word}？"),
    "allowed-here": ("allowed here: {words}", "此处可用的键：{words}"),
    "is-missing": ("is missing", "缺少此项"),
    "is-missing-titled": ("is missing ({title})", "缺少此项（{title}）"),
    "new-shows-example": ("`clausegen new` shows an example of every section",
                          "`clausegen new` 生成的样例包含每一节的写法"),
    "not-type": ("{value} is not {names}", "{value} 不是{names}"),
    "or": ("{a} or {b}", "{a}或{b}"),
    "type-number": ("a number", "数字"),
    "type-integer": ("a whole number", "整数"),
    "type-string": ("text", "文本"),
    "type-object": ("a mapping", "映射（键: 值）"),
    "type-array": ("a list", "列表"),
    "type-boolean": ("true or false", "true 或 false"),
    "type-null": ("empty", "空值"),
    "shape": ("a {name}", "{name}"),
    "write-number": ("write the number without quotes or a % sign: {n}", "请直接写数字，不加引号或 % 号：{n}"),
    "not-allowed": ("{value} is not one of the allowed values", "{value} 不是允许的取值"),
    "use-one-of": ("use one of: {options}", "可选取值：{options}"),
    "synonym": ("write {word} (for {value})", "请写 {word}（即 {value}）"),
    "must-be": ("{value} must be {expected}", "{value} 应为 {expected}"),
    "more-than": ("{value} is more than {limit}", "{value} 大于 {limit}"),
    "less-than": ("{value} is less than {limit}", "{value} 小于 {limit}"),
    "not-less-than": ("{value} is not less than {limit}", "{value} 不小于 {limit}"),
    "not-more-than": ("{value} is not more than {limit}", "{value} 不大于 {limit}"),
    "wrong-form": ("{value} has the wrong form", "{value} 的格式不正确"),
    "must-match": ("it must match {pattern}", "须符合格式 {pattern}"),
    "not-valid-format": ("{value} is not a valid {fmt}", "{value} 不是有效的{fmt}"),
    "format-date": ("date", "日期"),
    "dates-hint": ("write dates as YYYY-MM-DD", "日期请写作 YYYY-MM-DD"),
    "min-items": ("needs at least {n} item(s)", "至少需要 {n} 项"),
    "max-items": ("allows at most {n} item(s)", "最多只能有 {n} 项"),
    "unique-items": ("lists an item twice", "列出了重复的项"),
    "remove-repeated": ("remove the repeated item", "删除重复的项"),
    "not-empty": ("must not be empty", "不能为空"),
    "give-one-of": ("give at least one of: {keys}", "至少填写以下一项：{keys}"),
    # ------------------------------------------------------------ reading the file
    "yaml-comment": ("{rest} and the rest of the line are read as a YAML comment, so the value is only {value}",
                     "{rest} 及其后的文字被 YAML 当作注释，取值只剩 {value}"),
    "yaml-comment-hint": ("put the whole value in quotes: {key}: \"{full}\"",
                          "把整个取值放在引号内：{key}: \"{full}\""),
    # ------------------------------------------------------------ semantic rules
    "not-finite": ("{value} is not a finite number", "{value} 不是有限的数字"),
    "not-finite-hint": ("write an ordinary number such as 99.9", "请写普通数字，如 99.9"),
    "control-char": ("contains the control character {char}", "含有控制字符 {char}"),
    "control-char-hint": ("remove it; clause text can hold letters, digits, punctuation, tabs and line breaks",
                          "请删除该字符；条款文字只能包含文字、数字、标点、制表符和换行"),
    "availability-range": ("{value} is outside the usual range (90, 100)", "{value} 超出通常范围（90, 100）"),
    "availability-range-hint": ("write the percentage as a number such as 99.9 (100 promises no downtime at all)",
                                "请以数字写百分比，如 99.9（100 意味着承诺完全不中断）"),
    "tier-at-least-not-below": ("{at_least} is not below {below}", "{at_least} 不低于 {below}"),
    "tier-range-hint": ("a tier covers availability from at_least up to (not including) below",
                        "每一档覆盖从 at_least（含）到 below（不含）的可用率"),
    "tier-not-lower": ("{below} is not lower than the previous tier's {previous}",
                       "{below} 不低于上一档的 {previous}"),
    "tier-order-hint": ("list tiers from the highest availability band to the lowest", "请按可用率从高到低排列各档"),
    "tier-overlap": ("this tier overlaps the previous one (it starts below {below}, the previous ends at {previous})",
                     "本档与上一档重叠（本档自低于 {below} 起，上一档止于 {previous}）"),
    "set-below": ("set below to {value}", "请将 below 设为 {value}"),
    "set-below-each-once": ("set below to {value} so that each availability falls in one tier",
                            "请将 below 设为 {value}，使每个可用率只落入一档"),
    "tier-gap": ("availability between {low} and {high} falls in no tier", "可用率在 {low} 与 {high} 之间时不落入任何一档"),
    "tier-open": ("only the last tier may leave at_least open", "只有最后一档可以不写 at_least"),
    "tier-open-hint": ("give this tier an at_least value", "请为本档填写 at_least"),
    "tier-bottom": ("availability below {value} earns no credit at all", "可用率低于 {value} 时没有任何抵扣"),
    "tier-bottom-hint": ("leave at_least out of the last tier so that it covers every lower availability",
                         "最后一档不写 at_least，以覆盖所有更低的可用率"),
    "credit-decreasing": ("{credit} is less than the previous tier's {previous}", "{credit} 低于上一档的 {previous}"),
    "credit-decreasing-hint": ("a lower availability band should earn at least the same credit",
                               "可用率更低的一档，抵扣比例应不低于上一档"),
    "first-tier-above": ("{below} is above the availability target {target}: credits would be due while the "
                         "target is met", "{below} 高于可用性目标 {target}：达到目标时仍须抵扣"),
    "first-tier-below": ("availability between {below} and the target {target} misses the target but earns no credit",
                         "可用率在 {below} 与目标 {target} 之间时未达目标，却没有抵扣"),
    "set-below-gap": ("set below to {value} unless that gap is intended", "请将 below 设为 {value}，除非有意留此空档"),
    "credit-over-cap": ("{credit} is more than the cap of {cap} %", "{credit} 超过赔偿上限 {cap}%"),
    "credit-over-cap-hint": ("lower the credit or raise standards.cap.percent", "请降低抵扣比例或提高 standards.cap.percent"),
    "method-block-missing": ("the method {method} is listed but standards.{name} is missing",
                             "列出了赔偿方式 {method}，但缺少 standards.{name}"),
    "method-block-missing-hint": ("add a `{name}:` block under standards (see `clausegen new`)",
                                  "请在 standards 下添加 `{name}:`（参见 `clausegen new`）"),
    "method-block-unused": ("standards.{name} is given but {method} is not in standards.methods",
                            "给出了 standards.{name}，但 standards.methods 中没有 {method}"),
    "method-block-unused-hint": ("add {name} to standards.methods, or remove the block",
                                 "请把 {name} 加入 standards.methods，或删除该设置"),
    "per-hour-no-amount": ("the per-hour method has no amount", "按小时赔偿没有金额"),
    "per-hour-no-amount-hint": ("add `amount: {{amount: 500, currency: CNY}}` (or percent_of_fee) under standards.per_hour",
                                "请在 standards.per_hour 下添加 `amount: {{amount: 500, currency: CNY}}`（或 percent_of_fee）"),
    "no-institution": ("arbitration is chosen but no arbitration institution is named", "选择了仲裁，但未写明仲裁机构"),
    "no-institution-hint": ("name it, e.g. `arbitration: {{institution: 中国国际经济贸易仲裁委员会}}`: an arbitration "
                            "clause without an institution may be void under PRC law",
                            "请写明仲裁机构，如 `arbitration: {{institution: 中国国际经济贸易仲裁委员会}}`："
                            "依中国法律，未约定仲裁机构的仲裁条款可能无效"),
    "no-venue": ("court litigation is chosen but no court venue is named", "选择了诉讼，但未写明管辖法院"),
    "no-venue-hint": ("add `court: {{venue: ...}}`, e.g. the people's court where the provider is domiciled",
                      "请添加 `court: {{venue: ...}}`，如乙方住所地人民法院"),
    "forum-leftover": ("disputes.{other} is given but the method is {method}; it is ignored",
                       "给出了 disputes.{other}，但解决方式为 {method}，该设置将被忽略"),
    "forum-leftover-hint": ("remove disputes.{other} or change disputes.method", "请删除 disputes.{other} 或修改 disputes.method"),
    "notice-after-window": ("the provider's notice limit ({notice}) is not shorter than the claim window ({window})",
                            "乙方通知时限（{notice}）不短于申请期限（{window}）"),
    "notice-after-window-hint": ("the customer could lose its claim before it is told of the interruption; "
                                 "shorten the notice limit", "甲方可能在收到中断通知前即已丧失申请权利；请缩短通知时限"),
    "report-before-notice": ("the incident report ({report}) is due no later than the first notice ({notice})",
                             "事件报告时限（{report}）不晚于首次通知时限（{notice}）"),
    "report-before-notice-hint": ("give the report more time than the notice, e.g. 5 business days",
                                  "报告时限应长于通知时限，如 5 个工作日"),
    "maintenance-budget": ("{allowance} of maintenance a month does not fit in the {budget} minutes of downtime that "
                           "{target} % allows, and maintenance is not excluded",
                           "每月 {allowance} 的维护超出 {target}% 可用性所允许的 {budget} 分钟不可用时间，且维护未被除外"),
    "maintenance-budget-hint": ("add scheduled_maintenance to definition.exclusions, or shorten the allowance",
                                "请把 scheduled_maintenance 加入 definition.exclusions，或缩短维护时长"),
    "maintenance-no-notice": ("scheduled maintenance is excluded but no advance notice is required",
                              "计划内维护被除外，但未约定提前通知"),
    "maintenance-no-notice-hint": ("add `maintenance: {{notice: {{value: 72, unit: hours}}}}` under definition",
                                   "请在 definition 下添加 `maintenance: {{notice: {{value: 72, unit: hours}}}}`"),
    "emergency-no-cap": ("emergency maintenance is excluded from Downtime without a cap: any outage could be called "
                         "emergency maintenance", "紧急维护被排除在不可用时间之外却没有时长上限：任何中断都可能被称为紧急维护"),
    "emergency-no-cap-hint": ("add `emergency_allowance: {{value: 2, unit: hours}}` under definition.maintenance "
                              "(emergency maintenance beyond it counts as Downtime)",
                              "请在 definition.maintenance 下添加 `emergency_allowance: {{value: 2, unit: hours}}`"
                              "（超出部分计入不可用时间）"),
    "emergency-no-notice": ("emergency maintenance is excluded from Downtime but no notice of it is required",
                            "紧急维护被排除在不可用时间之外，但未约定通知"),
    "emergency-no-notice-hint": ("add `emergency_notice: {{value: 1, unit: hours}}` under definition.maintenance",
                                 "请在 definition.maintenance 下添加 `emergency_notice: {{value: 1, unit: hours}}`"),
    "emergency-cap-unused": ("an emergency maintenance allowance is given but emergency maintenance counts as Downtime",
                             "给出了紧急维护时长上限，但紧急维护本就计入不可用时间"),
    "emergency-cap-unused-hint": ("add emergency_maintenance to definition.exclusions, or remove emergency_allowance",
                                  "请把 emergency_maintenance 加入 definition.exclusions，或删除 emergency_allowance"),
    "event-both": ("{event} is both a covered event and an exclusion", "{event} 既是中断情形又是除外情形"),
    "event-both-hint": ("keep it in one list: covered (compensated) or excluded", "只保留在一个列表中：计入（赔偿）或除外"),
    "not-iso-currency": ("{code} is not an ISO 4217 currency code", "{code} 不是 ISO 4217 币种代码"),
    "not-iso-currency-known": ("write {iso}: {code} is a common name, not the ISO 4217 code",
                               "请写 {iso}：{code} 是俗称，不是 ISO 4217 代码"),
    "not-iso-currency-hint": ("use a three-letter ISO 4217 code, e.g. CNY, EUR, USD",
                              "请使用三个字母的 ISO 4217 代码，如 CNY、EUR、USD"),
    "currency-differs": ("{code} differs from {first} used at {where}", "{code} 与 {where} 使用的 {first} 不一致"),
    "currency-differs-hint": ("use one currency for every amount of the spec", "本规格的所有金额请使用同一币种"),
    "expiry-not-after": ("{end} is not after the effective date {start}", "{end} 不晚于生效日期 {start}"),
    "expiry-not-after-hint": ("the expiry date must come after the effective date", "届满日期应晚于生效日期"),
    "dated-after-expiry": ("{date} is after the expiry date {end}", "{date} 晚于届满日期 {end}"),
    "dated-after-expiry-hint": ("date the document before the term ends", "文件日期应早于期限届满"),
    "chronic-impossible": ("{missed} missed periods cannot happen within {within} periods",
                           "{within} 个周期内不可能有 {missed} 个周期未达标"),
    "chronic-impossible-hint": ("e.g. missed_periods: 2, within_periods: 3", "例如 missed_periods: 2, within_periods: 3"),
    "text-missing-lang": ("the {langs} text is missing", "缺少{langs}文本"),
    "lang-zh": ("Chinese", "中文"),
    "lang-en": ("English", "英文"),
    "text-missing-lang-hint": ("give the text as {{zh: ..., en: ...}} with {langs} filled in",
                               "请写作 {{zh: ..., en: ...}} 并填写{langs}"),
    "text-needs-both": ("a bilingual spec needs this text in both languages", "双语规格的此项文字须有中英文两种"),
    "text-needs-both-hint": ("write it as {{zh: ..., en: ...}}", "请写作 {{zh: ..., en: ...}}"),
    "text-other-language": ("has no {lang} text: the {other} {value} will appear in the {lang} clauses",
                            "没有{lang}文本：{other}的 {value} 将出现在{lang}条款中"),
    "text-other-language-hint": ("give it as {{zh: ..., en: ...}}, or render in the spec's language",
                                 "请写作 {{zh: ..., en: ...}}，或按规格自身的语言生成"),
    "step-order": ("{step} comes after {previous}", "{step} 排在 {previous} 之后"),
    "step-order-hint": ("list the steps in the order {order}", "请按以下顺序排列步骤：{order}"),
    "no-payment-deadline": ("settlement is {settlement} but deadlines.payment_deadline is missing",
                            "结算方式为 {settlement}，但缺少 deadlines.payment_deadline"),
    "no-payout-deadline": ("credit outstanding when the Agreement ends is paid out, but deadlines.payment_deadline "
                           "is missing", "本协议终止时未抵扣的余额须现金支付，但缺少 deadlines.payment_deadline"),
    "payment-deadline-hint": ("add `payment_deadline: {{value: 3, unit: business_days}}` under deadlines",
                              "请在 deadlines 下添加 `payment_deadline: {{value: 3, unit: business_days}}`"),
    "payout-deadline-hint": ("add `payment_deadline: {{value: 10, unit: business_days}}` under deadlines, or set "
                             "standards.outstanding_credit: lapses",
                             "请在 deadlines 下添加 `payment_deadline: {{value: 10, unit: business_days}}`，"
                             "或设置 standards.outstanding_credit: lapses"),
    "deadline-never-used": ("settlement is 'credit' and outstanding credit lapses: nothing is ever paid, so the "
                            "payment deadline has no effect", "结算方式为抵扣且余额不予兑现：从不支付现金，支付期限没有意义"),
    "deadline-never-used-hint": ("remove payment_deadline, or choose standards.settlement: payment or customer_choice",
                                 "请删除 payment_deadline，或把 standards.settlement 改为 payment 或 customer_choice"),
    "sub-cap-above-cap": ("the direct-loss cap of {sub} per Interruption is above the overall cap of {cap} per {period}, "
                          "so it can never apply", "每次中断直接损失赔偿上限 {sub} 高于每{period}赔偿总额上限 {cap}，永远不会适用"),
    "sub-cap-above-cap-hint": ("lower standards.direct_loss.cap, or take direct losses out of the overall cap "
                               "(standards.cap.covers without direct_loss)",
                               "请降低 standards.direct_loss.cap，或让总额上限不适用于直接损失"
                               "（standards.cap.covers 中不列 direct_loss）"),
    "cap-covers-unlisted": ("{method} is not in standards.methods", "standards.methods 中没有 {method}"),
    "cap-covers-unlisted-hint": ("list only methods the spec uses", "请只列出本规格采用的赔偿方式"),
    "basis-monthly-for-period": ("availability is measured per {period} but credits are a percentage of the monthly "
                                 "fee", "可用率按{period}计量，服务费抵扣却以月服务费为基数"),
    "basis-monthly-for-period-hint": ("set standards.service_credits.basis: period_fee (the fees for the {period}), "
                                      "or measure per month", "请设置 standards.service_credits.basis: period_fee"
                                      "（该{period}的服务费），或按月计量"),
    "period-month": ("month", "月"),
    "period-quarter": ("quarter", "季度"),
    "period-year": ("year", "年"),
    "free-time-short-outage": ("a one-minute Interruption earns {ratio} free days: each started day counts in full",
                               "一分钟的中断即可获得 {ratio} 日免费服务期：不足一日按一日计"),
    "free-time-short-outage-hint": ("count full days of Downtime (rounding: full_day or pro_rata), or use a ratio of 1",
                                    "请只计满一日的不可用时间（rounding: full_day 或 pro_rata），或把比例设为 1"),
    "whole-duration": ("{value} {unit} is not a whole number of {unit}", "{value} {unit}不是整数"),
    "whole-duration-smaller": ("write it as {smaller}", "请写作 {smaller}"),
    "whole-duration-hint": ("durations are drafted in whole units; use a whole number", "期限以整数单位约定；请写整数"),
    "whole-ratio": ("{value} days of free service per day is not a whole number", "每日补偿 {value} 日免费服务期不是整数"),
    "whole-ratio-hint": ("use a whole number of days, e.g. 1 or 2", "请写整数日，如 1 或 2"),
    "duration": ("{value} {unit}", "{value} {unit}"),
    "unit-minutes": ("minutes", "分钟"),
    "unit-hours": ("hours", "小时"),
    "unit-days": ("days", "日"),
    "unit-business_days": ("business days", "个工作日"),
    "unit-months": ("months", "个月"),
    "verification-basis": ("claims are verified against {basis}, but availability is measured by {measured}",
                           "赔偿申请依据{basis}核实，可用率却以{measured}为准"),
    "verification-basis-hint": ("use one source of records: set process.verification.basis: {fit}",
                                "请统一记录来源：设置 process.verification.basis: {fit}"),
    "source-provider": ("the provider's monitoring", "乙方监控数据"),
    "source-customer": ("the customer's monitoring", "甲方监控数据"),
    "source-third_party": ("third-party monitoring", "第三方监控数据"),
    "source-joint": ("joint records of both parties", "双方共同记录"),
    "negotiation-open-ended": ("negotiation has no period: the clause cannot say when a party may start proceedings",
                               "协商没有期限：条款无法说明何时可以提起仲裁或诉讼"),
    "negotiation-open-ended-hint": ("add `period: {{value: 30, unit: days}}` under disputes.negotiation",
                                    "请在 disputes.negotiation 下添加 `period: {{value: 30, unit: days}}`"),
    "mediation-open-ended": ("mediation has no period: it cannot hold up the proceedings, so it is drafted as optional",
                             "调解没有期限：调解不能阻止仲裁或诉讼，条款将其写为可选程序"),
    "mediation-open-ended-hint": ("add `period: {{value: 30, unit: days}}` under disputes.mediation",
                                  "请在 disputes.mediation 下添加 `period: {{value: 30, unit: days}}`"),
    "no-prevailing-language": ("a bilingual spec names no prevailing language: the clauses make the Chinese text prevail",
                               "双语规格未约定以哪种文本为准：条款将约定以中文文本为准"),
    "no-prevailing-language-hint": ("add `prevailing_language: zh` (or en) under document: which text governs if "
                                    "the two differ", "请在 document 下添加 `prevailing_language: zh`（或 en）："
                                    "两种文本不一致时以哪种为准"),
    # ------------------------------------------------------------ summary lines
    "summary-valid": ("{n} spec(s) valid", "{n} 个规格有效"),
    "summary-warnings": (", {n} warning(s)", "，{n} 个警告"),
    "summary-problems": ("{errors} error(s), {warnings} warning(s)", "{errors} 个错误，{warnings} 个警告"),
}


# ---------------------------------------------------------------- loading errors
# The YAML loader (clausegen.yamlsource) is shared with rule files and playbooks and words its
# errors in English; for a Chinese spec they are worded again from this table. Parser details
# PyYAML gives in English stay quoted as they are.

_LOAD_MESSAGES = [
    (r"no such file", "文件不存在"),
    (r"is a folder, not a spec file", "这是文件夹，不是规格文件"),
    (r"not a regular file \(a device, pipe or socket\)", "不是普通文件（设备、管道或套接字）"),
    (r"the file is (\d+) bytes; specs are limited to (\d+) bytes", r"文件有 \1 字节，规格文件不得超过 \2 字节"),
    (r"cannot read the file: (.*)", r"无法读取文件：\1"),
    (r"the file is larger than (\d+) bytes", r"文件大于 \1 字节"),
    (r"byte (0x[0-9a-f]+) is not valid UTF-8", r"字节 \1 不是有效的 UTF-8 编码"),
    (r"the file is empty", "文件为空"),
    (r"the text holds an invalid character \(a lone surrogate\)", "文本含有无效字符（孤立的代理码位）"),
    (r"(not valid YAML: )?the document is nested too deeply", "文档嵌套层级过深"),
    (r"not valid YAML: a tab character is used for indentation", "不是有效的 YAML：使用了制表符缩进"),
    (r"not valid YAML: the file holds more than one YAML document \(a second '---'\)",
     "不是有效的 YAML：文件包含多个 YAML 文档（出现了第二个 '---'）"),
    (r"not valid YAML: (.*)", r"不是有效的 YAML（解析器提示：\1）"),
    (r"the top level is a list, not a mapping of sections", "顶层是列表，而不是由各节组成的映射"),
    (r"the top level is the value (.*), not a mapping of sections", r"顶层是取值 \1，而不是由各节组成的映射"),
    (r"the character (.*) \((U\+[0-9A-F]+)\) is not allowed in YAML", r"YAML 中不允许出现字符 \1（\2）"),
    (r"the document uses more than (\d+) aliases \(\*name\)", r"文档使用了超过 \1 个别名（*name）"),
    (r"the document expands to more than (\d+) values \(aliases\)", r"文档展开后超过 \1 个值（别名）"),
    (r"an alias refers to a value that contains it \(recursive alias\)", "别名引用了包含它自身的值（递归别名）"),
    (r"the tag (.*) is not allowed in a spec", r"规格中不允许使用标签 \1"),
    (r"a merge key \(<<\) needs a mapping or a list of mappings", "合并键（<<）须对应映射或映射列表"),
    (r"a key must be plain text, not a list or mapping", "键须为纯文本，不能是列表或映射"),
    (r"duplicate key (.*) \(first at line (\d+)\)", r"重复的键 \1（首次出现于第 \2 行）"),
    (r"duplicate key (.*)", r"重复的键 \1"),
]
_LOAD_HINTS = [
    (r"check the path; `clausegen new > spec\.yaml` starts a spec", "请检查路径；`clausegen new > spec.yaml` 可生成新规格"),
    (r"name the \.yaml files inside it", "请指定其中的 .yaml 文件"),
    (r"save the spec as a file and pass that", "请将规格保存为文件后再传入"),
    (r"a spec is a few kilobytes; raise (\S+) if this one is real", r"规格文件通常只有几 KB；确需更大时请调高 \1"),
    (r"raise (\S+) if this spec is real", r"确需更大时请调高 \1"),
    (r"save the file as UTF-8 .*", "请将文件另存为 UTF-8 编码（多数编辑器：另存为… → 编码：UTF-8）"),
    (r"`clausegen new --lang en > spec\.yaml` prints a complete starter spec", "`clausegen new > spec.yaml` 可生成完整的样例规格"),
    (r"remove the character or save the text as UTF-8", "请删除该字符，或将文本保存为 UTF-8"),
    (r"a spec needs only a few levels of nesting \(limit (\d+)\)", r"规格只需几层嵌套（上限 \1 层）"),
    (r"YAML indents with spaces only; replace the tabs with spaces", "YAML 只能用空格缩进；请把制表符换成空格"),
    (r"keep one spec per file", "每个文件只写一个规格"),
    (r"a value containing ': ' must be quoted, or the indentation is off", "含有 ': ' 的取值须加引号，或缩进有误"),
    (r"define the anchor \(&name\) before using the alias \(\*name\)", "请先定义锚点（&name）再使用别名（*name）"),
    (r"check the indentation and quoting around this position", "请检查此处附近的缩进和引号"),
    (r"a spec starts with keys such as .*", "规格以 `language:`、`parties:`、`service:` 等键开头"),
    (r"remove control characters from the file", "请删除文件中的控制字符"),
    (r"a spec needs (few|no) anchors and aliases .*", "规格不需要锚点和别名（&name / *name）；请直接写出取值"),
    (r"remove the recursive anchor/alias", "请删除递归的锚点/别名"),
    (r"remove the tag; .*", "请删除标签；规格只能包含文本、数字、日期、true/false、列表和映射"),
    (r"YAML keeps only the last value silently; remove one of them", "YAML 会静默保留最后一个值；请删除其中一个"),
]


def _reword(text: str | None, table) -> str | None:
    if not text:
        return text
    for pattern, repl in table:
        m = re.fullmatch(pattern, text, re.S)
        if m:
            return m.expand(repl)
    return text


def load_error(message: str, hint: str | None, lang: str) -> tuple[str, str | None]:
    """Return the loader's `message` and `hint` (English) in `lang`."""
    if lang != "zh":
        return message, hint
    return _reword(message, _LOAD_MESSAGES), _reword(hint, _LOAD_HINTS)
