"""Load the checker's rule files (one YAML file per rule), validate them and precompile patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import regex
from functools import lru_cache
from pathlib import Path

from clausegen.errors import ClausegenError, LibraryError, Problem
from clausegen.check.hazards import regex_hazard as _regex_hazard
from clausegen.check.hazards import token_regexes as _token_regexes

LANGS = ("zh", "en")
PATTERN_KEYS = ("patterns", "headings", "unless", "if", "then")

# Every search of contract text by a rule pattern is bounded in time: a pattern that a firm
# wrote badly, or a hostile 100 KB sentence, costs at most this much per search, never hours.
SEARCH_TIMEOUT = 0.25  # seconds
_VOCAB_REF = re.compile(r"\{\{\s*([a-z][a-z0-9_-]*)\s*\}\}")


class PatternTimeout(Exception):
    """A rule pattern gave up on a text after SEARCH_TIMEOUT seconds."""

    def __init__(self, pattern: str):
        super().__init__(pattern)
        self.pattern = pattern


@dataclass(frozen=True)
class Patterns:
    """The patterns of one key of a rule in one language: regexes and spaCy token patterns.

    Regexes are kept as their sources and compiled on first use, so a process checking English
    contracts never compiles the Chinese patterns (compiling is most of the rules' load time).
    `sources` may also hold compiled patterns.
    """

    sources: tuple = ()
    tokens: tuple[tuple[dict, ...], ...] = ()
    flags: int = 0
    origin: str = field(default="", compare=False)  # the rule file, for the message of a bad pattern

    def __bool__(self) -> bool:
        return bool(self.sources or self.tokens)

    def _compile(self, source: str):
        try:
            return regex.compile(source, self.flags | regex.VERSION0)
        except regex.error as exc:  # a built-in rule file edited after `clausegen library check`
            raise LibraryError(f"bad regular expression: {exc}", path=self.origin or None,
                               hint="run `clausegen library check` to list every problem") from None

    @property
    def regexes(self) -> tuple:
        cached = self.__dict__.get("_regexes")
        if cached is None:
            cached = tuple(s if not isinstance(s, str) else self._compile(s) for s in self.sources)
            object.__setattr__(self, "_regexes", cached)
        return cached

    @property
    def combined(self):
        # One alternation instead of N searches: same matches, a fraction of the call overhead.
        cached = self.__dict__.get("_combined", False)
        if cached is False:
            cached = None
            if self.sources:
                texts = [s if isinstance(s, str) else s.pattern for s in self.sources]
                flags = self.flags if isinstance(self.sources[0], str) else self.sources[0].flags
                try:
                    cached = regex.compile("|".join(f"(?:{t})" for t in texts), flags | regex.VERSION0)
                except regex.error:  # e.g. a pattern with inline global flags: search one by one
                    cached = None
            object.__setattr__(self, "_combined", cached)
        return cached

    def finditer(self, text: str):
        """Yield every regex match in `text`, pattern by pattern (bounded in time like `search`)."""
        for one in self.regexes:
            try:
                yield from one.finditer(text, timeout=SEARCH_TIMEOUT)
            except TimeoutError:
                raise PatternTimeout(one.pattern[:80]) from None

    def search(self, text: str):
        """Return a regex match in `text`, or None (token patterns are matched by the engine).

        Raises PatternTimeout when a search takes longer than SEARCH_TIMEOUT.
        """
        rx = self.combined
        for one in ([rx] if rx is not None else self.regexes):
            try:
                m = one.search(text, timeout=SEARCH_TIMEOUT)
            except TimeoutError:
                raise PatternTimeout(one.pattern[:80]) from None
            if m:
                return m
        return None


@dataclass(frozen=True)
class Rule:
    """One rule file: header keys, the kind's keys, compiled patterns per language, examples."""

    id: str
    path: Path
    kind: str
    level: str
    provision: str | None
    scope: str
    message: dict
    description: str
    weight: float = 1.0
    trigger: str = "any"
    entities: tuple[str, ...] = ()
    then_entities: tuple[str, ...] = ()
    unless_entities: tuple[str, ...] = ()
    effect: str = "finding"
    # {lang: (phrases, window)}: a pattern match preceded within `window` characters (before the
    # match, and before its named group `head`) by one of the phrases does not count.
    negated_by: dict = field(default_factory=dict, repr=False)
    # {lang: (words, ...)}: every match of `patterns` holds one of these (lower case); a sentence
    # without any is not searched.
    cues: dict = field(default_factory=dict, repr=False)
    # {key: {lang: Patterns}}; `with_` is a list of such per-language groups.
    patterns: dict = field(default_factory=dict, repr=False)
    with_: tuple = field(default=(), repr=False)
    examples: dict = field(default_factory=dict, repr=False)

    def get(self, key: str, lang: str) -> Patterns:
        """Return the compiled patterns of `key` for `lang` (empty if the rule has none)."""
        return self.patterns.get(key, {}).get(lang, Patterns())

    def example_cases(self):
        """Yield (verdict, lang, index, text) for every example of the rule: verdict pass or fail."""
        for verdict in ("pass", "fail"):
            for lang, texts in (self.examples.get(verdict) or {}).items():
                for i, text in enumerate(texts or ()):
                    yield verdict, lang, i, text


def _problem(path: Path, marks, keys: tuple, message: str, hint: str | None = None) -> Problem:
    from clausegen.yamlsource import find_mark

    line, col = find_mark(marks, keys) or (None, None)
    pointer = ".".join(str(k) if isinstance(k, str) else f"[{k}]" for k in keys).replace(".[", "[")
    return Problem(file=str(path), line=line, col=col, pointer=pointer, message=message, hint=hint,
                   code="rule-schema")


def _flags(lang: str) -> int:
    return regex.IGNORECASE if lang == "en" else 0


def _compile_one(pattern, lang: str):
    if isinstance(pattern, list):
        return tuple(dict(tok) for tok in pattern)
    re.compile(pattern)  # the rule language is Python's: refuse what `re` refuses, e.g. bad escapes
    return regex.compile(pattern, _flags(lang) | regex.VERSION0)


def expand_vocabularies(pattern: str, lang: str, vocabularies: dict) -> str:
    """Return `pattern` with each ``{{name}}`` replaced by the vocabulary's phrases as one group.

    Phrases are literal text; a trailing ``*`` lets an English word continue (``unavailab*``).
    Raises KeyError naming an unknown vocabulary.
    """
    def group(m: re.Match) -> str:
        name = m.group(1)
        if name not in vocabularies:
            raise KeyError(name)
        phrases = vocabularies[name].get(lang) or []
        alts = []
        for ph in sorted(phrases, key=len, reverse=True):  # longest first: 服务中断 before 中断
            word = re.escape(ph[:-1]) + r"\w*" if ph.endswith("*") else re.escape(ph)
            alts.append(word.replace(r"\ ", r"\s+"))
        body = "|".join(alts) or "(?!)"
        return rf"\b(?:{body})\b" if lang == "en" else f"(?:{body})"

    return _VOCAB_REF.sub(group, pattern)


def _compile(spec: dict | None, path: Path, marks, keys: tuple, problems: list, vocabularies: dict | None = None,
             trusted: bool = False) -> dict:
    # A trusted file (the built-in library, checked by `clausegen library check` in CI) is not
    # re-validated: its patterns are kept as sources and compiled on first use. A firm's file is
    # compiled and checked for bad syntax and exponential backtracking now, with its place.
    out = {}
    for lang, items in (spec or {}).items():
        regexes, tokens = [], []
        for i, item in enumerate(items):
            if isinstance(item, str) and "{{" in item:
                try:
                    item = expand_vocabularies(item, lang, vocabularies or {})
                except KeyError as exc:
                    known = ", ".join(sorted(vocabularies or {})) or "none"
                    problems.append(_problem(path, marks, keys + (lang, i), f"unknown vocabulary {exc.args[0]!r}",
                                             hint=f"the family's vocabularies.yml defines: {known}"))
                    continue
            if trusted:
                (tokens if isinstance(item, list) else regexes).append(
                    tuple(dict(tok) for tok in item) if isinstance(item, list) else item)
                continue
            try:
                compiled = _compile_one(item, lang)
            except (re.error, regex.error) as exc:
                problems.append(_problem(path, marks, keys + (lang, i), f"bad regular expression: {exc}",
                                         hint="escape ( ) [ ] . + * ? with a backslash when you mean them literally"))
                continue
            sources = _token_regexes(item) if isinstance(compiled, tuple) else [item]
            hazard = next(filter(None, map(_regex_hazard, sources)), None)
            if hazard:  # the contract is untrusted text: a backtracking blow-up would hang the check
                problems.append(_problem(path, marks, keys + (lang, i), f"the regular expression can take "
                                         f"exponential time: {hazard}",
                                         hint="write the repeated part once, e.g. (a+)+ → a+, (\\w+\\s?)* → [\\w\\s]*"))
                continue
            (tokens if isinstance(compiled, tuple) else regexes).append(compiled)
        out[lang] = Patterns(tuple(regexes), tuple(tokens), _flags(lang), str(path))
    return out


NEGATION_WINDOW = {"zh": 0, "en": 16}


def _phrases(items: list, lang: str, vocabularies: dict) -> list[str]:
    """Return `items` with each ``{{name}}`` reference replaced by the vocabulary's phrases in `lang`."""
    out = []
    for item in items:
        m = _VOCAB_REF.fullmatch(item.strip())
        out += (vocabularies.get(m.group(1), {}).get(lang) or []) if m else [item]
    return out


def _negations(spec: dict | None, vocabularies: dict) -> dict:
    out = {}
    for lang, phrases in (spec or {}).items():
        if lang == "window":
            continue
        words = _phrases(phrases, lang, vocabularies)
        window = (spec.get("window") or {}).get(lang, NEGATION_WINDOW.get(lang, 12))
        out[lang] = (tuple(w.lower() for w in words), int(window))
    return out


def _cues(spec: dict | None, vocabularies: dict) -> dict:
    """Return {lang: (lower-case words, ...)} with vocabulary references expanded (a trailing * dropped)."""
    out = {}
    for lang, words in (spec or {}).items():
        cues = {" ".join(w.rstrip("*").lower().split()) for w in _phrases(words, lang, vocabularies)}
        out[lang] = tuple(sorted(c for c in cues if c))
    return out


def validate_rule_file(path: Path, trusted: bool = False) -> tuple[list[Problem], dict | None, object]:
    """Return (problems, data, marks) for the rule file at `path`: schema and pattern errors.

    A `trusted` file (built in, validated in CI) is only read: its schema is not checked again.
    """
    from clausegen.yamlsource import load_yaml_file

    try:
        doc = load_yaml_file(path)
    except ClausegenError as exc:
        return [Problem(file=str(path), line=exc.line, col=exc.col, pointer="", message=exc.message,
                        hint=exc.hint, code="rule-yaml")], None, None
    if trusted and isinstance(doc.data, dict):
        return [], doc.data, doc.marks
    import jsonschema

    from clausegen.resources import load_schema

    validator = jsonschema.Draft202012Validator(load_schema("rule.schema.json"))
    problems = []
    for err in sorted(validator.iter_errors(doc.data), key=lambda e: [str(k) for k in e.absolute_path]):
        problems.append(_problem(path, doc.marks, tuple(err.absolute_path), err.message,
                                 hint="see schemas/rule.schema.json and the built-in rules for the shape"))
    if isinstance(doc.data, dict) and "id" in doc.data:
        problems.append(_problem(path, doc.marks, ("id",), "a rule's id comes from its file name; remove 'id'"))
    return problems, doc.data if isinstance(doc.data, dict) else None, doc.marks


def load_rule(rid: str, path: Path, vocabularies: dict | None = None, trusted: bool = False) -> Rule:
    """Load and compile the rule file at `path` with id `rid`; ``{{name}}`` refers to `vocabularies`.

    A `trusted` file (the built-in library's, with built-in vocabularies) is not validated again
    and its patterns compile on first use; every other file is validated and compiled now.
    Raises LibraryError naming the file, line and column of the first problem.
    """
    problems, data, marks = validate_rule_file(path, trusted)
    compiled: dict = {}
    with_groups: list = []
    if not problems and data is not None:
        for key in PATTERN_KEYS:
            if key in data:
                compiled[key] = _compile(data[key], path, marks, (key,), problems, vocabularies, trusted)
        for i, group in enumerate(data.get("with", [])):
            with_groups.append(_compile(group, path, marks, ("with", i), problems, vocabularies, trusted))
    if problems:
        first = problems[0]
        more = f" ({len(problems) - 1} more problem(s) in this file)" if len(problems) > 1 else ""
        raise LibraryError(f"rule {rid!r}: {first.pointer + ': ' if first.pointer else ''}{first.message}{more}",
                           path=str(path), line=first.line, col=first.col, hint=first.hint)
    return Rule(
        id=rid, path=path, kind=data["kind"], level=data["level"], provision=data.get("provision"),
        scope=data["scope"], message=dict(data["message"]), description=data["description"],
        weight=float(data.get("weight", 1.0)), trigger=data.get("trigger", "any"),
        entities=tuple(data.get("entities", ())), then_entities=tuple(data.get("then_entities", ())),
        unless_entities=tuple(data.get("unless_entities", ())), effect=data.get("effect", "finding"),
        patterns=compiled, with_=tuple(with_groups), examples=dict(data.get("examples", {})),
        negated_by=_negations(data.get("negated_by"), vocabularies or {}),
        cues=_cues(data.get("cues"), vocabularies or {}),
    )


def load_vocabularies(family) -> dict:
    """Return {name: {lang: [phrases]}} from the family's vocabularies.yml, firm layers overriding by name.

    Raises LibraryError for a file that is not of the shape {name: {description, zh: [...], en: [...]}}.
    """
    from clausegen.yamlsource import load_yaml_file

    merged: dict = {}
    for layer in reversed(family.layers):  # built-in first, the firm's names win
        path = layer / "vocabularies.yml"
        if not path.is_file():
            continue
        doc = load_yaml_file(path)
        if family.is_builtin(path):  # validated in CI, like the built-in rules
            merged.update(doc.data or {})
            continue
        import jsonschema

        from clausegen.resources import load_schema

        errors = sorted(jsonschema.Draft202012Validator(load_schema("vocabulary.schema.json")).iter_errors(doc.data),
                        key=lambda e: [str(k) for k in e.absolute_path])
        if errors:
            p = _problem(path, doc.marks, tuple(errors[0].absolute_path), errors[0].message,
                         hint="a vocabulary is {description: ..., zh: [phrases], en: [phrases]}")
            raise LibraryError(f"{p.pointer or 'vocabularies.yml'}: {p.message}", path=str(path), line=p.line,
                               col=p.col, hint=p.hint)
        merged.update(doc.data or {})
    return merged


@dataclass(frozen=True)
class RuleSet:
    """Every rule of a family, compiled, with the family's provisions (id, required, title)."""

    family: object
    rules: tuple[Rule, ...]

    def for_provision(self, pid: str, kind: str | None = None) -> list[Rule]:
        return [r for r in self.rules if r.provision == pid and (kind is None or r.kind == kind)]


@lru_cache(maxsize=8)
def _load_ruleset(root_key: str | None, family_id: str) -> RuleSet:
    from clausegen.library import load_library

    family = load_library(root_key).family(family_id)
    vocabularies = load_vocabularies(family)
    # A built-in rule is trusted only with built-in vocabularies: a firm's phrases inside it are
    # new pattern text, checked like any firm rule.
    firm_words = any((layer / "vocabularies.yml").is_file() and not family.is_builtin(layer) for layer in family.layers)
    rules = tuple(load_rule(rid, path, vocabularies, trusted=family.is_builtin(path) and not firm_words)
                  for rid, path in family.rule_files().items())
    known = {p.id for p in family.provisions}
    for r in rules:
        if r.provision is not None and r.provision not in known:
            raise LibraryError(f"rule {r.id!r} names unknown provision {r.provision!r}", path=str(r.path),
                               hint=f"the family's provisions are: {', '.join(sorted(known))}")
    return RuleSet(family, rules)


def load_ruleset(library=None, family_id: str | None = None) -> RuleSet:
    """Load (once per process and library) the compiled rules of the family.

    `library` is a folder (str/Path), a loaded Library or None for the built-in library.
    Raises LibraryError for a broken rule file.
    """
    from clausegen.library import DEFAULT_FAMILY

    if library is not None and not isinstance(library, (str, Path)):
        library = getattr(library, "root", None)
    root_key = str(Path(library).resolve()) if library is not None else None
    return _load_ruleset(root_key, family_id or DEFAULT_FAMILY)
