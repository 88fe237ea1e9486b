"""Specs: load a YAML spec, validate it (JSON Schema plus semantic rules), and write starter specs."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from clausegen.errors import ClausegenError, InvalidSpec, Problem, SpecError
from clausegen.yamlsource import find_mark, load_yaml_file

SCHEMA_NAME = "spec.schema.json"
LANGUAGES = ("zh", "en", "bilingual")


@dataclass(frozen=True)
class Spec:
    """A loaded, valid spec: where it came from, its data, the SHA-256 of its bytes, its language.

    `data` is plain JSON-like data (dates are ISO strings); `marks` maps paths to (line, col);
    `warnings` holds the warning-level problems found while validating.
    """

    path: str
    data: dict
    sha256: str
    language: str
    marks: dict = field(default_factory=dict, compare=False, repr=False)
    warnings: tuple = field(default=(), compare=False, repr=False)


def load_spec(path: str | os.PathLike) -> Spec:
    """Load and validate the spec at `path`.

    Raises SpecError when the file cannot be loaded and InvalidSpec (with every problem)
    when it loads but is not valid.
    """
    doc = load_yaml_file(path)
    problems = validate(doc.data, doc.marks, file=str(path))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InvalidSpec(problems, path=str(path))
    return Spec(path=str(path), data=doc.data, sha256=doc.sha256, language=doc.data.get("language", "zh"),
                marks=doc.marks, warnings=tuple(problems))


def validate_files(paths) -> list[Problem]:
    """Return the problems of every spec in `paths`, in order, all files checked.

    A spec that cannot be loaded at all (missing, a folder, not YAML, duplicate keys…) gives
    one problem with code ``unreadable``; the command line exits 2 when there is one.
    """
    problems: list[Problem] = []
    for path in paths:
        try:
            doc = load_yaml_file(path)
        except SpecError as exc:
            problems.append(Problem(file=str(path), line=exc.line, col=exc.col, pointer="",
                                    message=exc.message, hint=exc.hint, code=UNREADABLE))
            continue
        problems.extend(validate(doc.data, doc.marks, file=str(path)))
    return problems


#: Problem code of a spec that could not be loaded at all.
UNREADABLE = "unreadable"


# ---------------------------------------------------------------- validation


def validate(data, marks: dict | None = None, file: str = "<spec>") -> list[Problem]:
    """Return every problem of the spec `data` (schema first, then semantic rules), sorted by line.

    `marks` (from `clausegen.yamlsource`) gives the problems their line and column; `file`
    names the spec in them. Never raises for bad data.
    """
    problems = list(_schema_problems(data, marks, file))
    if isinstance(data, dict):
        for code, rule in RULES.items():
            for found in rule(data):
                path, message, *rest = found
                hint = rest[0] if rest else None
                severity = rest[1] if len(rest) > 1 else "error"
                line, col = find_mark(marks, path) or (None, None)
                problems.append(Problem(file=file, line=line, col=col, pointer=format_path(path),
                                        message=message, hint=hint, severity=severity or "error", code=code))
    problems.sort(key=lambda p: (p.file, p.line or 0, p.col or 0))
    return problems


def format_path(path) -> str:
    """Return `path` as ``standards.tiers[1].credit_percent``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def spec_schema() -> dict:
    """Return the spec's JSON Schema (the source of titles and descriptions for forms and `new`).

    Raises ClausegenError when the installation lacks it.
    """
    from clausegen.resources import load_schema

    try:
        return load_schema(SCHEMA_NAME)
    except (FileNotFoundError, ValueError) as exc:
        raise ClausegenError(f"the spec schema {SCHEMA_NAME} cannot be read: {exc}",
                             hint="the installation is incomplete; reinstall clausegen") from None


def _schema_problems(data, marks, file):
    problems = [p for error in schema_errors(data) for p in _explain(error, data, marks, file)]
    # A misspelt required key is reported once, as an unknown key with its did-you-mean.
    suggested = {(p.pointer.rpartition(".")[0], p.hint) for p in problems if p.code == "unknown-key"}
    return [p for p in problems if not (
        p.code == "missing-key"
        and (p.pointer.rpartition(".")[0], f"did you mean {p.pointer.rpartition('.')[2]!r}?") in suggested)]


