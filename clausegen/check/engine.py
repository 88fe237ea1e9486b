"""Analyse a contract (sentences, sections, entities) and run the rules over it into a FileReport."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from clausegen.check import sections as sect
from clausegen.check.kinds import KINDS, Hit
from clausegen.check.model import Evidence, Finding, FileReport, ProvisionResult
from clausegen.check.readers import Contract
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
    "zh": re.compile(r"[。！？；!?;…｡]+[”’」』）)（(【】“‘《》「『]*|\.(?=\s|$)"),
    "en": re.compile(r"(?:[.!?;…]+[\"'”’)\]]*)(?=\s|$)|[。！？；]+"),
}


# A stop that does not end a sentence: after a bare clause number ("1.", "2.1.", "a.", "iv.")
# at the start of a sentence, or after a common abbreviation ("e.g.", "Inc.", "No.").
_CLAUSE_NUMBER = re.compile(r"^\s*[(\[]?(?:\d{1,3}(?:\.\d{1,3})*|[A-Za-z]|[ivxlcIVXLC]{1,6})\.$")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|Inc|Ltd|Co|Corp|No|Nos|Mr|Ms|Mrs|Dr|vs|cf|approx|St|Sec|Art|para|Pty)\.$")


def light_sentences(text: str, lang: str = "en") -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences of `text`, split on sentence punctuation."""
    out, start = [], 0
    for m in _SPLIT["zh" if lang == "zh" else "en"].finditer(text):
        if m.group(0) == "." and (
                (m.end() - start <= 12 and _CLAUSE_NUMBER.match(text[start:m.end()]))
                or _ABBREVIATION.search(text[max(start, m.end() - 8):m.end()])):
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




def _trigger(ruleset: RuleSet, lang: str) -> re.Pattern | None:
    """Return one regex matching any text some rule could fire on (None: no pre-filter possible)."""
    cache = _compiled(ruleset)
    key = ("trigger", lang)
    if key not in cache:
        parts = []
        for rule in ruleset.rules:
            for k in ("patterns", "if", "headings"):
                parts.extend(rx.pattern for rx in rule.get(k, lang).regexes)
            if rule.get("headings", lang) and rule.trigger != "patterns":
                for group in rule.with_:
                    if group.get(lang):
                        parts.extend(rx.pattern for rx in group[lang].regexes)
        flags = re.IGNORECASE if lang == "en" else 0
        try:
            cache[key] = re.compile("|".join(f"(?:{p})" for p in parts), flags) if parts else None
        except re.error:
            cache[key] = None
    return cache[key]


