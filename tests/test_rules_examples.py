"""Every rule file's examples: `pass` texts raise no complaint from the rule, `fail` texts do.

For a `require` rule "complaint" means the rule does not recognise its provision; for `forbid`
and `conditional` rules it means the rule fires.
"""

from __future__ import annotations

import pytest

from clausegen.check.engine import example_holds
from clausegen.check.rules import load_ruleset

RULESET = load_ruleset()
CASES = [
    pytest.param(rule.id, outcome, lang, text, id=f"{rule.id}-{outcome}-{lang}-{i}")
    for rule in RULESET.rules
    for outcome, lang, i, text in rule.example_cases()
]


@pytest.mark.parametrize(("rule_id", "outcome", "lang", "text"), CASES)
def test_rule_example(rule_id: str, outcome: str, lang: str, text: str) -> None:
    rule = next(r for r in RULESET.rules if r.id == rule_id)
    assert example_holds(RULESET, rule, outcome, text, lang), f"{rule.path.name}: {outcome} example ({lang}) {text!r}"


def test_every_rule_has_examples_in_both_languages() -> None:
    assert RULESET.rules
    for rule in RULESET.rules:
        for outcome in ("pass", "fail"):
            assert rule.examples[outcome]["zh"] and rule.examples[outcome]["en"], rule.id


def test_every_required_provision_has_a_require_rule() -> None:
    required = {p.id for p in RULESET.family.provisions if p.required}
    covered = {r.provision for r in RULESET.rules if r.kind == "require"}
    assert required <= covered