def _explain(error, data, marks, file):
    """Yield the Problems that say what the jsonschema `error` means to a drafting lawyer."""
    path = tuple(error.absolute_path)
    kind = error.validator
    value = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    hint = schema.get("x-hint")
    import difflib

    def problem(p, message, hint=hint, code="schema"):
        line, col = find_mark(marks, p) or (None, None)
        return Problem(file=file, line=line, col=col, pointer=format_path(p), message=message,
                       hint=hint, code=code)

    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        for key in value:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            h = f"did you mean {close[0]!r}?" if close else (
                f"allowed here: {', '.join(allowed)}" if allowed else None)
            yield problem(path + (key,), f"unknown key {key!r}", h, code="unknown-key")
        return
    if kind == "required":
        missing = [k for k in error.validator_value if isinstance(value, dict) and k not in value]
        for key in missing:
            sub = schema.get("properties", {}).get(key, {})
            title = sub.get("title")
            yield problem(path + (key,), "is missing" + (f" ({title})" if title else ""),
                          hint=sub.get("x-hint") or "`clausegen new` shows an example of every section",
                          code="missing-key")
        return
    if kind == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        names = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
        h = hint
        if isinstance(value, str) and {"number", "integer"} & set(expected):
            stripped = value.strip().rstrip("%").strip()
            try:
                float(stripped)
                h = f"write the number without quotes or a % sign: {stripped}"
            except ValueError:
                pass
        yield problem(path, f"{_show(value)} is not {names}", h)
        return
    if kind == "enum":
        options = [str(o) for o in error.validator_value]
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
        h = f"did you mean {close[0]!r}?" if close else f"use one of: {', '.join(options)}"
        yield problem(path, f"{_show(value)} is not one of the allowed values", h)
        return
    if kind == "const":
        yield problem(path, f"{_show(value)} must be {_show(error.validator_value)}", hint)
        return
    if kind in ("maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"):
        limit = error.validator_value
        word = {"maximum": "more than", "exclusiveMaximum": "not less than",
                "minimum": "less than", "exclusiveMinimum": "not more than"}[kind]
        yield problem(path, f"{_show(value)} is {word} {_show(limit)}", schema.get("x-range-hint"))
        return
    if kind in ("oneOf", "anyOf"):
        # Explain the branch that fits the value's shape; if none does, name the shapes allowed.
        best = _best_context(error)
        if best is not None:
            yield from _explain(best, data, marks, file)
            return
        shapes = []
        for branch in error.validator_value:
            t = branch.get("type") if isinstance(branch, dict) else None
            if "const" in (branch or {}):
                shapes.append(repr(branch["const"]))
            elif t:
                shapes.append(_TYPE_NAMES.get(t, t))
            elif isinstance(branch, dict) and "$ref" in branch:
                shapes.append("a " + branch["$ref"].rsplit("/", 1)[-1])
        yield problem(path, f"{_show(value)} is not " + " or ".join(dict.fromkeys(shapes)), hint)
        return
    if kind == "pattern":
        yield problem(path, f"{_show(value)} has the wrong form", hint or f"it must match {error.validator_value}")
        return
    if kind == "format":
        yield problem(path, f"{_show(value)} is not a valid {error.validator_value}",
                      hint or ("write dates as YYYY-MM-DD" if error.validator_value == "date" else None))
        return
    if kind in ("minItems", "maxItems"):
        n = error.validator_value
        yield problem(path, f"needs at least {n} item(s)" if kind == "minItems" else f"allows at most {n} item(s)",
                      hint)
        return
    if kind == "uniqueItems":
        yield problem(path, "lists an item twice", hint or "remove the repeated item")
        return
    if kind == "minProperties":
        yield problem(path, "must not be empty", hint or "give at least one of: " + ", ".join(schema.get("properties", {})))
        return
    if kind in ("minLength",):
        yield problem(path, "must not be empty", hint)
        return
    yield problem(path, error.message, hint)


def _best_context(error):
    """Return the sub-error of a oneOf branch whose type fits the value, or None."""
    fitting = [e for e in error.context
               if not (e.validator in ("type", "const") and not e.relative_path)]
    # Like jsonschema's best_match: the shallowest error says most about what was meant.
    return min(fitting, key=lambda e: len(e.relative_path)) if fitting else None


# ---------------------------------------------------------------- schema checking


_VALIDATORS: dict = {}


def _validator(schema: dict):
    # Keyed by identity; the schema is kept alive beside its validator so the id stays unique.
    entry = _VALIDATORS.get(id(schema))
    if entry is None:
        from jsonschema import Draft202012Validator

        # The schema itself is checked against the 2020-12 meta-schema by the test suite, not
        # on every run.
        entry = (schema, Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER))
        _VALIDATORS[id(schema)] = entry
    return entry[1]


