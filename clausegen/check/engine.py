"""Analyse a contract (sentences, sections, entities) and run the rules over it into a FileReport."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from clausegen.characters import EN_SENTENCE_END, ZH_SENTENCE_END
from clausegen.check import sections as sect
from clausegen.check.kinds import KINDS, Hit
from clausegen.check.model import Evidence, Finding, FileReport, ProvisionResult
from clausegen.check.readers import CJK, Contract
from clausegen.check.rules import Rule, RuleSet

MAX_EVIDENCE = 3
_BULLET = re.compile(r"^(?:[-*•·]|>)\s+")


@dataclass
class Sentence:
    """One sentence: its paragraph, offsets in that paragraph, text, section and entity labels."""

    index: int
    paragraph: int
    start: int
    end: int
    text: str
    section: int
    entities: frozenset
    tokens: frozenset = frozenset()  # ids of token patterns that matched inside this sentence
    heading: str = ""  # the innermost section title around it (what the sentence is about)


@dataclass
class Document:
    """A contract analysed for the rules: sentences, sections, titles per paragraph, scope texts."""

    contract: Contract
    lang: str
    sentences: list[Sentence]
    sections: list[sect.Section]
    titles: list[list[str]]  # per paragraph: enclosing section titles (+ its run-in title)
    _scope_cache: dict = field(default_factory=dict, repr=False)

    @cached_property
    def by_paragraph(self) -> dict[int, list[Sentence]]:
        out: dict[int, list[Sentence]] = {}
        for s in self.sentences:
            out.setdefault(s.paragraph, []).append(s)
        return out

    def scope(self, s: Sentence, scope: str) -> tuple[str, frozenset]:
        """Return the text and entity labels of the `scope` around sentence `s`."""
        if scope == "sentence":
            return s.text, s.entities
        if scope == "paragraph":
            key = ("p", s.paragraph)
            members = lambda: self.by_paragraph.get(s.paragraph, [])  # noqa: E731
        elif scope == "section":
            key = ("s", s.section)
            sec = self.sections[s.section]
            members = lambda: [x for i in range(sec.start, sec.end) for x in self.by_paragraph.get(i, [])]  # noqa: E731
        else:
            key = ("d",)
            members = lambda: self.sentences  # noqa: E731
        if key not in self._scope_cache:
            ms = members()
            self._scope_cache[key] = ("\n".join(x.text for x in ms),
                                      frozenset().union(*(x.entities for x in ms)) if ms else frozenset())
        return self._scope_cache[key]


def _token_matchers(ruleset: RuleSet, lang: str, vocab):
    """Return a spaCy Matcher holding every token pattern of the rules for `lang`, or None."""
    from spacy.matcher import Matcher

    matcher, count = Matcher(vocab), 0
    for rule in ruleset.rules:
        for key, by_lang in rule.patterns.items():
            pats = by_lang.get(lang)
            if pats and pats.tokens:
                matcher.add(f"{rule.id}:{key}", [list(t) for t in pats.tokens])
                count += 1
        for i, group in enumerate(rule.with_):
            pats = group.get(lang)
            if pats and pats.tokens:
                matcher.add(f"{rule.id}:with{i}", [list(t) for t in pats.tokens])
                count += 1
    return matcher if count else None


def _has_token_patterns(ruleset: RuleSet, lang: str) -> bool:
    for rule in ruleset.rules:
        groups = [by_lang.get(lang) for by_lang in rule.patterns.values()] + [g.get(lang) for g in rule.with_]
        if any(p is not None and p.tokens for p in groups):
            return True
    return False


def _compiled(ruleset: RuleSet) -> dict:
    # Per-ruleset compiled objects (token matchers, pre-filters) live on the ruleset itself, so a
    # new ruleset never inherits another's (an id() could be reused after garbage collection).
    return ruleset.__dict__.setdefault("_compiled", {})


def _needs_lemmas(ruleset: RuleSet, lang: str) -> bool:
    def uses(obj) -> bool:
        if isinstance(obj, dict):
            return "LEMMA" in obj or any(uses(v) for v in obj.values())
        if isinstance(obj, (list, tuple)):
            return any(uses(v) for v in obj)
        return False

    for rule in ruleset.rules:
        groups = [by_lang.get(lang) for by_lang in rule.patterns.values()] + [g.get(lang) for g in rule.with_]
        if any(p is not None and uses(p.tokens) for p in groups):
            return True
    return False


_SPLIT = {
    # Like spaCy's sentencizer: punctuation right after the stop stays with the sentence.
    # In Chinese a full stop "." ends a sentence only before a space (not in 3.5 or 1.2.3).
    "zh": re.compile(f"[{ZH_SENTENCE_END}!?;…｡]+[”’」』）)（(【】“‘《》「『]*|\\.(?=\\s|$)"),
    "en": re.compile(f"(?:[{re.escape(EN_SENTENCE_END)}…]+[\"'”’)\\]]*)(?=\\s|$)|[{ZH_SENTENCE_END}]+"),
}


# A stop that does not end a sentence: after a bare clause number ("1.", "2.1.", "a.", "iv.")
# at the start of a sentence, or after a common abbreviation ("e.g.", "Inc.", "No.").
_CLAUSE_NUMBER = re.compile(r"^\s*[(\[]?(?:\d{1,3}(?:\.\d{1,3})*|[A-Za-z]|[ivxlcIVXLC]{1,6})\.$")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|Inc|Ltd|Co|Corp|No|Nos|Mr|Ms|Mrs|Dr|vs|cf|approx|St|Sec|Art|para|Pty)\.$")
# An initialism ("U.S.A.", "U.K.", "S.A.") ends a sentence only before a capital: "the courts of
# California, U.S.A. will have exclusive jurisdiction" is one sentence.
_INITIALISM = re.compile(r"(?<![A-Za-z.])(?:[A-Za-z]\.){2,}$")
_LOWER_NEXT = re.compile(r"\s+[a-z]")


def light_sentences(text: str, lang: str = "en") -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences of `text`, split on sentence punctuation."""
    out, start = [], 0
    for m in _SPLIT["zh" if lang == "zh" else "en"].finditer(text):
        if m.group(0) == "." and (
                (m.end() - start <= 12 and _CLAUSE_NUMBER.match(text[start:m.end()]))
                or _ABBREVIATION.search(text[max(start, m.end() - 8):m.end()])
                or (_INITIALISM.search(text[max(start, m.end() - 12):m.end()]) and _LOWER_NEXT.match(text, m.end()))):
            continue
        out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


