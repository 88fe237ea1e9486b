"""The semantic rules of a spec beside its schema (one function per rule, registered in RULES)."""

from __future__ import annotations

import re

from clausegen.errors import Problem
from clausegen.messages import message_language, msg
from clausegen.spec.explain import show_value
from clausegen.spec.schema import LANGUAGES, format_path, spec_schema
from clausegen.yamlsource import find_mark


_MINUTES = {"minutes": 1, "hours": 60, "days": 1440, "business_days": 1440, "months": 43200}

_PERIOD_MINUTES = {"month": 43200, "quarter": 129600, "year": 525600}

_PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _get(data, *keys):
    for key in keys:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and -len(data) <= key < len(data):
            data = data[key]
        else:
            return None
    return data


def _num(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value:  # NaN
        return None
    return float(value)


def _list(value) -> list:
    return value if isinstance(value, list) else []


def duration_minutes(value, business_day_factor: float = 1.0) -> float | None:
    """Return the duration `value` ({value, unit}) in minutes, or None if it is not one.

    A business day counts `business_day_factor` calendar days (1.0 for lower bounds; 1.4 spreads
    a week's five business days over seven days for upper bounds).
    """
    if not isinstance(value, dict):
        return None
    amount, unit = _num(value.get("value")), value.get("unit")
    if amount is None or not isinstance(unit, str) or unit not in _MINUTES:
        return None
    factor = _MINUTES[unit] * (business_day_factor if unit == "business_days" else 1)
    return amount * factor


def _show_duration(value):
    if not isinstance(value, dict):
        return show_value(value)
    unit = value.get("unit")
    name = msg(f"unit-{unit}") if unit in _MINUTES else str(unit or "")
    return msg("duration", value=show_value(value.get("value")), unit=name)


def rule_availability_range(data):
    """Availability targets outside (90, 100) are either typos or not a service level."""
    target = _num(_get(data, "service", "availability_target"))
    if target is not None and not 90 < target < 100:
        yield (("service", "availability_target"), msg("availability-range", value=show_value(target)),
               msg("availability-range-hint"))


def rule_tiers_ordered(data):
    """Credit tiers run from the highest availability band down, without overlap or inversion."""
    tiers = _list(_get(data, "standards", "service_credits", "tiers"))
    base = ("standards", "service_credits", "tiers")
    prev = None
    for i, tier in enumerate(tiers):
        below, at_least = _num(_get(tier, "below")), _num(_get(tier, "at_least"))
        if below is not None and at_least is not None and at_least >= below:
            yield (base + (i, "at_least"), msg("tier-at-least-not-below", at_least=show_value(at_least), below=show_value(below)),
                   msg("tier-range-hint"))
        if prev is not None and below is not None:
            pbelow, pat_least = prev
            if pbelow is not None and below >= pbelow:
                yield (base + (i, "below"), msg("tier-not-lower", below=show_value(below), previous=show_value(pbelow)),
                       msg("tier-order-hint"))
            elif pat_least is not None and below > pat_least:
                yield (base + (i, "below"), msg("tier-overlap", below=show_value(below), previous=show_value(pat_least)),
                       msg("set-below-each-once", value=show_value(pat_least)))
            elif pat_least is not None and below < pat_least:
                yield (base + (i, "below"), msg("tier-gap", low=show_value(below), high=show_value(pat_least)),
                       msg("set-below", value=show_value(pat_least)), "warning")
        if prev is not None and prev[1] is None:
            yield (base + (i - 1,), msg("tier-open"), msg("tier-open-hint"))
        prev = (below, at_least)
    if prev is not None and prev[1] is not None and prev[1] > 0:
        yield (base + (len(tiers) - 1, "at_least"), msg("tier-bottom", value=show_value(prev[1])),
               msg("tier-bottom-hint"), "warning")


def rule_tiers_credit_increasing(data):
    """Lower availability must not earn a smaller credit."""
    tiers = _list(_get(data, "standards", "service_credits", "tiers"))
    last = None
    for i, tier in enumerate(tiers):
        credit = _num(_get(tier, "credit_percent"))
        if credit is None:
            continue
        if last is not None and credit < last:
            yield (("standards", "service_credits", "tiers", i, "credit_percent"),
                   msg("credit-decreasing", credit=show_value(credit), previous=show_value(last)),
                   msg("credit-decreasing-hint"), "warning")
        last = credit


def rule_first_tier_at_target(data):
    """The first tier should start at the availability target: above it the target is met."""
    target = _num(_get(data, "service", "availability_target"))
    below = _num(_get(data, "standards", "service_credits", "tiers", 0, "below"))
    if target is not None and below is not None and below > target:
        yield (("standards", "service_credits", "tiers", 0, "below"),
               msg("first-tier-above", below=show_value(below), target=show_value(target)),
               msg("set-below", value=show_value(target)))
    elif target is not None and below is not None and below < target:
        yield (("standards", "service_credits", "tiers", 0, "below"),
               msg("first-tier-below", below=show_value(below), target=show_value(target)),
               msg("set-below-gap", value=show_value(target)), "warning")


def rule_credit_within_cap(data):
    """No tier may credit more than the cap."""
    cap = _num(_get(data, "standards", "cap", "percent"))
    if cap is None:
        return
    for i, tier in enumerate(_list(_get(data, "standards", "service_credits", "tiers"))):
        credit = _num(_get(tier, "credit_percent"))
        if credit is not None and cap < credit <= 100:  # above 100 the schema already says so
            yield (("standards", "service_credits", "tiers", i, "credit_percent"),
                   msg("credit-over-cap", credit=show_value(credit), cap=show_value(cap)), msg("credit-over-cap-hint"))


def rule_method_blocks(data):
    """Each compensation method listed has its block; a block for an unlisted method is ignored."""
    standards = _get(data, "standards")
    if not isinstance(standards, dict):
        return
    methods = [m for m in _list(standards.get("methods")) if isinstance(m, str)]
    for i, method in enumerate(methods):
        if method in _METHOD_BLOCKS and method not in standards:
            yield (("standards", "methods", i), msg("method-block-missing", method=repr(method), name=method),
                   msg("method-block-missing-hint", name=method))
    for method in _METHOD_BLOCKS:
        if method in standards and method not in methods:
            yield (("standards", method), msg("method-block-unused", method=repr(method), name=method),
                   msg("method-block-unused-hint", name=method), "warning")


_METHOD_BLOCKS = ("service_credits", "per_hour", "direct_loss", "free_service_time")


def rule_per_hour_amount(data):
    """Per-hour compensation needs an amount per hour (or a percentage of the fee)."""
    methods = _list(_get(data, "standards", "methods"))
    block = _get(data, "standards", "per_hour")
    if "per_hour" in methods and isinstance(block, dict) and "amount" not in block and "percent_of_fee" not in block:
        yield (("standards", "per_hour"), msg("per-hour-no-amount"), msg("per-hour-no-amount-hint"))


def rule_dispute_forum(data):
    """Arbitration needs an institution; a court needs a venue."""
    method = _get(data, "disputes", "method")
    if method == "arbitration" and not _text_present(_get(data, "disputes", "arbitration", "institution")):
        yield (("disputes", "arbitration") if isinstance(_get(data, "disputes", "arbitration"), dict)
               else ("disputes", "method"), msg("no-institution"), msg("no-institution-hint"))
    if method == "court" and not _text_present(_get(data, "disputes", "court", "venue")):
        yield (("disputes", "court") if isinstance(_get(data, "disputes", "court"), dict) else ("disputes", "method"),
               msg("no-venue"), msg("no-venue-hint"))


def rule_dispute_block_mismatch(data):
    """A block for the forum that was not chosen is probably a leftover."""
    method = _get(data, "disputes", "method")
    other = {"arbitration": "court", "court": "arbitration"}.get(method) if isinstance(method, str) else None
    if other and _get(data, "disputes", other) is not None:
        yield (("disputes", other), msg("forum-leftover", other=other, method=repr(method)),
               msg("forum-leftover-hint", other=other), "warning")


def _text_present(value) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict):
        return any(isinstance(v, str) and v.strip() for v in value.values())
    return False