def schema_errors(data, schema: dict | None = None) -> list:
    """Return jsonschema's errors of `data` against `schema` (default: the spec schema).

    Where a value has the wrong type, only that error is kept: the other keywords at the same
    place would only repeat that the shape is wrong.
    """
    root = spec_schema() if schema is None else schema
    errors = list(_validator(root).iter_errors(data))
    typed = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    return [e for e in errors if e.validator == "type" or tuple(e.absolute_path) not in typed]


_TYPE_NAMES = {"number": "a number", "integer": "a whole number", "string": "text", "object": "a mapping",
               "array": "a list", "boolean": "true or false", "null": "empty"}


def _show(value) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(value)
    if isinstance(value, (dict, list)):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return str(value)


# ---------------------------------------------------------------- semantic rules
# Each rule takes the spec data and yields (path, message[, hint[, severity]]). Rules must
# never raise on malformed data: the schema already reports shapes, so rules read through
# the tolerant getters below and skip what they cannot interpret.

_MINUTES = {"minutes": 1, "hours": 60, "days": 1440, "business_days": 1440, "months": 43200}
_PERIOD_MINUTES = {"month": 43200, "quarter": 129600, "year": 525600}


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


def _show_duration(value) -> str:
    if not isinstance(value, dict):
        return _show(value)
    return f"{_show(value.get('value'))} {str(value.get('unit', '')).replace('_', ' ')}"


def rule_availability_range(data):
    """Availability targets outside (90, 100) are either typos or not a service level."""
    target = _num(_get(data, "service", "availability_target"))
    if target is not None and not 90 < target < 100:
        yield (("service", "availability_target"), f"{_show(target)} is outside the usual range (90, 100)",
               "write the percentage as a number such as 99.9 (100 promises no downtime at all)")


def rule_tiers_ordered(data):
    """Credit tiers run from the highest availability band down, without overlap or inversion."""
    tiers = _list(_get(data, "standards", "service_credits", "tiers"))
    base = ("standards", "service_credits", "tiers")
    prev = None
    for i, tier in enumerate(tiers):
        below, at_least = _num(_get(tier, "below")), _num(_get(tier, "at_least"))
        if below is not None and at_least is not None and at_least >= below:
            yield (base + (i, "at_least"), f"{_show(at_least)} is not below {_show(below)}",
                   "a tier covers availability from at_least up to (not including) below")
        if prev is not None and below is not None:
            pbelow, pat_least = prev
            if pbelow is not None and below >= pbelow:
                yield (base + (i, "below"), f"{_show(below)} is not lower than the previous tier's {_show(pbelow)}",
                       "list tiers from the highest availability band to the lowest")
            elif pat_least is not None and below > pat_least:
                yield (base + (i, "below"),
                       f"this tier overlaps the previous one (it starts below {_show(below)}, "
                       f"the previous ends at {_show(pat_least)})",
                       f"set below to {_show(pat_least)} so that each availability falls in one tier")
            elif pat_least is not None and below < pat_least:
                yield (base + (i, "below"),
                       f"availability between {_show(below)} and {_show(pat_least)} falls in no tier",
                       f"set below to {_show(pat_least)}", "warning")
        if prev is not None and prev[1] is None:
            yield (base + (i - 1,), "only the last tier may leave at_least open",
                   "give this tier an at_least value")
        prev = (below, at_least)
    if prev is not None and prev[1] is not None and prev[1] > 0:
        yield (base + (len(tiers) - 1, "at_least"),
               f"availability below {_show(prev[1])} earns no credit at all",
               "leave at_least out of the last tier so that it covers every lower availability", "warning")


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
                   f"{_show(credit)} is less than the previous tier's {_show(last)}",
                   "a lower availability band should earn at least the same credit", "warning")
        last = credit


def rule_first_tier_at_target(data):
    """The first tier should start at the availability target: above it the target is met."""
    target = _num(_get(data, "service", "availability_target"))
    below = _num(_get(data, "standards", "service_credits", "tiers", 0, "below"))
    if target is not None and below is not None and below > target:
        yield (("standards", "service_credits", "tiers", 0, "below"),
               f"{_show(below)} is above the availability target {_show(target)}: credits would be due "
               "while the target is met", f"set below to {_show(target)}")
    elif target is not None and below is not None and below < target:
        yield (("standards", "service_credits", "tiers", 0, "below"),
               f"availability between {_show(below)} and the target {_show(target)} misses the target but earns "
               "no credit", f"set below to {_show(target)} unless that gap is intended", "warning")


