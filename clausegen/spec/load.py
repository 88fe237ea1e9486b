"""Load a spec and validate it: the schema, then the semantic rules; the API's spec entry points."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from clausegen.errors import InvalidSpec, MalformedYaml, Problem, SpecError
from clausegen.messages import load_error, message_language, msg, sniff_language
from clausegen.spec.dealterms import RULES as DEAL_RULES
from clausegen.spec.explain import schema_problems, worded
from clausegen.spec.rules import RULES as SPEC_RULES
from clausegen.spec.schema import format_path
from clausegen.yamlsource import find_mark, load_yaml_file

#: Every semantic rule a spec is validated with, by stable code: the provisions' (spec.rules),
#: then the deal terms' (spec.dealterms: hourly threshold, annual cap, units, levels...).
RULES = {**SPEC_RULES, **DEAL_RULES}


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


def load_spec(path: str | os.PathLike, lang: str | None = None) -> Spec:
    """Load and validate the spec at `path`; problems are worded in `lang` (default: the spec's).

    Raises SpecError when the file cannot be read (missing, a folder, not UTF-8, too large) and
    InvalidSpec (with every problem) when it was read but is not a valid spec, including text
    that is not usable YAML (syntax errors, duplicate keys, unsafe tags).
    """
    try:
        doc = load_yaml_file(path)
    except MalformedYaml as exc:
        raise InvalidSpec([load_problem(exc, str(path), lang)], path=str(path)) from None
    problems = validate(doc.data, doc.marks, file=str(path), lang=lang) + text_problems(doc, str(path), lang)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InvalidSpec(problems, path=str(path))
    return Spec(path=str(path), data=doc.data, sha256=doc.sha256, language=doc.data.get("language", "zh"),
                marks=doc.marks, warnings=tuple(problems))


def validate_files(paths, lang: str | None = None, library=None, problems_of=None) -> list[Problem]:
    """Return the problems of every spec in `paths`, in order, all files checked.

    Each file's problems are worded in `lang` (zh or en), by default in the spec's own language
    (Chinese for zh and bilingual specs). A spec file that cannot be read (missing, a folder,
    not UTF-8, too large) gives one problem with code ``unreadable``, and the command line exits
    2; one that was read but is not a usable YAML spec (not YAML, duplicate keys, unsafe tags,
    empty) gives one error with code ``yaml``: an invalid spec, exit 1. With `library` (a
    folder, a Library or None for the built-in one) each spec's family must be one that library has.
    `problems_of(doc, file, lang, library)` replaces `document_problems` (drafts read open values).
    """
    problems: list[Problem] = []
    for path in paths:
        try:
            doc = load_yaml_file(path)
        except SpecError as exc:
            problems.append(load_problem(exc, str(path), lang))
            continue
        problems.extend((problems_of or document_problems)(doc, str(path), lang, library))
    return problems


def document_problems(doc, file: str, lang: str | None = None, library=None) -> list[Problem]:
    """Return every problem of the loaded YAML `doc` named `file`, sorted by line: the schema,
    the semantic rules, the text's own warnings and, with `library`, the family it names."""
    found = validate(doc.data, doc.marks, file=file, lang=lang) + text_problems(doc, file, lang)
    if library is not None:
        found += family_problems(doc.data, doc.marks, file, lang, library)
    return sorted(found, key=lambda p: (p.line or 0, p.col or 0))


def family_problems(data, marks: dict | None, file: str, lang: str | None, library) -> list[Problem]:
    """Return the problem of a spec whose `family` the clause `library` (a folder or a Library) lacks.

    Raises LibraryError when the library itself cannot be loaded.
    """
    from clausegen.library import DEFAULT_FAMILY, Library, load_library

    if not isinstance(data, dict):
        return []
    lib = library if isinstance(library, Library) else load_library(library)
    fid = data.get("family") or DEFAULT_FAMILY
    if not isinstance(fid, str) or fid in lib.families:
        return []
    language = message_language(data, lang)
    path = ("family",) if "family" in data else ()
    line, col = find_mark(marks, path) or (None, None)
    text = msg("unknown-family", family=repr(fid), library=repr(str(lib.root or "clausegen-builtin")))
    hint = msg("unknown-family-hint", known=", ".join(sorted(lib.families)))
    return [Problem(file=file, line=line, col=col, pointer=format_path(path), message=text.text(language),
                    hint=hint.text(language), code="unknown-family")]


def text_problems(doc, file: str, lang: str | None = None) -> list[Problem]:
    """Return the warnings only the spec's text shows, not its data: plain values cut short by a
    `#` that YAML reads as a comment (`address: 10 Marina Boulevard, #22-01`)."""
    language = message_language(doc.data, lang)
    out = []
    for path, line, col, value, rest in getattr(doc, "cut_by_comment", ()):
        key = next((k for k in reversed(path) if isinstance(k, str)), "value")
        out.append(Problem(file=file, line=line, col=col, pointer=format_path(path),
                           message=msg("yaml-comment", rest=repr(rest.split()[0]), value=repr(value)).text(language),
                           hint=msg("yaml-comment-hint", key=key,
                                    full=f"{value} {rest}".replace('"', '\\"')).text(language),
                           severity="warning", code="yaml-comment"))
    return out


#: Problem code of a spec file that could not be read at all (exit 2).
UNREADABLE = "unreadable"

#: Problem code of a spec that was read but is not a usable YAML spec (exit 1).
YAML = "yaml"


def load_problem(exc: SpecError, file: str, lang: str | None) -> Problem:
    """Return the Problem for a spec that could not be loaded, worded in the spec's language."""
    language = sniff_language(_head(file), lang)
    message, hint = load_error(exc.message, exc.hint, language)
    code = YAML if isinstance(exc, MalformedYaml) else UNREADABLE
    return Problem(file=file, line=exc.line, col=exc.col, pointer="", message=message, hint=hint, code=code)


def _head(file: str) -> str:
    """Return the start of the regular file `file` as text (never blocks on a pipe or device)."""
    try:
        if not os.path.isfile(file):
            return ""
        with open(file, "rb") as fh:
            return fh.read(65536).decode("utf-8", errors="replace")
    except OSError:
        return ""


def validate(data, marks: dict | None = None, file: str = "<spec>", lang: str | None = None) -> list[Problem]:
    """Return every problem of the spec `data` (schema first, then semantic rules), sorted by line.

    `marks` (from `clausegen.yamlsource`) gives the problems their line and column; `file`
    names the spec in them. Messages and hints are in `lang` (zh or en; default: Chinese for a
    zh or bilingual spec, else English). Never raises for bad data.
    """
    language = message_language(data, lang)
    problems = list(schema_problems(data, marks, file, language))
    if isinstance(data, dict):
        for code, rule in RULES.items():
            for found in rule(data):
                problems.append(_problem(found, marks, file, language, code))
    problems.sort(key=lambda p: (p.file, p.line or 0, p.col or 0))
    return problems


def _problem(found: tuple, marks, file: str, language: str, code: str) -> Problem:
    """Return the Problem for a rule's finding (path, message[, hint[, severity]])."""
    path, message, *rest = found
    hint = rest[0] if rest else None
    severity = rest[1] if len(rest) > 1 else "error"
    line, col = find_mark(marks, path) or (None, None)
    return Problem(file=file, line=line, col=col, pointer=format_path(path), message=worded(message, language),
                   hint=worded(hint, language), severity=severity or "error", code=code)


def is_path(source) -> bool:
    """Return whether `source` names a file rather than holding YAML text (see `validate_source`)."""
    from pathlib import Path

    if isinstance(source, os.PathLike):
        return True
    return isinstance(source, str) and "\n" not in source and source.strip() != "" and Path(source).is_file()


def validate_source(source, *, lang: str | None = None, library=None) -> list[Problem]:
    """Return every problem of a spec, sorted by line (an empty list: the spec is valid).

    `source` is a spec file (a path), the spec's YAML text, or its data (a dict). A str is a path
    when it names an existing file and holds no line break, else YAML text. Problems are worded
    in `lang` (zh or en; default: the spec's own). With `library` (a firm's folder) the spec's
    family must be one that library has. Raises SpecError when a spec file cannot be read.
    """
    from clausegen.yamlsource import load_yaml_text

    if isinstance(source, dict):
        found = validate(source, lang=lang)
        if library is not None:
            found += family_problems(source, None, "<spec>", lang, library)
        return sorted(found, key=lambda p: (p.line or 0, p.col or 0))
    if is_path(source):
        doc, name = load_yaml_file(source), str(source)  # unreadable: SpecError, raised
    else:
        name = "<text>"
        try:
            doc = load_yaml_text(str(source), name)
        except MalformedYaml as exc:  # read, but not a usable YAML spec: a problem, as the CLI shows
            return [load_problem(exc, name, lang)]
    return document_problems(doc, name, lang, library)


def spec_from_source(source, lang: str | None = None, library=None):
    """Return the valid spec `source` (a Spec, dict, path or YAML text) ready to render: a Spec or data.

    Raises InvalidSpec with every problem when it is not valid, SpecError when it cannot be read.
    """
    if isinstance(source, Spec):
        return source
    words = lang if lang in ("zh", "en") else None
    if is_path(source):
        return load_spec(source, lang=words)
    problems = validate_source(source, lang=words, library=library)
    if any(p.severity == "error" for p in problems):
        raise InvalidSpec(problems, path="<spec>" if isinstance(source, dict) else "<text>")
    if isinstance(source, dict):
        return source
    from clausegen.yamlsource import load_yaml_text

    return load_yaml_text(str(source), "<text>").data