def rule_notice_before_claim_window(data):
    """The provider must have to notify well before the customer's claim window closes."""
    notice = duration_minutes(_get(data, "notification", "provider_notice", "within"), 1.4)
    window = duration_minutes(_get(data, "deadlines", "claim_window"), 1.0)
    if notice is not None and window is not None and notice >= window:
        yield (("notification", "provider_notice", "within"),
               msg("notice-after-window", notice=_show_duration(_get(data, "notification", "provider_notice", "within")),
                   window=_show_duration(_get(data, "deadlines", "claim_window"))),
               msg("notice-after-window-hint"))


def rule_report_after_notice(data):
    """The incident report comes after the first notice, not before."""
    within = _get(data, "notification", "provider_notice", "within")
    report = _get(data, "notification", "incident_report", "within")
    notice_m, report_m = duration_minutes(within, 1.0), duration_minutes(report, 1.4)
    if notice_m is not None and report_m is not None and report_m <= notice_m:
        yield (("notification", "incident_report", "within"),
               msg("report-before-notice", report=_show_duration(report), notice=_show_duration(within)),
               msg("report-before-notice-hint"))


def rule_maintenance_budget(data):
    """Maintenance that counts as downtime must fit in the downtime the target allows."""
    exclusions = _list(_get(data, "definition", "exclusions"))
    allowance_v = _get(data, "definition", "maintenance", "monthly_allowance")
    allowance = duration_minutes(allowance_v, 1.0)
    target = _num(_get(data, "service", "availability_target"))
    if allowance is None or target is None or not 0 < target < 100 or "scheduled_maintenance" in exclusions:
        return
    budget = (100 - target) / 100 * _PERIOD_MINUTES["month"]
    if allowance > budget:
        yield (("definition", "maintenance", "monthly_allowance"),
               msg("maintenance-budget", allowance=_show_duration(allowance_v), budget=f"{budget:.0f}",
                   target=show_value(target)),
               msg("maintenance-budget-hint"))