def rule_credit_within_cap(data):
    """No tier may credit more than the cap."""
    cap = _num(_get(data, "standards", "cap", "percent"))
    if cap is None:
        return
    for i, tier in enumerate(_list(_get(data, "standards", "service_credits", "tiers"))):
        credit = _num(_get(tier, "credit_percent"))
        if credit is not None and cap < credit <= 100:  # above 100 the schema already says so
            yield (("standards", "service_credits", "tiers", i, "credit_percent"),
                   f"{_show(credit)} is more than the cap of {_show(cap)} %",
                   "lower the credit or raise standards.cap.percent")


def rule_method_blocks(data):
    """Each compensation method listed has its block; a block for an unlisted method is ignored."""
    standards = _get(data, "standards")
    if not isinstance(standards, dict):
        return
    methods = [m for m in _list(standards.get("methods")) if isinstance(m, str)]
    for i, method in enumerate(methods):
        if method in _METHOD_BLOCKS and method not in standards:
            yield (("standards", "methods", i), f"the method {method!r} is listed but standards.{method} is missing",
                   f"add a `{method}:` block under standards (see `clausegen new`)")
    for method in _METHOD_BLOCKS:
        if method in standards and method not in methods:
            yield (("standards", method), f"standards.{method} is given but {method!r} is not in standards.methods",
                   f"add {method} to standards.methods, or remove the block", "warning")


_METHOD_BLOCKS = ("service_credits", "per_hour", "direct_loss", "free_service_time")


def rule_per_hour_amount(data):
    """Per-hour compensation needs an amount per hour (or a percentage of the fee)."""
    methods = _list(_get(data, "standards", "methods"))
    block = _get(data, "standards", "per_hour")
    if "per_hour" in methods and isinstance(block, dict) and "amount" not in block and "percent_of_fee" not in block:
        yield (("standards", "per_hour"), "the per-hour method has no amount",
               "add `amount: {amount: 500, currency: CNY}` (or percent_of_fee) under standards.per_hour")


def rule_dispute_forum(data):
    """Arbitration needs an institution; a court needs a venue."""
    method = _get(data, "disputes", "method")
    if method == "arbitration" and not _text_present(_get(data, "disputes", "arbitration", "institution")):
        yield (("disputes", "arbitration") if isinstance(_get(data, "disputes", "arbitration"), dict)
               else ("disputes", "method"),
               "arbitration is chosen but no arbitration institution is named",
               "name it, e.g. `arbitration: {institution: 中国国际经济贸易仲裁委员会}`: "
               "an arbitration clause without an institution may be void under PRC law")
    if method == "court" and not _text_present(_get(data, "disputes", "court", "venue")):
        yield (("disputes", "court") if isinstance(_get(data, "disputes", "court"), dict) else ("disputes", "method"),
               "court litigation is chosen but no court venue is named",
               "add `court: {venue: ...}`, e.g. the people's court where the provider is domiciled")


def rule_dispute_block_mismatch(data):
    """A block for the forum that was not chosen is probably a leftover."""
    method = _get(data, "disputes", "method")
    other = {"arbitration": "court", "court": "arbitration"}.get(method) if isinstance(method, str) else None
    if other and _get(data, "disputes", other) is not None:
        yield (("disputes", other), f"disputes.{other} is given but the method is {method!r}; it is ignored",
               f"remove disputes.{other} or change disputes.method", "warning")


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
               f"the provider's notice limit ({_show_duration(_get(data, 'notification', 'provider_notice', 'within'))})"
               f" is not shorter than the claim window ({_show_duration(_get(data, 'deadlines', 'claim_window'))})",
               "the customer could lose its claim before it is told of the interruption; shorten the notice limit")


def rule_report_after_notice(data):
    """The incident report comes after the first notice, not before."""
    within = _get(data, "notification", "provider_notice", "within")
    report = _get(data, "notification", "incident_report", "within")
    notice_m, report_m = duration_minutes(within, 1.0), duration_minutes(report, 1.4)
    if notice_m is not None and report_m is not None and report_m <= notice_m:
        yield (("notification", "incident_report", "within"),
               f"the incident report ({_show_duration(report)}) is due no later than the first notice "
               f"({_show_duration(within)})",
               "give the report more time than the notice, e.g. 5 business days")


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
               f"{_show_duration(allowance_v)} of maintenance a month does not fit in the {budget:.0f} minutes of "
               f"downtime that {_show(target)} % allows, and maintenance is not excluded",
               "add scheduled_maintenance to definition.exclusions, or shorten the allowance")


def rule_maintenance_notice(data):
    """Excluding scheduled maintenance is fair only with advance notice of it."""
    if "scheduled_maintenance" in _list(_get(data, "definition", "exclusions")) and \
            _get(data, "definition", "maintenance", "notice") is None:
        yield (("definition", "exclusions"),
               "scheduled maintenance is excluded but no advance notice is required",
               "add `maintenance: {notice: {value: 72, unit: hours}}` under definition")


