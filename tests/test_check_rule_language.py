"""The rule language: named vocabularies, their firm overrides, and the time bound on every pattern."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import regex

from clausegen.check.rules import (Patterns, PatternTimeout, expand_vocabularies, load_ruleset, load_vocabularies)
from clausegen.errors import LibraryError
from clausegen.library import load_library

REPO = Path(__file__).resolve().parents[1]
BUILTIN = REPO / "clause_templates" / "service-interruption"


def _firm(tmp_path: Path, vocabularies: str | None = None, rule: tuple[str, str] | None = None) -> Path:
    """Return a firm library folder that restates the family and adds the given files."""
    fam = tmp_path / "clauses" / "service-interruption"
    (fam / "rules").mkdir(parents=True)
    shutil.copy(BUILTIN / "family.yaml", fam / "family.yaml")
    if vocabularies is not None:
        (fam / "vocabularies.yml").write_text(vocabularies, encoding="utf-8")
    if rule is not None:
        (fam / "rules" / rule[0]).write_text(rule[1], encoding="utf-8")
    return tmp_path / "clauses"


@pytest.mark.parametrize("lang,pattern,text,hit", [
    ("zh", "{{interruption}}", "因机房停电导致服务中断", True),
    ("zh", "{{interruption}}", "本合同一式两份", False),
    ("en", "{{interruption}}", "any period of Unavailability", True),  # unavailab* continues the word
    ("en", "{{interruption}}", "the available balance", False),  # whole words only
    ("en", "{{vague_time}}", "Provider shall notify Customer as soon as  practicable.", True),  # spaces fold
    ("en", "{{arbitration_institution}}|courts?", "arbitration administered by the SIAC", True),
], ids=["zh-hit", "zh-miss", "en-continues", "en-whole-words", "en-spaces", "mixed-with-regex"])
def test_vocabulary_reference_expands_to_its_phrases(lang, pattern, text, hit) -> None:
    vocab = load_vocabularies(load_library().family())
    expanded = expand_vocabularies(pattern, lang, vocab)
    assert "{{" not in expanded
    flags = regex.IGNORECASE if lang == "en" else 0
    assert bool(regex.search(expanded, text, flags)) is hit


def test_the_interruption_vocabulary_is_defined_once_not_restated_in_rules() -> None:
    # issue 10: the interruption words were restated in 17 places; now rules refer to them by name
    restated = [p.name for p in (BUILTIN / "rules").glob("*.yml") if "停机|宕机" in p.read_text(encoding="utf-8")]
    assert len(restated) <= 1, restated  # definition keeps its own precise phrase patterns
    users = [p.name for p in (BUILTIN / "rules").glob("*.yml") if "{{interruption}}" in p.read_text(encoding="utf-8")]
    assert len(users) >= 4


def test_unknown_vocabulary_is_an_error_naming_file_line_and_the_known_names(tmp_path: Path) -> None:
    rule = ("mine.yml", "kind: require\nlevel: error\nprovision: disputes\nscope: sentence\n"
                        "message: {zh: 无, en: none}\ndescription: test\n"
                        "patterns:\n  zh: ['{{no_such_words}}']\n  en: ['x']\n"
                        "examples: {pass: {zh: [a], en: [a]}, fail: {zh: [b], en: [b]}}\n")
    lib = _firm(tmp_path, rule=rule)
    with pytest.raises(LibraryError) as err:
        load_ruleset(lib)
    assert "unknown vocabulary 'no_such_words'" in err.value.message
    assert err.value.path.endswith("mine.yml") and err.value.line == 8
    assert "interruption" in (err.value.hint or "")


def test_firm_vocabulary_overrides_one_name_and_inherits_the_rest(tmp_path: Path) -> None:
    lib = _firm(tmp_path, vocabularies="interruption:\n  description: ours\n  zh: [停摆]\n  en: [blackout*]\n")
    vocab = load_vocabularies(load_library(lib).family())
    assert vocab["interruption"]["en"] == ["blackout*"]
    assert "promptly" in vocab["vague_time"]["en"]  # inherited from the built-in library


def test_bad_vocabulary_file_is_an_error_with_its_place(tmp_path: Path) -> None:
    lib = _firm(tmp_path, vocabularies="interruption:\n  description: ours\n  zh: 停摆\n")
    with pytest.raises(LibraryError) as err:
        load_ruleset(lib)
    assert err.value.path.endswith("vocabularies.yml") and err.value.line == 3
    assert "interruption.zh" in err.value.message


def test_a_pattern_that_runs_too_long_raises_pattern_timeout() -> None:
    # A firm's pattern that the shape check would refuse at load, compiled here directly.
    slow = Patterns((regex.compile(r"(a|aa)+$"),))
    with pytest.raises(PatternTimeout):
        slow.search("a" * 60 + "b")


def test_a_timed_out_rule_is_skipped_and_reported_not_a_crash() -> None:
    from clausegen.check import check_text
    from clausegen.check.engine import analyse, evaluate
    from clausegen.check.readers import contract_from_text

    ruleset = load_ruleset()
    rule = next(r for r in ruleset.rules if r.id == "disputes")
    slow = {"en": Patterns((regex.compile(r"(a|aa)+$", regex.I),))}
    # no cues: the slow pattern must be searched on the sentence of "a"s, which holds none
    bad = dataclasses.replace(rule, patterns={**rule.patterns, "patterns": slow}, cues={})
    rs = dataclasses.replace(ruleset, rules=tuple(bad if r.id == "disputes" else r for r in ruleset.rules))
    doc = analyse(contract_from_text("a" * 60 + "b\nAny dispute goes to the courts of Paris.", "en"), rs)
    outcome = evaluate(doc, rs, suggest=False)
    assert [f.rule for f in outcome.findings].count("rule-timeout") == 1
    assert "disputes" in next(f.message for f in outcome.findings if f.rule == "rule-timeout")
    assert check_text("Any dispute goes to the courts of Paris.", "en", suggest=False)  # the real rules are unharmed


@pytest.mark.parametrize("lang,unit", [("en", "claims shall provide the details "), ("zh", "客户应当提供工单信息")])
def test_rules_stay_linear_on_a_100kb_sentence(lang: str, unit: str) -> None:
    # the process rule's old look-ahead rescanned to the end of the sentence from every position
    from clausegen.check import check_text

    report = check_text(unit * (100_000 // len(unit)), lang, suggest=False)
    assert not [f for f in report.findings if f.rule == "rule-timeout"]


NEGATED_RULE = """kind: require
level: error
provision: notification
scope: sentence
message: {zh: 无通知, en: no notice}
description: a notice duty, unless negated
patterns:
  zh: ['(?P<head>通知)[^。]{0,10}中断']
  en: ['\\b(?P<head>notify)\\b[^.]{0,30}\\boutages?\\b']