def rule_maintenance_notice(data):
    """Excluding scheduled maintenance is fair only with advance notice of it."""
    if "scheduled_maintenance" in _list(_get(data, "definition", "exclusions")) and \
            _get(data, "definition", "maintenance", "notice") is None:
        yield (("definition", "exclusions"), msg("maintenance-no-notice"), msg("maintenance-no-notice-hint"))


def rule_events_not_both(data):
    """An event cannot be both an interruption and excluded from it."""
    covered = _list(_get(data, "definition", "covered_events"))
    for i, event in enumerate(_list(_get(data, "definition", "exclusions"))):
        if isinstance(event, str) and event in covered:
            yield (("definition", "exclusions", i), msg("event-both", event=repr(event)), msg("event-both-hint"))


def _money_nodes(data):
    """Yield (path, currency) of every {amount, currency} in `data`."""
    for path, node in _nodes(data):
        if isinstance(node, dict) and "currency" in node and "amount" in node and isinstance(node["currency"], str):
            yield path + ("currency",), node["currency"]


def rule_iso_currency(data):
    """Currencies are ISO 4217 codes: RMB is the renminbi's name, its code is CNY."""
    for path, code in _money_nodes(data):
        if re.fullmatch(r"[A-Z]{3}", code) and code not in ISO_4217:  # other shapes: the schema says so
            iso = COMMON_CURRENCY_NAMES.get(code)
            yield (path, msg("not-iso-currency", code=repr(code)),
                   msg("not-iso-currency-known", iso=iso, code=code) if iso else msg("not-iso-currency-hint"))


def rule_currency_consistent(data):
    """All amounts of one spec are in one currency."""
    seen = [(path, code) for path, code in _money_nodes(data) if code in ISO_4217]  # others: iso-currency
    if not seen:
        return
    # The currency most amounts use is taken as meant; the odd ones out are reported.
    counts: dict = {}
    for _, code in seen:
        counts[code] = counts.get(code, 0) + 1
    first = max(counts, key=lambda c: (counts[c], -[code for _, code in seen].index(c)))
    first_path = next(path for path, code in seen if code == first)
    for path, currency in seen:
        if currency != first:
            yield (path, msg("currency-differs", code=repr(currency), first=repr(first), where=format_path(first_path)),
                   msg("currency-differs-hint"))