def rule_events_not_both(data):
    """An event cannot be both an interruption and excluded from it."""
    covered = _list(_get(data, "definition", "covered_events"))
    for i, event in enumerate(_list(_get(data, "definition", "exclusions"))):
        if isinstance(event, str) and event in covered:
            yield (("definition", "exclusions", i), f"{event!r} is both a covered event and an exclusion",
                   "keep it in one list: covered (compensated) or excluded")


def rule_currency_consistent(data):
    """All amounts of one spec are in one currency."""
    seen: list[tuple[tuple, str]] = []

    def walk(node, path):
        if isinstance(node, dict):
            if "currency" in node and "amount" in node and isinstance(node["currency"], str):
                seen.append((path + ("currency",), node["currency"]))
            for k, v in node.items():
                walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + (i,))

    walk(data, ())
    if seen:
        first_path, first = seen[0]
        for path, currency in seen[1:]:
            if currency != first:
                yield (path, f"{currency!r} differs from {first!r} used at {format_path(first_path)}",
                       "use one currency for every amount of the spec")


def rule_dates_in_order(data):
    """The term ends after it starts; the document is not dated after the term ends."""
    start, end = _get(data, "term", "effective_date"), _get(data, "term", "expiry_date")
    if isinstance(start, str) and isinstance(end, str) and start[:10] >= end[:10]:
        yield (("term", "expiry_date"), f"{end!r} is not after the effective date {start!r}",
               "the expiry date must come after the effective date")
    doc_date = _get(data, "document", "date")
    if isinstance(doc_date, str) and isinstance(end, str) and doc_date[:10] > end[:10]:
        yield (("document", "date"), f"{doc_date!r} is after the expiry date {end!r}",
               "date the document before the term ends")


def rule_chronic_failure(data):
    """"Missed in M of N periods" needs M <= N."""
    missed = _num(_get(data, "standards", "chronic_failure", "missed_periods"))
    within = _num(_get(data, "standards", "chronic_failure", "within_periods"))
    if missed is not None and within is not None and missed > within:
        yield (("standards", "chronic_failure", "missed_periods"),
               f"{_show(missed)} missed periods cannot happen within {_show(within)} periods",
               "e.g. missed_periods: 2, within_periods: 3")


def rule_localized_text(data):
    """A bilingual spec gives every text in both languages; a zh or en spec has that language."""
    language = data.get("language")
    if language not in LANGUAGES:
        return
    needed = ("zh", "en") if language == "bilingual" else (language,)
    for path in _localized_paths(data):
        value = _get(data, *path)
        if isinstance(value, dict):
            missing = [lang for lang in needed if not _text_present(value.get(lang))]
            if missing:
                yield (path, f"the {' and '.join(missing)} text is missing",
                       f"give the text as {{zh: ..., en: ...}} with {', '.join(missing)} filled in")
        elif isinstance(value, str) and language == "bilingual":
            yield (path, "a bilingual spec needs this text in both languages",
                   "write it as {zh: ..., en: ...}")


def _localized_paths(data):
    """Yield the paths of the localized-text fields present in `data` (as the schema marks them)."""
    schema = spec_schema()
    defs = schema.get("$defs", {})

    def is_text(sub):
        return isinstance(sub, dict) and sub.get("$ref") == "#/$defs/text"

    def walk(node, sub, path):
        if isinstance(sub, dict) and "$ref" in sub and not is_text(sub):
            sub = defs.get(sub["$ref"].rsplit("/", 1)[-1], {})
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
            yield (("process", "steps", i), f"{steps[i]!r} comes after {steps[i - 1]!r}",
                   "list the steps in the order " + " → ".join(_STEP_ORDER), "warning")
            return


def rule_payment_deadline(data):
    """Compensation that may be paid out needs a payment deadline; a bare promise to pay is vague."""
    settlement = _get(data, "standards", "settlement")
    if settlement in ("payment", "customer_choice") and _get(data, "deadlines", "payment_deadline") is None:
        where = ("deadlines",) if isinstance(_get(data, "deadlines"), dict) else ("standards", "settlement")
        yield (where, f"settlement is {settlement!r} but deadlines.payment_deadline is missing",
               "add `payment_deadline: {value: 3, unit: business_days}` under deadlines")