_LIST_INTRO = re.compile(r"[：:][^。.!?！？]*[；;][\s（(]*$")
_LIST_ITEM = re.compile(r"^\s*(?:[（(]?\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3}|[a-zA-Z]|[ivxIVX]{1,4})\s*[)）.、]|[①-⑳])")
_OPEN_ITEM = re.compile(r"[；;][\s（(]*$")


def join_enumerations(text: str, bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return `bounds` with an enumeration joined into one sentence.

    "下列情形不承担责任：（1）不可抗力；（2）线路故障；（3）黑客攻击。" is one sentence to a lawyer: the
    items only make sense with their introduction, so a sentence that introduces a list (colon,
    then ；) is joined with the numbered items that follow it, up to the item that ends the list.
    """
    out: list[list[int]] = []
    joining = False
    for s0, e0 in bounds:
        piece = text[s0:e0]
        if joining and out and _LIST_ITEM.match(piece):
            out[-1][1] = e0
            joining = bool(_OPEN_ITEM.search(piece))
            continue
        out.append([s0, e0])
        joining = bool(_LIST_INTRO.search(piece))
    return [(a, b) for a, b in out]




def prepare(ruleset: RuleSet, lang: str) -> None:
    """Load what checking a `lang` contract needs (the trained model, a tokenizer only if rules need
    one), once per process: start-up work, kept apart from the time spent on any one contract."""
    from clausegen.check.classifier import model_for

    lang = "zh" if lang == "zh" else "en"
    model = model_for(ruleset.family)
    if model is not None and model.has(lang):
        model.nlp(lang)
    if _has_token_patterns(ruleset, lang):
        from clausegen.check.nlp import pipeline

        pipeline(lang)


def split_paragraph(ptext: str, lang: str) -> list[tuple[int, int, str]]:
    """Return the sentences of one paragraph as (start, end, text), the units the checker reads.

    One splitter for checking, annotation and training: sentence punctuation, enumerations
    joined to their introduction, a leading bullet left out of the sentence.
    """
    out = []
    for s0, e0 in join_enumerations(ptext, light_sentences(ptext, lang)):
        raw = ptext[s0:e0]
        text = raw.strip()
        if not text or not any(ch.isalnum() for ch in text):
            continue
        lead = len(raw) - len(raw.lstrip())
        bullet = _BULLET.match(text)
        if bullet and bullet.end() < len(text):  # evidence starts at the words, not at "- "
            lead += bullet.end()
            text = text[bullet.end():]
        a = s0 + lead
        out.append((a, a + len(text), text))
    return out


_CELL = re.compile(r"[^|]+")


def mask_other_language(text: str, lang: str) -> str:
    """Return `text` with table cells in the other language blanked (same length, so offsets hold).

    A bilingual contract set as a two-column table reads as "中文条款 | English clause" rows; the
    checker reads the column of the document's language, as a lawyer reads one version.
    """
    if "|" not in text:
        return text
    cells = [(m.start(), m.end()) for m in _CELL.finditer(text)]
    if len(cells) < 2:
        return text

    def other(cell: str) -> bool:
        cjk = len(CJK.findall(cell))
        latin = sum(ch.isascii() and ch.isalpha() for ch in cell)
        return (cjk == 0 and latin >= 3) if lang == "zh" else (cjk >= 2 and cjk * 4 >= latin)

    blank = [(a, b) for a, b in cells if other(text[a:b])]
    if not blank or len(blank) == len(cells):
        return text
    out = list(text)
    for a, b in blank:
        out[a:b] = " " * (b - a)
    # the separators next to a blanked cell go too, so no sentence starts with a bare "|"
    masked = "".join(out)
    return re.sub(r"\|(?=\s*$)|^(\s*)\|", lambda m: " " * len(m.group(0)), re.sub(r"\|(\s+)\|", lambda m: " " * len(m.group(0)), masked))


def analyse(contract: Contract, ruleset: RuleSet, lang: str | None = None) -> Document:
    """Return the contract split into sentences, with sections, headings and entities attached.

    Sentences and entities come from character patterns (linear in the text); spaCy tokenizes
    only the paragraphs that token patterns of the rules could match.
    """
    from clausegen.check.nlp import find_entities

    lang = lang or contract.language
    lang = "zh" if lang == "zh" else "en"
    cache = _compiled(ruleset)
    if ("matcher", lang) not in cache:
        cache[("matcher", lang)] = None
        if _has_token_patterns(ruleset, lang):  # the tokenizing pipeline is loaded only when needed
            from clausegen.check.nlp import pipeline

            cache[("matcher", lang)] = _token_matchers(ruleset, lang, pipeline(lang).vocab)
    matcher = cache[("matcher", lang)]

    texts = [mask_other_language(p.text, lang) for p in contract.paragraphs]
    sections = sect.split_sections(texts, [p.heading_level for p in contract.paragraphs])
    titles = sect.section_titles(sections, len(texts))
    owner = sect.innermost(sections, len(texts))
    headings = [t[-1] if t else "" for t in titles]
    for i, t in enumerate(texts):
        run_in = sect.inline_title(t)
        if run_in:
            titles[i] = titles[i] + [run_in]

    docs = {}
    if matcher is not None:
        from clausegen.check.nlp import pipeline

        nlp = pipeline(lang)
        disabled = [] if _needs_lemmas(ruleset, lang) else [n for n in nlp.pipe_names if n == "lemmatizer"]
        docs = dict(enumerate(nlp.pipe(texts, batch_size=256, disable=disabled)))
    sentences: list[Sentence] = []
    for pi, ptext in enumerate(texts):
        spans = [(h.start, h.end, h.label) for h in find_entities(ptext, lang)]
        token_hits = []
        doc = docs.get(pi)
        if doc is not None:
            for match_id, start, end in matcher(doc):
                token_hits.append((doc.vocab.strings[match_id], doc[start].idx,
                                   doc[end - 1].idx + len(doc[end - 1])))
        heading = headings[pi]
        for a, b, text in split_paragraph(ptext, lang):
            labels = frozenset(lab for s0, e0, lab in spans if s0 < b and e0 > a)
            toks = frozenset(k for k, s0, e0 in token_hits if s0 < b and e0 > a)
            sentences.append(Sentence(len(sentences), pi, a, b, text, owner[pi], labels, toks,
                                      heading if heading != text else ""))
    return Document(contract, lang, sentences, sections, titles)


# ---------------------------------------------------------------- provisions and findings


def _suggestion(pid: str, lang: str, library) -> str | None:
    """Return the library clause for `pid` rendered with default values in `lang` (None if none)."""
    if library is not None and not isinstance(library, (str, Path)):
        library = getattr(library, "root", None)
    return _cached_suggestion(pid, lang, str(Path(library).resolve()) if library is not None else None)


@lru_cache(maxsize=256)
def _cached_suggestion(pid: str, lang: str, library: str | None) -> str | None:
    # Rendering takes a while (templates parsed, spec defaults built): once per process is enough.
    try:
        from clausegen.render import render_provision_text
    except (ImportError, AttributeError):
        return None
    from clausegen.errors import ClausegenError

    try:
        return render_provision_text(pid, lang, library=library)
    except (ClausegenError, NotImplementedError, KeyError):
        return None


def _evidence(hits: list[Hit], doc: Document) -> tuple[Evidence, ...]:
    seen, out = set(), []
    for h in sorted(hits, key=lambda h: (-h.strength, h.sentence.index)):
        s = h.sentence
        if (s.paragraph, s.start) in seen:
            continue
        seen.add((s.paragraph, s.start))
        text = s.text if len(s.text) <= 400 else s.text[:397] + "…"
        out.append(Evidence(text, s.paragraph, s.start, s.end))
        if len(out) >= MAX_EVIDENCE:
            break
    return tuple(out)


def _confidence(hits: list[Hit]) -> float:
    if not hits:
        return 0.0
    best = max(h.strength for h in hits)
    distinct = len({h.sentence.index for h in hits})
    return round(min(0.99, 0.45 + 0.35 * best + 0.05 * min(distinct - 1, 3)), 3)


def _model_decisions(doc: Document, ruleset: RuleSet, rule_hits: dict[str, list[Hit]]) -> dict:
    """Return {provision: (probability present, evidence hits)} from the family's trained model.

    Empty when the family ships no model for the document's language (rules decide alone).
    """
    from clausegen.check.classifier import decide, features, model_for, unit_text

    model = model_for(ruleset.family)
    if model is None or not model.has(doc.lang) or not doc.sentences:
        return {}
    cats = model.score([unit_text(s.text, s.heading) for s in doc.sentences], doc.lang)
    heading_paras = {sec.heading for sec in doc.sections if sec.heading is not None}
    out = {}
    for pid, params in model.decision.items():
        probs = [c.get(pid, 0.0) for c in cats]
        strength = max((h.strength for h in rule_hits.get(pid, [])), default=0.0)
        prob = decide(params, features(probs, strength, doc.lang))
        # A heading alone is a promise of content, not the content: never the evidence.
        ranked = sorted((i for i in range(len(probs)) if doc.sentences[i].paragraph not in heading_paras),
                        key=lambda i: -probs[i])
        # The sentences the model is surest of; at least one, so a "present" has its evidence.
        evidence = [Hit(doc.sentences[i], round(probs[i], 3), "model") for n, i in enumerate(ranked[:MAX_EVIDENCE])
                    if probs[i] >= 0.5 or n == 0]
        out[pid] = (prob, evidence)
    return out


def _run(rule: Rule, doc: Document, lang: str, evidence, timeouts: list) -> list[Hit]:
    """Return the hits of `rule`; a pattern that runs out of time counts as no hit and is reported."""
    from clausegen.check.rules import PatternTimeout

    try:
        if rule.kind == "require":
            return KINDS["require"](rule, doc, lang)
        return KINDS[rule.kind](rule, doc, lang, evidence)
    except PatternTimeout as exc:
        msg = (f"规则“{rule.id}”的模式在本文件上超时（{exc.pattern!r}），已跳过；请简化该规则的正则表达式。" if lang == "zh" else
               f"rule {rule.id!r} gave up on this document: its pattern {exc.pattern!r} ran out of time; "
               "the rule was skipped (simplify its regular expression)")
        timeouts.append(Finding("rule-timeout", "warning", rule.provision, msg))
        return []


def rule_strengths(doc: Document, ruleset: RuleSet) -> dict[str, float]:
    """Return {provision: strength of its strongest require-rule hit} (absent when no rule fired)."""
    out: dict[str, float] = {}
    for r in ruleset.rules:
        if r.kind == "require" and r.provision:
            for h in _run(r, doc, doc.lang, None, []):
                out[r.provision] = max(out.get(r.provision, 0.0), h.strength)
    return out


@dataclass
class Outcome:
    """Everything the rules concluded about one document (the FileReport is built from it)."""

    hits: dict  # rule id -> list[Hit]
    provisions: list[ProvisionResult]
    findings: list[Finding]


def evaluate(doc: Document, ruleset: RuleSet, playbook: dict | None = None, library=None,
             suggest: bool = True, use_model: bool = True) -> Outcome:
    """Return the provisions (present/weak/missing) and findings of the analysed `doc`.

    With `use_model` False the rules alone decide (the family's model is not consulted).
    """
    playbook = playbook or {}
    overrides = playbook.get("rules", {})
    rules: list[Rule] = [r for r in ruleset.rules if overrides.get(r.id, {}).get("enabled", True)]
    level = {r.id: overrides.get(r.id, {}).get("level", r.level) for r in rules}
    lang = doc.lang
    hits: dict[str, list[Hit]] = {}
    evidence_of: dict[str, list[Hit]] = {}
    timeouts: list[Finding] = []
    for r in rules:
        if r.kind == "require":
            hits[r.id] = _run(r, doc, lang, None, timeouts)
            evidence_of.setdefault(r.provision, []).extend(hits[r.id])
    # The trained model decides the provisions it was trained for; rules decide the others.
    decided = _model_decisions(doc, ruleset, evidence_of) if use_model else {}
    for pid, (_, model_hits) in decided.items():
        evidence_of[pid] = model_hits + evidence_of.get(pid, [])

    provisions, findings = [], []
    weak_by: dict[str, tuple[Rule, list[Hit]]] = {}
    for r in rules:
        if r.kind in ("forbid", "conditional"):
            fired = _run(r, doc, lang, evidence_of.get(r.provision) if r.provision else None, timeouts)
            hits[r.id] = fired
            if not fired:
                continue
            if r.effect == "weak" and r.provision:
                weak_by.setdefault(r.provision, (r, fired))
            else:
                for h in fired[:5]:
                    findings.append(Finding(r.id, level[r.id], r.provision, r.message.get(lang, r.message["en"]),
                                            h.sentence.paragraph))

    family = ruleset.family
    required_overrides = playbook.get("provisions", {})
    for p in family.provisions:
        required = required_overrides.get(p.id, {}).get("required", p.required)
        ev_hits = evidence_of.get(p.id, [])
        require_rules = [r for r in rules if r.kind == "require" and r.provision == p.id]
        title = p.title.get(lang) or p.title.get("en") or p.id
        prob = decided[p.id][0] if p.id in decided else None
        present = (prob >= 0.5) if prob is not None else bool(ev_hits)
        if present and ev_hits:
            status = "weak" if p.id in weak_by else "present"
            # With the model: the calibrated probability that the provision is there.
            conf = round(prob, 3) if prob is not None else _confidence(ev_hits)
            provisions.append(ProvisionResult(p.id, status, conf, _evidence(ev_hits, doc), required))
            if status == "weak":
                wr, whits = weak_by[p.id]
                findings.append(Finding(
                    f"weak-{p.id}", level[wr.id] if required else "info", p.id,
                    f"{title}: {wr.message.get(lang, wr.message['en'])}", whits[0].sentence.paragraph,
                    _suggestion(p.id, lang, library) if suggest else None))
        else:
            # Confidence is that of the verdict given: here, that the provision is absent.
            conf = round(1.0 - prob, 3) if prob is not None else 0.0
            provisions.append(ProvisionResult(p.id, "missing", conf, (), required))
            sev = level[require_rules[0].id] if (require_rules and required) else "info"
            message = require_rules[0].message.get(lang, require_rules[0].message["en"]) if require_rules else (
                f"{title}: 未找到" if lang == "zh" else f"{title}: not found")
            findings.append(Finding(f"missing-{p.id}", sev, p.id, message, None,
                                    _suggestion(p.id, lang, library) if suggest else None))
    findings.extend(timeouts)
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: (order.get(f.severity, 3), f.paragraph if f.paragraph is not None else -1))
    return Outcome(hits, provisions, findings)


def report(contract: Contract, ruleset: RuleSet, lang: str | None = None, playbook: dict | None = None,
           library=None, suggest: bool = True) -> FileReport:
    """Return the FileReport of `contract` checked against `ruleset`."""
    doc = analyse(contract, ruleset, lang)
    outcome = evaluate(doc, ruleset, playbook, library, suggest)
    return FileReport(contract.path, doc.lang, tuple(outcome.provisions), tuple(outcome.findings),
                      paragraphs=len(contract.paragraphs),
                      meta={"family": {"id": ruleset.family.id, "version": ruleset.family.version},
                            "format": contract.meta.get("format")})


def rule_fires(ruleset: RuleSet, rule_id: str, text: str, lang: str) -> bool:
    """Return whether the rule `rule_id` of `ruleset` fires on contract `text` in `lang`."""
    from clausegen.check.readers import contract_from_text

    doc = analyse(contract_from_text(text, lang), ruleset, lang)
    return bool(evaluate(doc, ruleset, suggest=False).hits.get(rule_id))


def example_holds(ruleset: RuleSet, rule: Rule, verdict: str, text: str, lang: str) -> bool:
    """Return whether `rule` treats its `verdict` example `text` as its file says.

    A pass example raises no complaint and a fail example does: for a `require` rule a complaint
    is not recognising its provision, for `forbid` and `conditional` rules it is firing.
    """
    recognised = rule_fires(ruleset, rule.id, text, lang)
    complaint = (not recognised) if rule.kind == "require" else recognised
    return complaint == (verdict == "fail")