def rule_dates_in_order(data):
    """The term ends after it starts; the document is not dated after the term ends."""
    start, end = _get(data, "term", "effective_date"), _get(data, "term", "expiry_date")
    if isinstance(start, str) and isinstance(end, str) and start[:10] >= end[:10]:
        yield (("term", "expiry_date"), msg("expiry-not-after", end=repr(end), start=repr(start)),
               msg("expiry-not-after-hint"))
    doc_date = _get(data, "document", "date")
    if isinstance(doc_date, str) and isinstance(end, str) and doc_date[:10] > end[:10]:
        yield (("document", "date"), msg("dated-after-expiry", date=repr(doc_date), end=repr(end)),
               msg("dated-after-expiry-hint"))


def rule_chronic_failure(data):
    """"Missed in M of N periods" needs M <= N."""
    missed = _num(_get(data, "standards", "chronic_failure", "missed_periods"))
    within = _num(_get(data, "standards", "chronic_failure", "within_periods"))
    if missed is not None and within is not None and missed > within:
        yield (("standards", "chronic_failure", "missed_periods"),
               msg("chronic-impossible", missed=show_value(missed), within=show_value(within)), msg("chronic-impossible-hint"))


def rule_localized_text(data):
    """A bilingual spec gives every text in both languages; a zh or en spec has that language."""
    language = data.get("language")
    if language not in LANGUAGES:
        return
    needed = ("zh", "en") if language == "bilingual" else (language,)
    for path in _localized_paths(data):
        value = _get(data, *path)
        if isinstance(value, dict):
            missing = [msg(f"lang-{lang}") for lang in needed if not _text_present(value.get(lang))]
            if missing:
                yield (path, msg("text-missing-lang", langs=missing), msg("text-missing-lang-hint", langs=missing))
        elif isinstance(value, str) and language == "bilingual":
            yield (path, msg("text-needs-both"), msg("text-needs-both-hint"))


def language_problems(data, lang: str, marks: dict | None = None, file: str = "<spec>",
                      message_lang: str | None = None) -> list[Problem]:
    """Return warnings for texts that have no `lang` version and so appear in the other language
    in `lang` clauses (rendering a Chinese spec with --lang en puts its Chinese names in English text).

    `lang` is the output language (zh, en or bilingual); the party roles are left out (clausegen
    words them itself when the spec's role is in the other language).
    """
    if not isinstance(data, dict) or lang not in LANGUAGES:
        return []
    from clausegen.render.filters import has_cjk

    language = message_language(data, message_lang)
    outputs = ("zh", "en") if lang == "bilingual" else (lang,)
    out = []
    for path in _localized_paths(data):
        if path[-1] == "role":
            continue
        value = _get(data, *path)
        for output in outputs:
            other = "en" if output == "zh" else "zh"
            if isinstance(value, dict):
                shown = value.get(other) if not _text_present(value.get(output)) else None
            elif isinstance(value, str):
                wrong = has_cjk(value) if output == "en" else (not has_cjk(value) and re.search(r"[A-Za-z]{3,}", value))
                shown = value if wrong else None
            else:
                shown = None
            if not shown:
                continue
            short = shown if len(shown) <= 40 else shown[:39] + "…"
            line, col = find_mark(marks, path) or (None, None)
            out.append(Problem(file=file, line=line, col=col, pointer=format_path(path),
                               message=msg("text-other-language", lang=msg(f"lang-{output}"), other=msg(f"lang-{other}"),
                                           value=repr(short)).text(language),
                               hint=msg("text-other-language-hint").text(language), severity="warning",
                               code="text-language"))
    return out


def _localized_paths(data):
    """Yield the paths of the localized-text fields present in `data` (as the schema marks them)."""
    from clausegen.resources import resolve_ref

    schema = spec_schema()

    def is_text(sub):
        return isinstance(sub, dict) and sub.get("$ref") == "#/$defs/text"

    def walk(node, sub, path):
        if isinstance(sub, dict) and "$ref" in sub and not is_text(sub):
            sub = resolve_ref(sub, schema)
        if is_text(sub):
            yield path
            return
        if not isinstance(sub, dict):
            return
        if isinstance(node, dict):
            for key, child in sub.get("properties", {}).items():
                if key in node:
                    yield from walk(node[key], child, path + (key,))
        elif isinstance(node, list) and isinstance(sub.get("items"), dict):
            for i, item in enumerate(node):
                yield from walk(item, sub["items"], path + (i,))

    yield from walk(data, schema, ())