def rule_finite_numbers(data):
    """.nan and .inf are YAML numbers but no contract term; NaN even slips past range checks."""
    def walk(node, path):
        if isinstance(node, float) and (node != node or node in (float("inf"), float("-inf"))):
            yield (path, f"{_show(node)} is not a finite number", "write an ordinary number such as 99.9")
        elif isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, path + (i,))

    yield from walk(data, ())


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def rule_printable_text(data):
    """Control characters (JSON and the web form let them in) cannot be written to a Word document."""
    def walk(node, path):
        if isinstance(node, str):
            m = _NOT_XML.search(node)
            if m:
                yield (path, f"contains the control character U+{ord(m.group()):04X}",
                       "remove it; clause text can hold letters, digits, punctuation, tabs and line breaks")
        elif isinstance(node, dict):
            for k, v in node.items():
                yield from walk(k, path + (k,))
                yield from walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, path + (i,))

    yield from walk(data, ())


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
    def walk(node, path):
        if isinstance(node, str):
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
        elif isinstance(node, dict):
            for k, v in node.items():
                yield from walk(k, path + (k,))
                yield from walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, path + (i,))

    yield from walk(data, ())


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
    "currency-consistent": rule_currency_consistent,
    "dates-in-order": rule_dates_in_order,
    "chronic-failure": rule_chronic_failure,
    "localized-text": rule_localized_text,
    "steps-in-order": rule_steps_in_order,
    "payment-deadline": rule_payment_deadline,
}


# ---------------------------------------------------------------- starter specs


class _L:
    """Localized starter text: `zh`, `en`, and the English used beside `zh` in bilingual specs."""

    __slots__ = ("zh", "en", "bi_en")

    def __init__(self, zh: str, en: str, bi_en: str | None = None) -> None:
        self.zh, self.en, self.bi_en = zh, en, bi_en or en


class _V:
    """A starter value that differs by language (non-text, e.g. a currency)."""

    __slots__ = ("zh", "en", "bilingual")

    def __init__(self, zh, en, bilingual=None) -> None:
        self.zh, self.en = zh, en
        self.bilingual = zh if bilingual is None else bilingual


def _resolve(node, lang: str):
    if isinstance(node, _L):
        if lang == "bilingual":
            return {"zh": node.zh, "en": node.bi_en}
        return node.zh if lang == "zh" else node.en
    if isinstance(node, _V):
        return _resolve(getattr(node, lang), lang)
    if isinstance(node, dict):
        return {k: _resolve(v, lang) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, lang) for v in node]
    return node


_CUR = _V("CNY", "EUR")