negated_by:
  zh: [无需事先, 不]
  en: ['{{vague_time}}', without]
  window: {en: 5}
examples: {pass: {zh: [乙方应通知甲方中断。], en: [We will notify you of outages.]},
           fail: {zh: [乙方无需事先通知甲方中断。], en: [We may, without notice, notify nobody of outages.]}}
"""


@pytest.mark.parametrize("lang,text,fires", [
    ("zh", "乙方应在两小时内通知甲方服务中断。", True),
    ("zh", "乙方无需事先通知甲方服务中断。", False),
    ("zh", "乙方不通知甲方服务中断。", False),
    ("en", "We will notify you of outages.", True),
    ("en", "We will promptly notify you of outages.", False),  # a vocabulary reference as negation
    ("en", "We act without any delay and notify you of outages.", True),  # 'without' is outside the window
], ids=["zh-duty", "zh-phrase", "zh-char", "en-duty", "en-vocab", "en-window"])
def test_negated_by_cancels_a_match_preceded_by_a_negation(tmp_path: Path, lang, text, fires) -> None:
    from clausegen.check.engine import rule_fires

    lib = _firm(tmp_path, rule=("negated.yml", NEGATED_RULE))
    ruleset = load_ruleset(lib)
    assert any(r.id == "negated" for r in ruleset.rules)
    assert rule_fires(ruleset, "negated", text, lang) is fires


def test_every_builtin_rule_passes_the_full_validation_that_check_time_skips() -> None:
    # At check time the built-in rules are trusted (kept as sources, compiled on first use); this
    # is the validation they skip: schema, bad syntax, exponential backtracking, per file.
    from clausegen.check.rules import load_rule

    family = load_library().family("service-interruption")
    vocabularies = load_vocabularies(family)
    files = family.rule_files()
    assert len(files) >= 15
    lazy = {r.id: r for r in load_ruleset().rules}
    for rid, path in files.items():
        strict = load_rule(rid, path, vocabularies, trusted=False)
        for key, by_lang in strict.patterns.items():
            for lang, pats in by_lang.items():
                trusted = lazy[rid].get(key, lang)
                assert [p.pattern for p in pats.regexes] == [p.pattern for p in trusted.regexes], (rid, key, lang)
                assert pats.tokens == trusted.tokens


def test_a_broken_pattern_in_a_trusted_file_is_a_library_error_naming_it() -> None:
    pats = Patterns(("(unclosed",), (), 0, "rules/broken.yml")
    with pytest.raises(LibraryError) as err:
        pats.regexes
    assert err.value.path == "rules/broken.yml" and "library check" in err.value.hint


def test_checking_english_compiles_no_chinese_pattern() -> None:
    import subprocess
    import sys

    code = (
        "import clausegen.check as c\n"
        "from clausegen.check.rules import load_ruleset\n"
        "c.check_text('The Provider shall notify the Customer within 2 hours of an outage.', 'en', suggest=False)\n"
        "rs = load_ruleset()\n"
        "def compiled(lang):\n"
        "    groups = [by[lang] for r in rs.rules for by in [*r.patterns.values(), *r.with_] if lang in by]\n"
        "    return sum(1 for g in groups if '_regexes' in vars(g) or vars(g).get('_combined'))\n"
        "print(compiled('en'), compiled('zh'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    en, zh = map(int, out.stdout.split())
    assert en > 0 and zh == 0


def test_a_firm_vocabulary_makes_builtin_rules_validated_at_load(tmp_path: Path) -> None:
    # A firm phrase inside a built-in pattern is new pattern text: it is compiled (and checked) at load.
    root = _firm(tmp_path, vocabularies="interruption:\n  description: firm words\n  zh: [停摆]\n  en: [blackout]\n")
    rs = load_ruleset(root)
    builtin = [r for r in rs.rules if "{{interruption}}" in r.path.read_text(encoding="utf-8")]
    assert builtin
    sources = [s for r in builtin for by in r.patterns.values() for p in by.values() for s in p.sources]
    assert sources and not any(isinstance(s, str) for s in sources)  # compiled at load, not kept as text


CUED_RULE = """kind: require
level: error
provision: notification
scope: sentence
message: {zh: 无通知, en: no notice}
description: a notice duty, searched only in sentences that hold a cue
patterns:
  zh: ['通知[^。]{0,10}中断']
  en: ['\\bnotify\\b[^.]{0,30}\\b(?:outages?|downtime)\\b']