_STEP_ORDER = ("confirm_cause_and_scope", "notify", "claim", "verify", "agree_amount", "pay")


def rule_steps_in_order(data):
    """The compensation steps follow the seed's order: confirm, notify, claim, verify, agree, pay."""
    steps = [x for x in _list(_get(data, "process", "steps")) if isinstance(x, str) and x in _STEP_ORDER]
    for i in range(1, len(steps)):
        if _STEP_ORDER.index(steps[i]) < _STEP_ORDER.index(steps[i - 1]):
            yield (("process", "steps", i), msg("step-order", step=repr(steps[i]), previous=repr(steps[i - 1])),
                   msg("step-order-hint", order=" → ".join(_STEP_ORDER)), "warning")
            return


def rule_payment_deadline(data):
    """Compensation that may be paid out needs a payment deadline; a bare promise to pay is vague."""
    settlement = _get(data, "standards", "settlement")
    if settlement in ("payment", "customer_choice") and _get(data, "deadlines", "payment_deadline") is None:
        where = ("deadlines",) if isinstance(_get(data, "deadlines"), dict) else ("standards", "settlement")
        yield (where, msg("no-payment-deadline", settlement=repr(settlement)), msg("payment-deadline-hint"))


def _nodes(data, keys: bool = False):
    """Yield (path, node) for every node of spec `data` in document order, a mapping or list before
    what it holds; with `keys`, every mapping key too, as (path of its value, key), before its value."""
    def walk(node, path):
        yield path, node
        if isinstance(node, dict):
            for k, v in node.items():
                if keys:
                    yield path + (k,), k
                yield from walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, path + (i,))

    yield from walk(data, ())


def _leaves(data, keys: bool = False):
    """Yield (path, value) for every scalar of spec `data` (and every mapping key, with `keys`)."""
    return ((path, node) for path, node in _nodes(data, keys) if not isinstance(node, (dict, list)))


def rule_finite_numbers(data):
    """.nan and .inf are YAML numbers but no contract term; NaN even slips past range checks."""
    for path, node in _leaves(data):
        if isinstance(node, float) and (node != node or node in (float("inf"), float("-inf"))):
            yield (path, msg("not-finite", value=show_value(node)), msg("not-finite-hint"))


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def rule_printable_text(data):
    """Control characters (JSON and the web form let them in) cannot be written to a Word document."""
    for path, node in _leaves(data, keys=True):
        m = _NOT_XML.search(node) if isinstance(node, str) else None
        if m:
            yield (path, msg("control-char", char=f"U+{ord(m.group()):04X}"), msg("control-char-hint"))


def rule_whole_durations(data):
    """Durations are whole numbers of their unit: "zero point five minutes" is no drafting."""
    def walk(node, path):
        if isinstance(node, dict):
            value, unit = _num(node.get("value")), node.get("unit")
            if value is not None and isinstance(unit, str) and unit in _MINUTES and set(node) <= {"value", "unit"}:
                if value > 0 and not value.is_integer():
                    smaller = _smaller_unit(value, unit)
                    yield (path + ("value",), msg("whole-duration", value=show_value(value), unit=msg(f"unit-{unit}")),
                           msg("whole-duration-smaller", smaller=smaller) if smaller else msg("whole-duration-hint"))
                return
            for k, v in node.items():
                yield from walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, path + (i,))

    yield from walk(data, ())
    ratio = _num(_get(data, "standards", "free_service_time", "ratio"))
    if ratio is not None and ratio > 0 and not ratio.is_integer():
        yield (("standards", "free_service_time", "ratio"), msg("whole-ratio", value=show_value(ratio)), msg("whole-ratio-hint"))


_SMALLER = {"hours": ("minutes", 60), "days": ("hours", 24)}