_STARTER = {
    "clausegen": 1,
    "family": "service-interruption",
    "language": _V("zh", "en", "bilingual"),
    "position": "preferred",
    "document": {
        "title": _L("附件二：服务等级与服务中断赔偿", "Schedule 2 – Service Levels and Service Credits"),
        "date": "2026-03-01",
        "reference": _V("YF-SLA-2026-018", "MSA-2026-0142"),
    },
    "parties": {
        "provider": {
            "name": _L("上海云帆数据科技有限公司", "Northwind Cloud Services Ltd.",
                       "Shanghai Yunfan Data Technology Co., Ltd."),
            "role": _L("乙方", "Provider"),
            "address": _L("上海市浦东新区张江路 88 号", "12 Harbour Street, Dublin 2, Ireland",
                          "88 Zhangjiang Road, Pudong New Area, Shanghai"),
        },
        "customer": {
            "name": _L("杭州远航物流有限公司", "Fabrikam Logistics GmbH", "Hangzhou Yuanhang Logistics Co., Ltd."),
            "role": _L("甲方", "Customer"),
            "address": _L("浙江省杭州市滨江区江南大道 1200 号", "Speicherstraße 8, 20457 Hamburg, Germany",
                          "1200 Jiangnan Avenue, Binjiang District, Hangzhou, Zhejiang"),
        },
    },
    "term": {"effective_date": "2026-03-01", "expiry_date": "2029-02-28"},
    "service": {
        "name": _L("远航车队管理云平台", "Fabrikam Fleet Tracking Platform", "Yuanhang Fleet Management Cloud Platform"),
        "description": _L("乙方托管运行的车队管理应用、开放接口及网页控制台",
                          "the hosted fleet-tracking application, its API and its web console",
                          "the fleet management application, open API and web console hosted by the Provider"),
        "availability_target": 99.9,
        "measurement_period": "month",
        "measured_by": "provider",
        "monthly_fee": {"amount": _V(80000, 12000), "currency": _CUR},
    },
    "definition": {
        "covered_events": ["system_failure", "network_failure", "human_error", "security_incident",
                           "third_party_outage", "maintenance_overrun"],
        "exclusions": ["scheduled_maintenance", "emergency_maintenance", "force_majeure", "customer_causes",
                       "internet_outside_provider", "suspension_for_breach"],
        "minimum_duration": {"value": 5, "unit": "minutes"},
        "maintenance": {
            "notice": {"value": 72, "unit": "hours"},
            "monthly_allowance": {"value": 4, "unit": "hours"},
            "window": _L("每周六 22:00 至周日 04:00（北京时间）", "Saturdays 22:00 to Sundays 04:00 Central European Time",
                         "Saturdays 22:00 to Sundays 04:00 Beijing time"),
        },
        "measurement": _L("可用性以乙方外部监控探针每分钟一次、自至少两个地点进行的探测结果为准。",
                          "Availability is measured by the Provider's external monitoring probes at one-minute "
                          "intervals from at least two locations.",
                          "Availability is measured by the Provider's external monitoring probes at one-minute "
                          "intervals from at least two locations."),
    },
    "notification": {
        "provider_notice": {
            "within": {"value": 30, "unit": "minutes"},
            "channels": ["email", "status_page", "phone"],
            "content": ["cause", "scope", "estimated_recovery", "workaround", "contact"],
        },
        "updates_every": {"value": 2, "unit": "hours"},
        "customer_reporting": {"channels": ["ticket", "phone"], "hours": "24x7"},
        "customer_confirmation": {"within": {"value": 1, "unit": "business_days"}},
        "incident_report": {
            "within": {"value": 5, "unit": "business_days"},
            "content": ["root_cause", "timeline", "impact", "remediation", "prevention"],
        },
        "contacts": {
            "provider": _L("乙方客户服务中心，400-820-8888，support@yunfan.example",
                           "Northwind Service Desk, +353 1 555 0100, servicedesk@northwind.example",
                           "Yunfan Customer Service Centre, 400-820-8888, support@yunfan.example"),
            "customer": _L("甲方信息技术部，0571-8888-0199，it@yuanhang.example",
                           "Fabrikam IT Operations, +49 40 555 0199, itops@fabrikam.example",
                           "Yuanhang IT Department, 0571-8888-0199, it@yuanhang.example"),
        },
    },
    "standards": {
        "methods": ["service_credits", "free_service_time"],
        "service_credits": {
            "basis": "monthly_fee",
            "tiers": [
                {"below": 99.9, "at_least": 99.5, "credit_percent": 10},
                {"below": 99.5, "at_least": 99.0, "credit_percent": 25},
                {"below": 99.0, "credit_percent": 50},
            ],
        },
        "free_service_time": {"ratio": 1},
        "cap": {"percent": 50},
        "settlement": "credit",
        "exclusive_remedy": False,
        "chronic_failure": {"missed_periods": 2, "within_periods": 3, "remedy": "terminate"},
    },
    "process": {
        "steps": ["confirm_cause_and_scope", "notify", "claim", "verify", "agree_amount", "pay"],
        "claim": {
            "channels": ["ticket", "email"],
            "required_information": ["account_id", "affected_service", "incident_times", "description", "logs"],
        },
        "verification": {"within": {"value": 10, "unit": "business_days"}, "basis": "provider_monitoring"},
        "agreement": _L("双方应以书面形式确认赔偿金额；无争议的服务抵扣无需另行确认即予适用。",
                        "The Parties shall agree the amount in writing; undisputed credits are applied without "
                        "agreement."),
    },
    "deadlines": {
        "claim_window": {"value": 30, "unit": "days"},
        "claim_window_starts": "end_of_period",
        "payment_deadline": {"value": 3, "unit": "business_days"},
        "credit_applied": "next_invoice",
        "late_claims": "forfeited",
        "force_majeure_extension": "event_duration",
    },
    "disputes": {
        "negotiation": {"period": {"value": 30, "unit": "days"}, "escalation": ["account_managers", "executives"]},
        "method": "arbitration",
        "arbitration": {
            "institution": _L("上海国际经济贸易仲裁委员会（上海国际仲裁中心）", "Dublin International Arbitration Centre",
                              "Shanghai International Economic and Trade Arbitration Commission "
                              "(Shanghai International Arbitration Center)"),
            "rules": _L("申请仲裁时该会现行有效的仲裁规则",
                        "the Arbitration Rules of the Dublin International Arbitration Centre",
                        "its arbitration rules in effect at the time of applying for arbitration"),
            "seat": _L("上海", "Dublin, Ireland", "Shanghai"),
            "language": _L("中文", "English", "Chinese"),
            "arbitrators": _V(3, 1),
        },
        "governing_law": _L("中华人民共和国法律（为本合同之目的，不包括香港、澳门特别行政区和台湾地区法律）",
                            "the laws of Ireland",
                            "the laws of the People's Republic of China (for the purpose of this Agreement, "
                            "excluding the laws of Hong Kong, Macao and Taiwan)"),
    },
    "records": {"retention": {"value": 24, "unit": "months"},
                "content": ["incident_log", "notices", "claims", "payments"]},
    "reports": {"frequency": "month", "within": {"value": 10, "unit": "business_days"},
                "content": ["availability", "incidents", "credits", "improvements"]},
    "review": {"frequency": "quarter", "participants": ["service_owners", "account_managers"]},
    "training": {"frequency": "year", "topics": ["incident_response", "customer_communication"]},
}


