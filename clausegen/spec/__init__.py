"""Specs: load a YAML spec, validate it (JSON Schema plus semantic rules), and write starter specs.

One module per concern: `schema` (where the schema is, how a place is written), `explain`
(schema errors for a lawyer), `rules` (the semantic rules), `dealterms` (the deal terms' semantic
rules), `starter` (starter specs and the YAML writer), `load` (loading, validating with both sets
of rules, the API entry points). Every name is also here.
"""

from __future__ import annotations

from clausegen.spec.schema import (  # noqa: F401
    LANGUAGES, SCHEMA_NAME, format_path, spec_schema
)
from clausegen.spec.explain import (  # noqa: F401
    schema_errors, schema_problems, show_value, worded
)
from clausegen.spec.rules import (  # noqa: F401
    BIDI_CONTROLS, COMMON_CURRENCY_NAMES, INVISIBLE, ISO_4217, cap_covers, duration_minutes,
    language_problems, overall_cap, rule_availability_range, rule_chronic_failure,
    rule_credit_basis_period, rule_credit_within_cap, rule_currency_consistent, rule_dates_in_order,
    rule_dispute_block_mismatch, rule_dispute_forum, rule_dispute_periods, rule_emergency_maintenance,
    rule_events_not_both, rule_finite_numbers, rule_first_tier_at_target, rule_free_time_rounding,
    rule_invisible_text, rule_iso_currency, rule_localized_text, rule_maintenance_budget,
    rule_maintenance_notice, rule_method_blocks, rule_notice_before_claim_window, rule_payment_deadline,
    rule_per_hour_amount, rule_prevailing_language, rule_printable_text, rule_report_after_notice,
    rule_settlement_deadlines, rule_steps_in_order, rule_sub_cap, rule_tiers_credit_increasing,
    rule_tiers_ordered, rule_verification_basis, rule_whole_durations, visible
)
from clausegen.spec.starter import (  # noqa: F401
    STARTER_FILE, spec_text, starter_data, starter_family, starter_spec
)
from clausegen.spec.load import (  # noqa: F401
    RULES, Spec, UNREADABLE, YAML, document_problems, family_problems, is_path, load_problem, load_spec,
    spec_from_source, text_problems, validate, validate_files, validate_source
)