def _smaller_unit(value: float, unit: str):
    """Return `value` `unit` as a whole number of the next smaller unit ("90 minutes"), or None."""
    if unit not in _SMALLER:
        return None
    small, factor = _SMALLER[unit]
    amount = value * factor
    if not float(amount).is_integer():
        return None
    return f"{{value: {int(amount)}, unit: {small}}}"


def rule_emergency_maintenance(data):
    """Excluded emergency maintenance needs a cap and a notice, or any outage could be called an emergency."""
    maintenance = _get(data, "definition", "maintenance")
    maintenance = maintenance if isinstance(maintenance, dict) else {}
    excluded = "emergency_maintenance" in _list(_get(data, "definition", "exclusions"))
    where = ("definition", "maintenance") if maintenance else ("definition", "exclusions")
    if excluded and maintenance.get("emergency_allowance") is None:
        yield (where, msg("emergency-no-cap"), msg("emergency-no-cap-hint"))
    if excluded and maintenance.get("emergency_notice") is None:
        yield (where, msg("emergency-no-notice"), msg("emergency-no-notice-hint"))
    if not excluded and maintenance.get("emergency_allowance") is not None:
        yield (("definition", "maintenance", "emergency_allowance"), msg("emergency-cap-unused"),
               msg("emergency-cap-unused-hint"), "warning")


def _money(value):
    """Return (amount, currency) of a money mapping, or None."""
    if isinstance(value, dict) and _num(value.get("amount")) is not None and isinstance(value.get("currency"), str):
        return _num(value["amount"]), value["currency"]
    return None


def _show_money(amount: float, currency: str) -> str:
    digits = f"{amount:,.2f}" if not float(amount).is_integer() else f"{int(amount):,}"
    return f"{currency} {digits}"


def overall_cap(data):
    """Return the overall cap per measurement period as (amount, currency), or None if it is no amount.

    A percentage cap is taken of the monthly fee times the months of the period; with both a
    percentage and an amount, the lower applies.
    """
    cap = _get(data, "standards", "cap")
    if not isinstance(cap, dict):
        return None
    found = []
    fixed = _money(cap.get("amount"))
    if fixed:
        found.append(fixed)
    percent, fee = _num(cap.get("percent")), _money(_get(data, "service", "monthly_fee"))
    period = _get(data, "service", "measurement_period") or "month"
    months = _PERIOD_MONTHS.get(period) if isinstance(period, str) else None
    if percent is not None and fee and months:
        found.append((percent / 100 * fee[0] * months, fee[1]))
    currencies = {c for _, c in found}
    if not found or len(currencies) > 1:
        return None
    return min(found)


def cap_covers(data) -> list:
    """Return the compensation methods the overall cap limits (default: every method listed)."""
    covers = _get(data, "standards", "cap", "covers")
    if isinstance(covers, list):
        return [c for c in covers if isinstance(c, str)]
    return [m for m in _list(_get(data, "standards", "methods")) if isinstance(m, str)]


def rule_sub_cap(data):
    """A per-Interruption cap above the overall cap it sits under can never apply; the covered methods are used."""
    covers = _get(data, "standards", "cap", "covers")
    methods = _list(_get(data, "standards", "methods"))
    for i, method in enumerate(_list(covers)):
        if isinstance(method, str) and method not in methods:
            yield (("standards", "cap", "covers", i), msg("cap-covers-unlisted", method=repr(method)),
                   msg("cap-covers-unlisted-hint"), "warning")
    sub = _money(_get(data, "standards", "direct_loss", "cap"))
    cap = overall_cap(data)
    if "direct_loss" not in methods or "direct_loss" not in cap_covers(data) or not sub or not cap:
        return
    if sub[1] == cap[1] and sub[0] > cap[0]:
        period = _get(data, "service", "measurement_period")
        period = period if isinstance(period, str) and period in _PERIOD_MONTHS else "month"
        yield (("standards", "direct_loss", "cap"),
               msg("sub-cap-above-cap", sub=_show_money(*sub), cap=_show_money(*cap), period=msg(f"period-{period}")),
               msg("sub-cap-above-cap-hint"))


