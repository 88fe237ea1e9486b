"""Rule kinds: the few pieces of Python that give rule files their meaning (require, forbid, conditional).

Rule files choose a kind and supply patterns; no provision is named here.

- require: a sentence recognises the provision when its `patterns` match the sentence (or its
  section heading matches `headings`, see `trigger`), every `with` group matches within the
  rule's `scope`, one of `entities` occurs within the scope, and `unless` does not match the
  sentence.
- forbid: a sentence (of the provision's evidence, or any sentence when the rule names no
  provision) that matches `patterns` is a problem unless `unless`/`unless_entities` are found in
  the scope. With `effect: weak` the provision is weak only if none of its evidence is rescued.
- conditional: when an evidence sentence matches `if`, its scope must also match `then` (or hold
  one of `then_entities`); otherwise the rule fires (again: only if no evidence satisfies it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from clausegen.check.rules import Patterns, Rule


@dataclass(frozen=True)
class Hit:
    """A sentence a rule fired on, and how strongly (0..1) it shows the rule's point."""

    sentence: object  # engine.Sentence
    strength: float
    rule: str


def _matches(rule: Rule, key: str, pats: Patterns, text: str, tokens: frozenset, lang: str = "") -> bool:
    negation = rule.negated_by.get(lang) if key == "patterns" else None
    cues = rule.cues.get(lang) if key == "patterns" else None
    if cues and not _has_cue(text, cues):
        found = False  # no match can be there: the regexes are not run
    elif negation is None:
        found = bool(pats.search(text))
    else:
        found = any(not _negated(m, text, *negation) for m in pats.finditer(text))
    return found or (bool(pats.tokens) and f"{rule.id}:{key}" in tokens)


def _has_cue(text: str, cues: tuple) -> bool:
    """Return whether `text` holds one of `cues` (lower case, spaces folded)."""
    folded = _folded(text)
    return any(c in folded for c in cues)


@lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    # Lower case, spaces folded as vocabulary phrases fold them ("loss  of service"); cached, as
    # each rule with cues reads every sentence of the document in turn.
    return " ".join(text.lower().split())


def _negated(m, text: str, phrases: tuple, window: int) -> bool:
    """Return whether a negation phrase stands just before the match or before one of its `head…` groups."""
    anchors = [m.start()] + [m.start(g) for g in m.re.groupindex if g.startswith("head") and m.start(g) >= 0]
    lowered = text.lower()
    for a in anchors:
        # the phrase ends at most `window` characters before the anchor
        if any(ph in lowered[max(0, a - window - len(ph)):a] for ph in phrases):
            return True
    return False


def _scope_tokens(doc, s, scope: str) -> frozenset:
    if scope == "sentence":
        return s.tokens
    if scope == "paragraph":
        return frozenset().union(*(x.tokens for x in doc.by_paragraph.get(s.paragraph, [])))
    if scope == "section":
        sec = doc.sections[s.section]
        return frozenset().union(*(x.tokens for i in range(sec.start, sec.end) for x in doc.by_paragraph.get(i, [])))
    return frozenset().union(*(x.tokens for x in doc.sentences))