def analyse(contract: Contract, ruleset: RuleSet, lang: str | None = None) -> Document:
    """Return the contract split into sentences (spaCy), with sections and entities attached."""
    from clausegen.check.nlp import find_entities, pipeline

    lang = lang or contract.language
    lang = "zh" if lang == "zh" else "en"
    nlp = pipeline(lang)
    cache = _compiled(ruleset)
    if ("matcher", lang) not in cache:
        cache[("matcher", lang)] = _token_matchers(ruleset, lang, nlp.vocab)
    matcher = cache[("matcher", lang)]

    texts = [p.text for p in contract.paragraphs]
    sections = sect.split_sections(texts, [p.heading_level for p in contract.paragraphs])
    titles = sect.section_titles(sections, len(texts))
    owner = sect.innermost(sections, len(texts))
    for i, t in enumerate(texts):
        run_in = sect.inline_title(t)
        if run_in:
            titles[i] = titles[i] + [run_in]

    # Lemmas only matter to token patterns that ask for them; skip the lemmatizer otherwise.
    disabled = [] if (matcher is not None and _needs_lemmas(ruleset, lang)) else \
        [name for name in nlp.pipe_names if name == "lemmatizer"]
    # jieba is most of the cost of a Chinese check: paragraphs that no rule pattern can match get
    # the light path (the same sentence punctuation and entity patterns, no tokens). English
    # tokenizing is cheaper than the pre-filter itself, so English always takes the pipeline.
    trigger = None if (matcher is not None or lang != "zh") else _trigger(ruleset, lang)
    heavy = [i for i, t in enumerate(texts) if trigger is None or trigger.search(t)]
    docs = dict(zip(heavy, nlp.pipe((texts[i] for i in heavy), batch_size=256, disable=disabled)))
    sentences: list[Sentence] = []
    for pi, ptext in enumerate(texts):
        doc = docs.get(pi)
        token_hits = []
        if doc is not None:
            spans = [(sp.start_char, sp.end_char, sp.label_) for sp in doc.spans.get("clausegen", [])]
            bounds = [(sent.start_char, sent.end_char) for sent in doc.sents]
            if matcher is not None:
                for match_id, start, end in matcher(doc):
                    token_hits.append((nlp.vocab.strings[match_id], doc[start].idx,
                                       doc[end - 1].idx + len(doc[end - 1])))
        else:
            spans = [(h.start, h.end, h.label) for h in find_entities(ptext, lang)]
            bounds = light_sentences(ptext, lang)
        for s0, e0 in join_enumerations(ptext, bounds):
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
            b = a + len(text)
            labels = frozenset(lab for s0, e0, lab in spans if s0 < b and e0 > a)
            toks = frozenset(k for k, s0, e0 in token_hits if s0 < b and e0 > a)
            sentences.append(Sentence(len(sentences), pi, a, b, text, owner[pi], labels, toks))
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


@dataclass
class Outcome:
    """Everything the rules concluded about one document (the FileReport is built from it)."""

    hits: dict  # rule id -> list[Hit]
    provisions: list[ProvisionResult]
    findings: list[Finding]


def evaluate(doc: Document, ruleset: RuleSet, playbook: dict | None = None, library=None,
             suggest: bool = True) -> Outcome:
    """Return the provisions (present/weak/missing) and findings of the analysed `doc`."""
    playbook = playbook or {}
    overrides = playbook.get("rules", {})
    rules: list[Rule] = [r for r in ruleset.rules if overrides.get(r.id, {}).get("enabled", True)]
    level = {r.id: overrides.get(r.id, {}).get("level", r.level) for r in rules}
    lang = doc.lang
    hits: dict[str, list[Hit]] = {}
    evidence_of: dict[str, list[Hit]] = {}
    for r in rules:
        if r.kind == "require":
            hits[r.id] = KINDS["require"](r, doc, lang)
            evidence_of.setdefault(r.provision, []).extend(hits[r.id])

    provisions, findings = [], []
    weak_by: dict[str, tuple[Rule, list[Hit]]] = {}
    for r in rules:
        if r.kind in ("forbid", "conditional"):
            fired = KINDS[r.kind](r, doc, lang, evidence_of.get(r.provision) if r.provision else None)
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
        if ev_hits:
            status = "weak" if p.id in weak_by else "present"
            conf = _confidence(ev_hits)
            provisions.append(ProvisionResult(p.id, status, conf if status == "present" else round(conf * 0.8, 3),
                                              _evidence(ev_hits, doc), required))
            if status == "weak":
                wr, whits = weak_by[p.id]
                findings.append(Finding(
                    f"weak-{p.id}", level[wr.id] if required else "info", p.id,
                    f"{title}: {wr.message.get(lang, wr.message['en'])}", whits[0].sentence.paragraph,
                    _suggestion(p.id, lang, library) if suggest else None))
        else:
            provisions.append(ProvisionResult(p.id, "missing", 0.0, (), required))
            sev = level[require_rules[0].id] if (require_rules and required) else "info"
            message = require_rules[0].message.get(lang, require_rules[0].message["en"]) if require_rules else (
                f"{title}: 未找到" if lang == "zh" else f"{title}: not found")
            findings.append(Finding(f"missing-{p.id}", sev, p.id, message, None,
                                    _suggestion(p.id, lang, library) if suggest else None))
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