def rule_settlement_deadlines(data):
    """Credit-only settlement pays nothing: a payment deadline beside it promises a payment that never comes."""
    settlement = _get(data, "standards", "settlement") or "credit"
    outstanding = _get(data, "standards", "outstanding_credit") or "paid_at_end"
    deadline = _get(data, "deadlines", "payment_deadline")
    applied = _get(data, "deadlines", "credit_applied")
    if settlement != "credit" or not isinstance(_get(data, "standards"), dict):
        return
    if outstanding == "lapses" and deadline is not None and applied != "within_deadline":
        yield (("deadlines", "payment_deadline"), msg("deadline-never-used"), msg("deadline-never-used-hint"))
    if outstanding == "paid_at_end" and deadline is None and isinstance(_get(data, "deadlines"), dict):
        # The clause then pays "in the final settlement of accounts": determinable, but say so.
        yield (("deadlines",), msg("no-payout-deadline"), msg("payout-deadline-hint"), "warning")


def rule_credit_basis_period(data):
    """Credits for a quarter's or a year's availability should not be a share of one month's fee."""
    period = _get(data, "service", "measurement_period")
    credits = _get(data, "standards", "service_credits")
    if period in ("quarter", "year") and isinstance(credits, dict) and \
            "service_credits" in _list(_get(data, "standards", "methods")) and \
            credits.get("basis", "monthly_fee") == "monthly_fee":
        where = ("standards", "service_credits", "basis") if "basis" in credits else ("standards", "service_credits")
        yield (where, msg("basis-monthly-for-period", period=msg(f"period-{period}")),
               msg("basis-monthly-for-period-hint", period=msg(f"period-{period}")), "warning")


def rule_free_time_rounding(data):
    """Free days for each started day of downtime, at more than one a day, overpay a one-minute outage."""
    block = _get(data, "standards", "free_service_time")
    ratio = _num(_get(block, "ratio"))
    if "free_service_time" in _list(_get(data, "standards", "methods")) and isinstance(block, dict) and \
            ratio is not None and ratio > 1 and block.get("rounding", "started_day") == "started_day":
        yield (("standards", "free_service_time", "ratio"), msg("free-time-short-outage", ratio=show_value(ratio)),
               msg("free-time-short-outage-hint"), "warning")


_BASIS_SOURCE = {"provider_monitoring": "provider", "joint_records": "joint", "third_party_monitoring": "third_party"}


def rule_verification_basis(data):
    """Claims are verified against the records availability is measured by, not other ones."""
    basis = _get(data, "process", "verification", "basis")
    measured = _get(data, "service", "measured_by") or "provider"
    if not isinstance(basis, str) or basis not in _BASIS_SOURCE or measured not in ("provider", "customer", "third_party", "joint"):
        return
    if _BASIS_SOURCE[basis] != measured:
        fit = {v: k for k, v in _BASIS_SOURCE.items()}.get(measured)
        yield (("process", "verification", "basis"),
               msg("verification-basis", basis=msg(f"source-{_BASIS_SOURCE[basis]}"),
                   measured=msg(f"source-{measured}")),
               msg("verification-basis-hint", fit=fit) if fit else None)


def rule_dispute_periods(data):
    """Negotiation and mediation that hold up proceedings need a period, or the precondition never ends."""
    negotiation = _get(data, "disputes", "negotiation")
    if isinstance(negotiation, dict) and negotiation.get("period") is None:
        yield (("disputes", "negotiation"), msg("negotiation-open-ended"), msg("negotiation-open-ended-hint"),
               "warning")
    mediation = _get(data, "disputes", "mediation")
    if isinstance(mediation, dict) and mediation.get("period") is None:
        yield (("disputes", "mediation"), msg("mediation-open-ended"), msg("mediation-open-ended-hint"), "warning")


def rule_prevailing_language(data):
    """A bilingual document says which text governs when the two differ."""
    if data.get("language") == "bilingual" and _get(data, "document", "prevailing_language") is None:
        yield (("document",) if isinstance(_get(data, "document"), dict) else ("language",),
               msg("no-prevailing-language"), msg("no-prevailing-language-hint"), "warning")


