"""Tests for clausegen.spec: the schema, every semantic rule (valid and invalid), load_spec, starters."""

from __future__ import annotations

import copy
import os
import re

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clausegen import spec
from clausegen.errors import InvalidSpec, Problem, SpecError
from clausegen.yamlsource import load_yaml_text

LINE_FORMAT = re.compile(r"^[^:\n]+:\d+:\d+: (warning: )?[\w.\[\]]+: .+")


def codes(problems, severity=None):
    return {p.code for p in problems if severity is None or p.severity == severity}


def check(data):
    """Return the problems of `data` after a YAML round trip, so that they carry positions."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    doc = load_yaml_text(text, "spec.yaml")
    return spec.validate(doc.data, doc.marks, file="spec.yaml")


# ---------------------------------------------------------------- samples and starters


@pytest.mark.parametrize("name", ["sla-en.yaml", "sla-zh.yaml", "sla-bilingual.yaml"])
def test_samples_are_valid_without_warnings(samples_dir, name):
    loaded = spec.load_spec(samples_dir / name)
    assert loaded.warnings == ()
    assert loaded.language == name.split("-")[1].split(".")[0]
    assert len(loaded.sha256) == 64
    assert loaded.data["parties"]["provider"]["name"]


def test_samples_cover_both_dispute_branches_and_all_methods(samples_dir):
    datas = [spec.load_spec(samples_dir / n).data for n in ("sla-en.yaml", "sla-zh.yaml", "sla-bilingual.yaml")]
    assert {d["disputes"]["method"] for d in datas} == {"arbitration", "court"}
    methods = {m for d in datas for m in d["standards"]["methods"]}
    assert methods == {"service_credits", "per_hour", "direct_loss", "free_service_time"}


@pytest.mark.parametrize("lang", spec.LANGUAGES)
def test_starter_data_is_valid_and_complete(lang):
    data = spec.starter_data(lang)
    assert spec.validate(data) == []
    assert data["language"] == lang
    required = spec.spec_schema()["required"]
    assert all(key in data for key in required)
    for optional in ("records", "reports", "review", "training"):
        assert optional in data


def test_starter_data_has_the_shape_of_the_english_sample(samples_dir):
    sample = spec.load_spec(samples_dir / "sla-en.yaml").data

    def keys(node, path=()):
        if isinstance(node, dict) and not set(node) <= {"zh", "en"}:
            for k, v in node.items():
                yield path + (k,)
                yield from keys(v, path + (k,))

    missing = set(keys(sample)) - set(keys(spec.starter_data("en")))
    assert missing <= {("disputes", "mediation")}


def test_starter_languages_differ_where_they_should():
    zh, en, bi = (spec.starter_data(x) for x in spec.LANGUAGES)
    assert zh["parties"]["provider"]["role"] == "乙方"
    assert en["parties"]["provider"]["role"] == "Provider"
    assert bi["parties"]["provider"]["name"] == {"zh": "上海云帆数据科技有限公司",
                                                 "en": "Shanghai Yunfan Data Technology Co., Ltd."}
    assert zh["service"]["monthly_fee"]["currency"] == "CNY"
    assert en["service"]["monthly_fee"]["currency"] == "EUR"


def test_starter_data_returns_fresh_copies():
    first = spec.starter_data("en")
    first["service"]["availability_target"] = 1
    assert spec.starter_data("en")["service"]["availability_target"] == 99.9


def test_starter_data_rejects_unknown_language():
    with pytest.raises(ValueError, match="unknown language"):
        spec.starter_data("fr")


# ---------------------------------------------------------------- the schema itself


def _walk_schema(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk_schema(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_schema(value, f"{path}/{i}")


def test_schema_is_valid_2020_12():
    from jsonschema import Draft202012Validator

    schema = spec.spec_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_every_object_forbids_additional_properties():
    bad = [p for p, node in _walk_schema(spec.spec_schema())
           if node.get("type") == "object" and node.get("additionalProperties") is not False]
    assert bad == []


def test_every_property_has_titles_and_descriptions_in_both_languages():
    missing = []
    for path, node in _walk_schema(spec.spec_schema()):
        for name, sub in node.get("properties", {}).items() if isinstance(node.get("properties"), dict) else []:
            for key in ("title", "description", "x-title-zh", "x-description-zh"):
                if not sub.get(key):
                    missing.append(f"{path}/properties/{name}:{key}")
            if sub.get("x-title-zh") and not re.search(r"[\u4e00-\u9fff]", sub["x-title-zh"]):
                missing.append(f"{path}/properties/{name}: x-title-zh is not Chinese")
    assert missing == []


def test_enum_titles_cover_every_option():
    for path, node in _walk_schema(spec.spec_schema()):
        if "x-enum-titles" in node:
            assert set(node["x-enum-titles"]) == {str(v) for v in node["enum"]}, path
            for titles in node["x-enum-titles"].values():
                assert titles["zh"] and titles["en"], path


def test_schema_defines_the_units_and_money():
    defs = spec.spec_schema()["$defs"]
    assert defs["duration"]["properties"]["unit"]["enum"] == ["minutes", "hours", "days", "business_days", "months"]
    assert defs["money"]["properties"]["currency"]["pattern"] == "^[A-Z]{3}$"
    assert defs["percent"]["type"] == "number"


def _set(data, path, value):
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value


_DELETE = object()

SCHEMA_CASES = [
    # (id, path, bad value, pointer, message fragment, hint fragment)
    ("credit-over-100", ("standards", "service_credits", "tiers", 1, "credit_percent"), 150,
     "standards.service_credits.tiers[1].credit_percent", "150 is more than 100", None),
    ("percent-string", ("service", "availability_target"), "99.9%",
     "service.availability_target", "'99.9%' is not a number", "without quotes or a % sign: 99.9"),
    ("tier-percent-string", ("standards", "service_credits", "tiers", 0, "below"), "99.9 %",
     "standards.service_credits.tiers[0].below", "is not a number", "99.9"),
    ("unknown-key", ("service", "availabilty"), 99.9, "service.availabilty", "unknown key 'availabilty'",
     "did you mean 'availability_target'?"),
    ("unknown-section", ("disputs",), {}, "disputs", "unknown key 'disputs'", "did you mean 'disputes'?"),
    ("missing-section", ("disputes",), _DELETE, "disputes", "is missing (Dispute resolution)", "clausegen new"),
    ("missing-name", ("parties", "customer", "name"), _DELETE, "parties.customer.name", "is missing", None),
    ("currency-lower", ("service", "monthly_fee", "currency"), "eur", "service.monthly_fee.currency",
     "has the wrong form", "ISO 4217"),
    ("unit-typo", ("deadlines", "claim_window", "unit"), "day", "deadlines.claim_window.unit",
     "is not one of the allowed values", "write 'days' (for 'day')"),
    ("unit-near-miss", ("deadlines", "claim_window", "unit"), "dayz", "deadlines.claim_window.unit",
     "is not one of the allowed values", "did you mean 'days'?"),
    ("litigation", ("disputes", "method"), "litigation", "disputes.method",
     "'litigation' is not one of the allowed values", "write 'court' (for 'litigation')"),
    ("duration-as-text", ("deadlines", "claim_window"), "30 days", "deadlines.claim_window",
     "'30 days' is not a mapping", "{value: 30, unit: minutes}"),
    ("duration-zero", ("deadlines", "claim_window", "value"), 0, "deadlines.claim_window.value",
     "0 is not more than 0", None),
    ("bad-date", ("term", "expiry_date"), "2029-02-30", "term.expiry_date", "is not a valid date", "YYYY-MM-DD"),
    ("language", ("language",), "fr", "language", "'fr' is not one of the allowed values", "zh, en, bilingual"),
    ("arbitrators", ("disputes", "arbitration", "arbitrators"), 2, "disputes.arbitration.arbitrators",
     "2 is not one of the allowed values", "1, 3"),
    ("methods-empty", ("standards", "methods"), [], "standards.methods", "needs at least 1 item", None),
    ("methods-twice", ("standards", "methods"), ["service_credits", "service_credits"], "standards.methods",
     "lists an item twice", None),
    ("event-unknown", ("definition", "covered_events", 0), "meteor", "definition.covered_events[0]",
     "'meteor' is not one of the allowed values", None),
    ("version", ("clausegen",), 2, "clausegen", "2 must be 1", None),
    ("text-number", ("parties", "provider", "name"), 42, "parties.provider.name",
     "42 is not text or a mapping", "{zh: 中文, en: English}"),
    ("text-mapping-key", ("parties", "provider", "name"), {"zh": "甲", "fr": "x"}, "parties.provider.name.fr",
     "unknown key 'fr'", None),
    ("fm-extension", ("deadlines", "force_majeure_extension"), "forever", "deadlines.force_majeure_extension",
     "'forever' is not 'event_duration' or a duration", "event_duration or {value: 5, unit: days}"),
    ("bool-as-text", ("standards", "exclusive_remedy"), "maybe", "standards.exclusive_remedy",
     "'maybe' is not true or false", None),
    ("negative-amount", ("service", "monthly_fee", "amount"), -5, "service.monthly_fee.amount",
     "-5 is less than 0", None),
]


@pytest.mark.parametrize("path, value, pointer, message, hint", [c[1:] for c in SCHEMA_CASES],
                         ids=[c[0] for c in SCHEMA_CASES])
def test_schema_problem_is_reported_where_and_with_hint(starter, path, value, pointer, message, hint):
    data = starter("en")
    assert [p for p in check(data) if p.severity == "error"] == []
    _set(data, path, value)
    problems = check(data)
    matching = [p for p in problems if p.pointer == pointer and message in p.message]
    assert matching, [p.format() for p in problems]
    problem = matching[0]
    assert problem.line is not None and problem.col is not None
    assert LINE_FORMAT.match(problem.format()), problem.format()
    if hint:
        assert hint in (problem.hint or ""), problem.hint


def test_problem_line_format_is_exactly_file_line_col_pointer_message(tmp_path, samples_dir):
    text = (samples_dir / "sla-en.yaml").read_text(encoding="utf-8")
    text = text.replace("{below: 99.5, at_least: 99.0, credit_percent: 25}",
                        "{below: 99.5, at_least: 99.0, credit_percent: 150}")
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    lines = [p.format() for p in spec.validate_files([path])]
    lineno = next(i for i, ln in enumerate(text.splitlines(), 1) if "credit_percent: 150" in ln)
    col = text.splitlines()[lineno - 1].index("credit_percent") + 1
    assert f"{path}:{lineno}:{col}: standards.service_credits.tiers[1].credit_percent: 150 is more than 100" in lines


# ---------------------------------------------------------------- semantic rules


def _tiers(*rows):
    return [dict(zip(("below", "at_least", "credit_percent"), r)) if len(r) == 3 else
            {"below": r[0], "credit_percent": r[1]} for r in rows]


def m(*changes):
    """Return a mutation applying (path, value) pairs to a spec."""
    def apply(data):
        for path, value in changes:
            _set(data, path, value)
        return data
    return apply


SC = ("standards", "service_credits", "tiers")
SEMANTIC_CASES = [
    # (code, severity, failing mutation, passing mutation)
    ("availability-range", "error", m((("service", "availability_target"), 85)),
     m((("service", "availability_target"), 99.5), (SC, _tiers((99.5, 99, 10), (99, 25))))),
    ("tiers-ordered", "error", m((SC, _tiers((99.0, 98.0, 25), (99.9, 99.5, 10), (98.0, 50)))),
     m((SC, _tiers((99.9, 99.0, 10), (99.0, 98.0, 25), (98.0, 50))))),
    ("tiers-ordered", "error", m((SC, _tiers((99.9, 99.0, 10), (99.5, 98.0, 25), (98.0, 50)))), m()),
    ("tiers-ordered", "error", m((SC, _tiers((99.9, 99.95, 10), (99.0, 50)))), m()),
    ("tiers-ordered", "warning", m((SC, _tiers((99.9, 99.5, 10), (99.0, 25)))),
     m((SC, _tiers((99.9, 99.5, 10), (99.5, 25))))),
    ("tiers-ordered", "error", m((SC, _tiers((99.9, 10), (99.0, 25)))), m()),
    ("tiers-ordered", "warning", m((SC, _tiers((99.9, 99.0, 10), (99.0, 95.0, 25)))),
     m((SC, _tiers((99.9, 99.0, 10), (99.0, 25))))),
    ("tiers-credit-increasing", "warning", m((SC, _tiers((99.9, 99.5, 30), (99.5, 99.0, 20), (99.0, 10)))), m()),
    ("first-tier-at-target", "error", m((("service", "availability_target"), 99.5)),
     m((("service", "availability_target"), 99.5), (SC, _tiers((99.5, 99.0, 10), (99.0, 25))))),
    ("first-tier-at-target", "warning", m((("service", "availability_target"), 99.95)), m()),
    ("credit-within-cap", "error", m((("standards", "cap", "percent"), 20)),
     m((("standards", "cap", "percent"), 50))),
    ("method-blocks", "error", m((("standards", "methods"), ["service_credits", "direct_loss"])),
     m((("standards", "methods"), ["service_credits", "direct_loss", "free_service_time"]),
       (("standards", "direct_loss"), {"requires_proof": True}))),
    ("method-blocks", "warning", m((("standards", "methods"), ["service_credits"])), m()),
    ("per-hour-amount", "error",
     m((("standards", "methods"), ["per_hour"]), (("standards", "per_hour"), {"rounding": "started_hour"}),
       (("standards", "service_credits"), _DELETE), (("standards", "free_service_time"), _DELETE)),
     m((("standards", "methods"), ["per_hour"]),
       (("standards", "per_hour"), {"amount": {"amount": 100, "currency": "EUR"}}),
       (("standards", "service_credits"), _DELETE), (("standards", "free_service_time"), _DELETE))),
    ("dispute-forum", "error", m((("disputes", "arbitration", "institution"), _DELETE)), m()),
    ("dispute-forum", "error", m((("disputes", "method"), "court"), (("disputes", "arbitration"), _DELETE),
                                 (("disputes", "court"), {"exclusive": True})),
     m((("disputes", "method"), "court"), (("disputes", "arbitration"), _DELETE),
       (("disputes", "court"), {"venue": "the courts of Dublin"}))),
    ("dispute-block-mismatch", "warning", m((("disputes", "court"), {"venue": "the courts of Dublin"})), m()),
    ("notice-before-claim-window", "error",
     m((("notification", "provider_notice", "within"), {"value": 30, "unit": "days"}),
       (("notification", "incident_report", "within"), {"value": 2, "unit": "months"})),
     m((("notification", "provider_notice", "within"), {"value": 2, "unit": "days"}))),
    ("report-after-notice", "error", m((("notification", "incident_report", "within"),
                                        {"value": 20, "unit": "minutes"})),
     m((("notification", "incident_report", "within"), {"value": 2, "unit": "hours"}))),
    ("maintenance-budget", "error",
     m((("definition", "exclusions"), ["force_majeure", "customer_causes"])),
     m((("definition", "exclusions"), ["force_majeure", "customer_causes"]),
       (("definition", "maintenance", "monthly_allowance"), {"value": 30, "unit": "minutes"}))),
    ("maintenance-notice", "error", m((("definition", "maintenance", "notice"), _DELETE)),
     m((("definition", "maintenance", "notice"), _DELETE), (("definition", "exclusions"), ["force_majeure"]),
       (("definition", "maintenance", "monthly_allowance"), {"value": 30, "unit": "minutes"}))),
    ("events-not-both", "error", m((("definition", "covered_events"), ["system_failure", "force_majeure"])),
     m((("definition", "covered_events"), ["system_failure", "power_failure"]))),
    ("currency-consistent", "error", m((("standards", "cap", "amount"), {"amount": 5000, "currency": "USD"})),
     m((("standards", "cap", "amount"), {"amount": 5000, "currency": "EUR"}))),
    ("iso-currency", "error", m((("standards", "cap", "amount"), {"amount": 5000, "currency": "RMB"})),
     m((("standards", "cap", "amount"), {"amount": 5000, "currency": "EUR"}))),
    ("dates-in-order", "error", m((("term", "expiry_date"), "2026-01-31")),
     m((("term", "expiry_date"), "2026-03-02"))),
    ("dates-in-order", "error", m((("document", "date"), "2030-01-01")), m((("document", "date"), "2026-02-20"))),
    ("chronic-failure", "error", m((("standards", "chronic_failure", "missed_periods"), 4)),
     m((("standards", "chronic_failure", "missed_periods"), 3))),
    ("localized-text", "error", m((("language",), "bilingual")), m()),
    ("localized-text", "error", m((("parties", "provider", "name"), {"zh": "北风云"})),
     m((("parties", "provider", "name"), {"zh": "北风云", "en": "Northwind Cloud"}))),
    ("steps-in-order", "warning", m((("process", "steps"), ["claim", "notify", "pay"])),
     m((("process", "steps"), ["notify", "claim", "pay"]))),
    ("payment-deadline", "error",
     m((("standards", "settlement"), "payment"), (("deadlines", "payment_deadline"), _DELETE)),
     m((("standards", "settlement"), "credit"), (("deadlines", "payment_deadline"), _DELETE))),
    ("finite-numbers", "error", m((("standards", "free_service_time", "ratio"), float("nan"))),
     m((("standards", "free_service_time", "ratio"), 2))),
    ("printable-text", "error", m((("document", "title"), "SLA\x1f")), m((("document", "title"), "SLA\tv2"))),
    # Credit-only settlement: a payment deadline promises a payment that never comes...
    ("settlement-deadlines", "error", m((("standards", "outstanding_credit"), "lapses")),
     m((("standards", "outstanding_credit"), "lapses"), (("deadlines", "payment_deadline"), _DELETE))),
    # ...and credit paid out when the Agreement ends needs a deadline for that payment.
    ("settlement-deadlines", "warning", m((("deadlines", "payment_deadline"), _DELETE)), m()),
    ("whole-durations", "error", m((("notification", "provider_notice", "within"), {"value": 0.5, "unit": "hours"})),
     m((("notification", "provider_notice", "within"), {"value": 30, "unit": "minutes"}))),
    ("whole-durations", "error", m((("standards", "free_service_time", "ratio"), 1.5)),
     m((("standards", "free_service_time", "ratio"), 2))),
    ("emergency-maintenance", "error", m((("definition", "maintenance", "emergency_allowance"), _DELETE)), m()),
    ("emergency-maintenance", "error", m((("definition", "maintenance", "emergency_notice"), _DELETE)), m()),
    ("emergency-maintenance", "warning",
     m((("definition", "exclusions"), ["scheduled_maintenance", "force_majeure"])),
     m((("definition", "exclusions"), ["scheduled_maintenance", "force_majeure"]),
       (("definition", "maintenance", "emergency_allowance"), _DELETE))),
    ("sub-cap", "error",
     m((("standards", "methods"), ["service_credits", "direct_loss"]), (("standards", "free_service_time"), _DELETE),
       (("standards", "direct_loss"), {"cap": {"amount": 200000, "currency": "EUR"}}),
       (("standards", "cap", "covers"), _DELETE)),
     m((("standards", "methods"), ["service_credits", "direct_loss"]), (("standards", "free_service_time"), _DELETE),
       (("standards", "direct_loss"), {"cap": {"amount": 200000, "currency": "EUR"}}),
       (("standards", "cap", "covers"), ["service_credits"]))),
    ("sub-cap", "warning", m((("standards", "cap", "covers"), ["service_credits", "per_hour"])), m()),
    ("credit-basis-period", "warning", m((("service", "measurement_period"), "quarter")),
     m((("service", "measurement_period"), "quarter"), (("standards", "service_credits", "basis"), "period_fee"))),
    ("free-time-rounding", "warning", m((("standards", "free_service_time", "ratio"), 2)),
     m((("standards", "free_service_time", "ratio"), 2), (("standards", "free_service_time", "rounding"), "full_day"))),
    ("verification-basis", "error", m((("process", "verification", "basis"), "joint_records")),
     m((("process", "verification", "basis"), "joint_records"), (("service", "measured_by"), "joint"))),
    ("dispute-periods", "warning", m((("disputes", "negotiation", "period"), _DELETE)), m()),
    ("dispute-periods", "warning", m((("disputes", "mediation"), {"institution": "the Mediation Centre"})),
     m((("disputes", "mediation"), {"institution": "the Mediation Centre", "period": {"value": 30, "unit": "days"}}))),
    ("prevailing-language", "warning", m((("language",), "bilingual")), m()),
    ("invisible-text", "warning", m((("parties", "provider", "name"), "Acme\u200b Ltd")),
     m((("parties", "provider", "name"), "Acme Ltd"))),
    ("invisible-text", "error", m((("parties", "customer", "name"), "Acme \u202edtL")),
     m((("parties", "customer", "name"), "Acme Ltd"))),
]


@pytest.mark.parametrize("code, severity, fail, ok", SEMANTIC_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(SEMANTIC_CASES)])
def test_semantic_rule_fails_and_passes(starter, code, severity, fail, ok):
    bad = check(fail(starter("en")))
    found = [p for p in bad if p.code == code]
    assert any(p.severity == severity for p in found), [p.format() for p in bad]
    assert all(p.line is not None for p in found)
    assert all(p.hint for p in found)
    good = check(ok(starter("en")))
    assert code not in codes(good), [p.format() for p in good]


def test_there_are_at_least_twelve_semantic_rules_all_tested():
    assert len(spec.RULES) >= 12
    from clausegen.spec.dealterms import RULES as DEAL_RULES  # tested in test_deal_terms.py

    assert set(spec.RULES) - set(DEAL_RULES) == {c[0] for c in SEMANTIC_CASES}


def test_bilingual_starter_passes_localized_rule():
    assert spec.validate(spec.starter_data("bilingual")) == []
    data = spec.starter_data("bilingual")
    data["disputes"]["governing_law"] = "PRC law"
    problems = spec.validate(data)
    assert [p.pointer for p in problems] == ["disputes.governing_law"]


def test_rules_survive_wrongly_typed_sections(starter):
    data = starter("en")
    data["standards"] = {"methods": "service_credits", "service_credits": [1, 2], "cap": "half"}
    data["definition"]["exclusions"] = "all"
    data["notification"]["provider_notice"]["within"] = [1]
    data["deadlines"] = []
    problems = check(data)
    assert problems and all(isinstance(p, Problem) for p in problems)


# ---------------------------------------------------------------- load_spec


def test_load_spec_raises_invalid_spec_with_every_problem(write_spec, starter):
    data = starter("en")
    data["service"]["availability_target"] = "99.9%"
    data["standards"]["chronic_failure"]["missed_periods"] = 5
    with pytest.raises(InvalidSpec) as info:
        spec.load_spec(write_spec(data))
    assert info.value.exit_code == 1
    assert {p.code for p in info.value.problems} >= {"schema", "chronic-failure"}


def test_load_spec_keeps_warnings_and_hash(write_spec, starter):
    import hashlib

    data = starter("en")
    data["standards"]["methods"] = ["service_credits"]
    path = write_spec(data)
    loaded = spec.load_spec(path)
    assert "method-blocks" in [p.code for p in loaded.warnings]
    assert all(p.severity == "warning" for p in loaded.warnings)
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert loaded.language == "en"


def test_load_spec_unreadable_is_spec_error(tmp_path):
    with pytest.raises(SpecError):
        spec.load_spec(tmp_path / "missing.yaml")


def test_validate_files_reports_every_file(tmp_path, write_spec, starter, samples_dir):
    bad = starter("en")
    bad["service"]["availability_target"] = 120
    paths = [samples_dir / "sla-zh.yaml", write_spec(bad, "bad.yaml"), tmp_path / "missing.yaml"]
    problems = spec.validate_files(paths)
    assert {p.file for p in problems} == {str(paths[1]), str(paths[2])}
    assert any(p.code == spec.UNREADABLE for p in problems)


# ---------------------------------------------------------------- never an exception


FUZZ_EXAMPLES = int(os.environ.get("CLAUSEGEN_FUZZ_EXAMPLES", "200"))

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                     st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                     st.sampled_from(["99.9%", "2026-03-01", "minutes", "CNY", "arbitration", "court"]))
_keys = st.one_of(st.text(max_size=8), st.sampled_from(
    ["language", "service", "standards", "tiers", "below", "credit_percent", "value", "unit", "method",
     "disputes", "definition", "exclusions", "zh", "en", "within", "notification", "provider_notice"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(_keys, inner, max_size=4)),
                       max_leaves=20)


def _mutated_sample():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "samples" / "sla-en.yaml").read_text(encoding="utf-8")
    return st.tuples(st.integers(0, len(text)), st.integers(0, 40), st.text(max_size=6)).map(
        lambda t: text[: t[0]] + t[2] + text[t[0] + t[1]:])


def _assert_clean(text: str) -> None:
    try:
        doc = load_yaml_text(text, "fuzz.yaml")
    except SpecError as exc:
        assert exc.message and exc.exit_code == 2
        return
    problems = spec.validate(doc.data, doc.marks, file="fuzz.yaml")
    for p in problems:
        assert isinstance(p, Problem) and p.message
        p.format()


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), _mutated_sample(),
                 st.text(st.characters(categories=["Cc", "Cs", "Lo", "Zs", "Po", "Sm"]), max_size=60).map(
                     lambda t: "language: zh\nparties:\n  provider: {name: " + t + "}\n"),
                 _values.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
                 st.dictionaries(_keys, _values, max_size=6).map(
                     lambda d: yaml.safe_dump({**copy.deepcopy(spec.starter_data("en")), **d}))))
@example("language: en\ndisputes: {method: []}\ndeadlines: {claim_window: {value: 1, unit: [days]}}\n")
@example("service: {availability_target: .nan}\nstandards: {methods: {a: 1}}\n")
def test_any_yaml_gives_a_spec_or_clean_problems(text):
    _assert_clean(text)


# ---------------------------------------------------------------- the reference stays complete


def _schema_paths(node, defs, prefix=""):
    for key, sub in node.get("properties", {}).items():
        path = f"{prefix}{key}"
        yield path
        name = sub.get("$ref", "").rsplit("/", 1)[-1]
        if name in ("text", "duration", "money", "percent"):
            continue
        target = defs.get(name, sub) if name else sub
        if target.get("type") == "object":
            yield from _schema_paths(target, defs, path + ".")
        if target.get("type") == "array" and "properties" in target.get("items", {}):
            yield from _schema_paths(target["items"], defs, path + "[].")


def test_docs_spec_md_describes_every_key_and_rule(repo_root):
    doc = (repo_root / "docs" / "spec.md").read_text(encoding="utf-8")
    schema = spec.spec_schema()
    missing = [p for p in _schema_paths(schema, schema["$defs"]) if f"`{p}`" not in doc]
    assert missing == []
    assert [c for c in spec.RULES if f"`{c}`" not in doc] == []


# ---------------------------------------------------------------- the schema itself


def test_spec_schema_is_a_valid_2020_12_schema():
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(spec.spec_schema())


def test_wrong_type_is_reported_once_not_per_keyword(starter):
    data = starter("en")
    data["service"]["availability_target"] = "99.9%"
    problems = [p for p in check(data) if p.severity == "error"]
    assert [p.pointer for p in problems] == ["service.availability_target"]
    assert "99.9" in (problems[0].hint or "")


@pytest.mark.parametrize("parent, good, bad", [
    ((), "disputes", "disputs"),
    (("service",), "measurement_period", "measurment_period"),
], ids=["section", "key"])
def test_misspelt_required_key_is_reported_once_with_did_you_mean(starter, parent, good, bad):
    data = starter("en")
    node = data
    for key in parent:
        node = node[key]
    node[bad] = node.pop(good)
    problems = [p for p in check(data) if p.severity == "error"]
    assert [(p.code, p.hint) for p in problems] == [("unknown-key", f"did you mean {good!r}?")]


def test_credit_over_100_is_not_also_reported_against_the_cap(starter):
    data = starter("en")
    data["standards"]["service_credits"]["tiers"][2]["credit_percent"] = 150
    assert [p.code for p in check(data) if p.severity == "error"] == ["schema"]