def require(rule: Rule, doc, lang: str) -> list[Hit]:
    """Return the sentences of `doc` that show the rule's provision."""
    pats, heads, unless = rule.get("patterns", lang), rule.get("headings", lang), rule.get("unless", lang)
    groups = [g.get(lang, Patterns()) for g in rule.with_]
    if not pats and not heads:
        return []
    hits = []
    head_cache: dict[int, bool] = {}
    heading_paras = {sec.heading for sec in doc.sections if sec.heading is not None}
    sentence_scope = rule.scope == "sentence"
    wanted = set(rule.entities)
    scope_ok: dict = {}  # wider scopes: entities and `with` cues decided once per paragraph/section
    token_groups = any(g.tokens for g in groups)
    for s in doc.sentences:
        if rule.trigger == "headings" and s.paragraph in heading_paras:
            continue  # a heading alone is a promise of content, not the content
        # Cheap tests first: entity labels, then the short `with` cue lists, then the patterns.
        if sentence_scope:
            if wanted and not (wanted & s.entities):
                continue
            if groups and not all(g.search(s.text) or g.tokens for g in groups):
                continue
        elif not token_groups and (groups or wanted):
            key = s.paragraph if rule.scope == "paragraph" else (s.section if rule.scope == "section" else 0)
            if key not in scope_ok:
                text, ents = doc.scope(s, rule.scope)
                scope_ok[key] = (not wanted or bool(wanted & ents)) and all(g.search(text) for g in groups)
            if not scope_ok[key]:
                continue
        p_ok = bool(pats) and _matches(rule, "patterns", pats, s.text, s.tokens, lang)
        if heads:
            if s.paragraph not in head_cache:
                head_cache[s.paragraph] = any(heads.search(t) for t in doc.titles[s.paragraph])
            h_ok = head_cache[s.paragraph]
        else:
            h_ok = False
        trigger = rule.trigger
        ok = {"any": p_ok or h_ok, "patterns": p_ok, "headings": h_ok, "both": p_ok and h_ok}[trigger]
        if not ok:
            continue
        if unless and unless.search(s.text):
            continue
        if groups or rule.entities:
            text, ents = doc.scope(s, rule.scope)
            if rule.entities and not (set(rule.entities) & ents):
                continue
            if groups:
                toks = _scope_tokens(doc, s, rule.scope) if any(g.tokens for g in groups) else frozenset()
                if not all(g.search(text) or (g.tokens and f"{rule.id}:with{i}" in toks)
                           for i, g in enumerate(groups)):
                    continue
        strength = 1.0 if (p_ok and h_ok) else (0.8 if p_ok else 0.6)
        hits.append(Hit(s, round(strength * rule.weight, 3), rule.id))
    return hits


def _rescued(rule: Rule, doc, s, lang: str, then_key: str, then_entities: tuple) -> bool:
    pats = rule.get(then_key, lang)
    text, ents = doc.scope(s, rule.scope)
    return bool(set(then_entities) & ents) or bool(pats and pats.search(text))


def forbid(rule: Rule, doc, lang: str, evidence: list[Hit] | None) -> list[Hit]:
    """Return the sentences with forbidden wording (vague terms…) that nothing in scope rescues."""
    pats = rule.get("patterns", lang)
    if not pats:
        return []
    candidates = _candidates(doc, evidence)
    fired = [s for s in candidates
             if _matches(rule, "patterns", pats, s.text, s.tokens)
             and not _rescued(rule, doc, s, lang, "unless", rule.unless_entities)]
    if fired and rule.provision and rule.effect == "weak" and any(
            _rescued(rule, doc, s, lang, "unless", rule.unless_entities) for s in candidates):
        return []
    return [Hit(s, 1.0, rule.id) for s in fired]


def conditional(rule: Rule, doc, lang: str, evidence: list[Hit] | None) -> list[Hit]:
    """Return the sentences matching `if` whose scope lacks what `then` requires."""
    cond = rule.get("if", lang)
    unless = rule.get("unless", lang)
    if not cond:
        return []
    candidates = _candidates(doc, evidence)
    triggered = [s for s in candidates if cond.search(s.text) and not (unless and unless.search(s.text))]
    if not triggered:
        return []
    if any(_rescued(rule, doc, s, lang, "then", rule.then_entities) for s in candidates):
        return []
    return [Hit(s, 1.0, rule.id) for s in triggered]


def _candidates(doc, evidence: list[Hit] | None) -> list:
    if evidence is None:
        return doc.sentences
    seen, out = set(), []
    for h in evidence:
        if h.sentence.index not in seen:
            seen.add(h.sentence.index)
            out.append(h.sentence)
    return out


KINDS = {"require": require, "forbid": forbid, "conditional": conditional}