#: Active ISO 4217 currency codes (with the funds and precious-metal codes a contract might use).
ISO_4217 = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN
NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL
SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES
VND VUV WST XAF XAG XAU XCD XDR XOF XPD XPF XPT YER ZAR ZMW ZWG ZWL
""".split())

#: Names in common use that look like codes, and the ISO 4217 code meant.
COMMON_CURRENCY_NAMES = {"RMB": "CNY", "NTD": "TWD", "YEN": "JPY", "STG": "GBP", "UKP": "GBP", "RUR": "RUB",
                         "HKG": "HKD", "SGP": "SGD", "EUA": "EUR"}

# Characters that change nothing a reader sees, or change it without showing themselves. In a party
# name they make two names that look the same differ ("Acme" and "Ac\u200bme"), so a search of the
# contract for the party misses. Bidirectional controls go further: they display text in another
# order than it is written ("Trojan Source"), so they are refused; the others are warned about and
# left out of rendered clauses (see `visible`).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2060-\u2064"
                       "\u206a-\u206f\u3164\ufeff\uffa0\U000e0000-\U000e007f]")


def _code_points(chars) -> str:
    import unicodedata

    seen = list(dict.fromkeys(chars))
    return ", ".join(f"U+{ord(c):04X} ({unicodedata.name(c, 'unnamed')})" for c in seen)


def visible(value):
    """Return `value` (spec data) with invisible characters and bidirectional controls removed from
    every string, keys included; what a lawyer reads is then what the document holds."""
    if isinstance(value, str):
        return INVISIBLE.sub("", BIDI_CONTROLS.sub("", value))
    if isinstance(value, dict):
        return {visible(k): visible(v) for k, v in value.items()}
    if isinstance(value, list):
        return [visible(v) for v in value]
    return value


def rule_invisible_text(data):
    """Invisible characters (zero-width space, joiners, soft hyphen…) are warnings and are left out of
    the rendered clauses; bidirectional controls (U+202E…) reorder what the reader sees and are errors."""
    for path, node in _leaves(data, keys=True):
        if not isinstance(node, str):
            continue
        bidi = BIDI_CONTROLS.findall(node)
        if bidi:
            yield (path, f"contains the bidirectional control character(s) {_code_points(bidi)}, which make "
                         "text display in another order than it is written",
                   "remove it (retype the text); a contract must read as it is written")
        hidden = INVISIBLE.findall(node)
        if hidden:
            yield (path, f"contains the invisible character(s) {_code_points(hidden)}; they are left out "
                         "of the rendered clauses",
                   "retype the text without it, so that the spec says what the document says", "warning")


#: Semantic rules by stable code; each yields (path, message[, hint[, severity]]).
RULES = {
    "finite-numbers": rule_finite_numbers,
    "printable-text": rule_printable_text,
    "invisible-text": rule_invisible_text,
    "availability-range": rule_availability_range,
    "tiers-ordered": rule_tiers_ordered,
    "tiers-credit-increasing": rule_tiers_credit_increasing,
    "first-tier-at-target": rule_first_tier_at_target,
    "credit-within-cap": rule_credit_within_cap,
    "method-blocks": rule_method_blocks,
    "per-hour-amount": rule_per_hour_amount,
    "dispute-forum": rule_dispute_forum,
    "dispute-block-mismatch": rule_dispute_block_mismatch,
    "notice-before-claim-window": rule_notice_before_claim_window,
    "report-after-notice": rule_report_after_notice,
    "maintenance-budget": rule_maintenance_budget,
    "maintenance-notice": rule_maintenance_notice,
    "events-not-both": rule_events_not_both,
    "iso-currency": rule_iso_currency,
    "currency-consistent": rule_currency_consistent,
    "dates-in-order": rule_dates_in_order,
    "chronic-failure": rule_chronic_failure,
    "localized-text": rule_localized_text,
    "steps-in-order": rule_steps_in_order,
    "payment-deadline": rule_payment_deadline,
    "settlement-deadlines": rule_settlement_deadlines,
    "whole-durations": rule_whole_durations,
    "emergency-maintenance": rule_emergency_maintenance,
    "sub-cap": rule_sub_cap,
    "credit-basis-period": rule_credit_basis_period,
    "free-time-rounding": rule_free_time_rounding,
    "verification-basis": rule_verification_basis,
    "dispute-periods": rule_dispute_periods,
    "prevailing-language": rule_prevailing_language,
}