def starter_data(lang: str = "zh") -> dict:
    """Return a complete, valid spec in `lang` (zh, en or bilingual) with realistic values.

    Raises ValueError for another language.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return _resolve(_STARTER, lang)


def starter_spec(lang: str = "zh") -> str:
    """Return the starter spec for `lang` as YAML text, every key commented from the schema.

    The comments are the schema's titles and descriptions in `lang` (both for bilingual);
    loading the text gives back exactly `starter_data(lang)`.
    """
    data = starter_data(lang)
    schema = spec_schema()
    head = {
        "zh": ["# 服务中断及赔偿条款规格（clausegen）。校验：clausegen validate 本文件；"
               "生成：clausegen render 本文件 -o 条款.docx"],
        "en": ["# Service-interruption and compensation clauses (clausegen spec).",
               "# Validate: clausegen validate THIS.yaml   Render: clausegen render THIS.yaml -o clauses.docx"],
    }
    lines = head["en"] if lang == "en" else head["zh"] + (head["en"] if lang == "bilingual" else [])
    _write_mapping(data, schema, schema.get("$defs", {}), lang, 0, lines, top=True)
    return "\n".join(lines) + "\n"


def _deref(sub: dict, defs: dict) -> dict:
    seen = 0
    while isinstance(sub, dict) and "$ref" in sub and seen < 10:
        sub = defs.get(sub["$ref"].rsplit("/", 1)[-1], {})
        seen += 1
    return sub if isinstance(sub, dict) else {}


def _comment(sub: dict, lang: str) -> list[str]:
    """Return the comment lines for a property: its title and description in `lang` (both for bilingual)."""
    zh = "：".join(x for x in (sub.get("x-title-zh"), sub.get("x-description-zh")) if x)
    en = ": ".join(x for x in (sub.get("title"), sub.get("description")) if x)
    lines = [x for x in ([zh] if lang == "zh" else [en] if lang == "en" else [zh, en]) if x]
    options = sub.get("enum") or _deref(sub.get("items", {}), {}).get("enum")
    if lines and options and len(options) <= 20:
        choices = " | ".join(map(str, options))
        lines[-1] += f"（可选：{choices}）" if lang == "zh" else f" (one of: {choices})"
    return lines


def _scalar(value) -> str:
    import re

    import yaml

    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6, sort_keys=False)
    text = text.strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")].strip()
    elif text.endswith("..."):
        text = text[:-3].strip()
    return text


def _is_localized(value) -> bool:
    return isinstance(value, dict) and value and set(value) <= {"zh", "en"}


def _write_mapping(data: dict, schema: dict, defs: dict, lang: str, indent: int, lines: list, top=False):
    props = _deref(schema, defs).get("properties", {})
    for key, value in data.items():
        raw = props.get(key, {})
        sub = _deref(raw, defs)
        text = _comment({**sub, **{k: v for k, v in raw.items() if k != "$ref"}}, lang)
        if top:
            lines.append("")
        lines.extend(f"{' ' * indent}# {line}" for line in text)
        _write_value(key, value, raw, sub, defs, lang, indent, lines)


_FLOW_REFS = ("#/$defs/duration", "#/$defs/money")


def _write_value(key, value, raw, sub, defs, lang, indent, lines):
    pad = " " * indent
    flow = isinstance(value, dict) and (raw.get("$ref") in _FLOW_REFS or not sub.get("properties"))
    if _is_localized(value):
        lines.append(f"{pad}{key}:")
        lines.extend(f"{pad}  {k}: {_scalar(v)}" for k, v in value.items())
    elif isinstance(value, dict) and value and not flow:
        lines.append(f"{pad}{key}:")
        _write_mapping(value, sub, defs, lang, indent + 2, lines)
    elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
        lines.append(f"{pad}{key}:")
        lines.extend(f"{pad}  - {_scalar(v)}" for v in value)
    else:
        lines.append(f"{pad}{key}: {_scalar(value)}")