cues:
  en: [notify]
examples: {pass: {zh: [乙方应通知甲方中断。], en: [We will NOTIFY you of outages.]},
           fail: {zh: [乙方应修复中断。], en: [We will fix outages.]}}
"""


@pytest.mark.parametrize("text,fires", [
    ("We will NOTIFY you of outages.", True),  # cues compare case-insensitively
    ("We will tell you of outages.", False),
], ids=["cue-in-capitals", "no-cue"])
def test_cues_skip_sentences_without_them_and_change_nothing_else(tmp_path: Path, text, fires) -> None:
    from clausegen.check.engine import rule_fires

    ruleset = load_ruleset(_firm(tmp_path, rule=("cued.yml", CUED_RULE)))
    rule = next(r for r in ruleset.rules if r.id == "cued")
    assert rule.cues == {"en": ("notify",)}
    assert rule_fires(ruleset, "cued", text, "en") is fires
    assert rule_fires(ruleset, "cued", "乙方应通知甲方中断。", "zh")  # no zh cues: every sentence is searched


def test_a_cue_of_several_words_folds_spaces_as_vocabulary_phrases_do() -> None:
    from clausegen.check.kinds import _has_cue

    assert _has_cue("any Loss  of\tService shall", ("loss of service",))
    assert not _has_cue("any loss of services", ("loss of supply",))


def test_a_cue_list_that_misses_a_pass_example_is_reported_by_library_check(tmp_path: Path) -> None:
    from clausegen.library.check import check_library

    wrong = CUED_RULE.replace("en: [notify]", "en: [inform]")
    problems = check_library(_firm(tmp_path, rule=("cued.yml", wrong)))
    assert any("cued.yml" in str(p.file) and "not recognised" in p.message for p in problems), problems


def test_builtin_cues_change_no_verdict_on_the_dev_corpus(corpus_dir: Path) -> None:
    """The built-in cue lists are a pure speed-up: every rule hit is the same without them."""
    from clausegen.check import kinds
    from clausegen.check.engine import analyse
    from clausegen.check.readers import read_contract

    ruleset = load_ruleset()
    cued = [r for r in ruleset.rules if r.cues]
    assert {r.id for r in cued} >= {"definition", "disputes", "notification"}
    bare = {r.id: dataclasses.replace(r, cues={}) for r in cued}
    for path in sorted((corpus_dir / "docs").glob("en-*.txt")):
        doc = analyse(read_contract(path), ruleset, "en")
        for rule in cued:
            with_cues = [(h.sentence.paragraph, h.sentence.text) for h in kinds.require(rule, doc, "en")]
            without = [(h.sentence.paragraph, h.sentence.text) for h in kinds.require(bare[rule.id], doc, "en")]
            assert with_cues == without, (path.name, rule.id)
