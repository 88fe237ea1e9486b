"""Drafts: values a spec leaves open (TBD, 待定), validated as open and rendered as blanks (【　】, [●]).

A first draft often goes out before every number is agreed. In a spec, an open value is written
as one of `MARKERS` in place of the value (``amount: TBD``). Without `--draft` that is an invalid
value like any other; with it, validation reports each open value (severity ``open``) instead of
its schema error, and rendering shows a blank where the value would be and lists the open points
at the end of the document.
"""

from __future__ import annotations

import os

from clausegen.errors import InvalidSpec, MalformedYaml, Problem
from clausegen.messages import message_language, msg

MARKERS = frozenset({"TBD", "tbd", "待定", "[●]", "[•]", "[*]", "【】", "【　】", "【 】"})
BLANKS = {"zh": "【　】", "en": "[●]"}
OPEN = "open"  # the severity (and code) of an open value in `validate --draft`


class Blank(str):
    """A blank in a draft: prints as the placeholder; filters give it back with its unit or currency."""


def is_open(value) -> bool:
    """Return whether `value` marks an open value (TBD, 待定, [●], 【　】)."""
    return isinstance(value, str) and value.strip() in MARKERS


def open_paths(data, path=()) -> list[tuple]:
    """Return the paths of every open value in spec `data`, in document order."""
    if is_open(data):
        return [path]
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in open_paths(v, path + (k,))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in open_paths(v, path + (i,))]
    return []


def _under(pointer: str, prefixes: list[str]) -> bool:
    return any(pointer == p or pointer.startswith(p + ".") or pointer.startswith(p + "[") for p in prefixes)


def title_of(path: tuple, lang: str) -> str:
    """Return what the value at `path` is, in the schema's words ("Compensation standards › Amount per hour")."""
    from clausegen.spec import spec_schema

    schema = spec_schema()
    defs = schema.get("$defs", {})
    node, titles = schema, []
    for key in path:
        while isinstance(node, dict) and "$ref" in node and not node.get("properties"):
            node = defs.get(node["$ref"].rsplit("/", 1)[-1], {})
        if isinstance(node, dict) and "oneOf" in node and not node.get("properties"):
            node = next((b for b in node["oneOf"] if isinstance(b, dict) and b.get("properties")), node)
        if isinstance(key, int):
            node = node.get("items", {}) if isinstance(node, dict) else {}
            titles.append(f"{key + 1}")
            continue
        node = (node.get("properties") or {}).get(key, {}) if isinstance(node, dict) else {}
        title = node.get("x-title-zh" if lang == "zh" else "title") or node.get("title") or str(key)
        titles.append(title)
    if len(path) > 1 and path[-1] in ("value", "amount"):  # the number of a duration or a sum: its field says it
        titles.pop()
    # The list index belongs with the list's title ("Tiers 2"), not on its own.
    out: list[str] = []
    for t in titles:
        if t.isdigit() and out:
            out[-1] = f"{out[-1]} {t}" if lang == "en" else f"{out[-1]}第{t}项"
        else:
            out.append(t)
    return " › ".join(out)


def draft_problems(doc, file: str, lang: str | None = None) -> list[Problem]:
    """Return the problems of the loaded spec `doc` read as a draft: each open value once, as an
    ``open`` problem, in place of the schema errors it causes; every other problem as usual."""
    from clausegen.spec import format_path, text_problems, validate
    from clausegen.yamlsource import find_mark

    language = message_language(doc.data, lang)
    paths = open_paths(doc.data)
    pointers = [format_path(p) for p in paths]
    found = [p for p in validate(doc.data, doc.marks, file=file, lang=lang) + text_problems(doc, file, lang)
             if not (p.code in ("schema", "unknown-key", "open-values") and _under(p.pointer, pointers))]
    for path, pointer in zip(paths, pointers):
        line, col = find_mark(doc.marks, path) or (None, None)
        marker = _value_at(doc.data, path).strip()
        found.append(Problem(file=file, line=line, col=col, pointer=pointer,
                             message=msg("open-value", title=title_of(path, language), marker=marker).text(language),
                             hint=msg("open-value-hint").text(language), severity=OPEN, code=OPEN))
    found.sort(key=lambda p: (p.line or 0, p.col or 0))
    return found


def _value_at(data, path):
    for key in path:
        data = data[key]
    return data


def validate_draft_files(paths, lang: str | None = None) -> list[Problem]:
    """Return the problems of every spec in `paths` read as drafts (see `draft_problems`)."""
    from clausegen.errors import SpecError
    from clausegen.spec import _load_problem
    from clausegen.yamlsource import load_yaml_file

    problems: list[Problem] = []
    for path in paths:
        try:
            doc = load_yaml_file(path)
        except SpecError as exc:
            problems.append(_load_problem(exc, str(path), lang))
            continue
        problems.extend(draft_problems(doc, str(path), lang))
    return problems


def load_draft(path: str | os.PathLike, lang: str | None = None):
    """Load the spec at `path` as a draft: valid but for its open values. Raises like `spec.load_spec`."""
    from clausegen.spec import Spec, _load_problem
    from clausegen.yamlsource import load_yaml_file

    try:
        doc = load_yaml_file(path)
    except MalformedYaml as exc:
        raise InvalidSpec([_load_problem(exc, str(path), lang)], path=str(path)) from None
    problems = draft_problems(doc, str(path), lang)
    if any(p.severity == "error" for p in problems):
        raise InvalidSpec(problems, path=str(path))
    return Spec(path=str(path), data=doc.data, sha256=doc.sha256, language=doc.data.get("language", "zh"),
                marks=doc.marks, warnings=tuple(p for p in problems if p.severity != OPEN))


def blank_parts(data: dict, langs) -> list[tuple[dict, tuple[str, ...]]]:
    """Return, per language in `langs`, the spec `data` with open values replaced by that language's
    `Blank`, and the open points to list at the end of the document."""
    paths = open_paths(data)
    out = []
    for lang in langs:
        def swap(node):
            if is_open(node):
                return Blank(BLANKS[lang])
            if isinstance(node, dict):
                return {k: swap(v) for k, v in node.items()}
            if isinstance(node, list):
                return [swap(v) for v in node]
            return node

        points = tuple(title_of(p, lang) for p in paths)
        out.append((swap(data), points))
    return out


def _is_blank(value) -> bool:
    # By value, not type: the renderer rebuilds the spec's strings (dropping invisible characters).
    return isinstance(value, str) and value in _BLANK_TEXTS


_BLANK_TEXTS = frozenset(BLANKS.values())


def _contains_blank(value) -> bool:
    return _is_blank(value) or (isinstance(value, dict) and any(_is_blank(v) for v in value.values()))


def blank_filter(name: str, fn):
    """Return filter `fn` made to give a blank back (with its unit or currency) instead of failing on it."""
    import functools

    from clausegen.render import filters as F

    passes = getattr(fn, "jinja_pass_arg", None)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        index = 1 if passes else 0
        value = args[index] if len(args) > index else None
        if not _contains_blank(value):
            return fn(*args, **kwargs)
        lang = args[0].get("lang", "en") if passes else "en"
        blank = Blank(BLANKS.get(lang, BLANKS["en"]))
        if isinstance(value, dict) and name in ("duration", "every") and not _is_blank(value.get("unit")):
            unit = value.get("unit") or "days"
            words = F._ZH_UNITS[F._unit(unit)] if lang == "zh" else F._EN_UNITS[F._unit(unit)][1]
            return Blank(f"{blank}{words}" if lang == "zh" else f"{blank} {words}")
        if isinstance(value, dict) and name == "money" and not _is_blank(value.get("currency")):
            code = str(value.get("currency") or "")
            if lang == "zh":
                zh_name = "人民币" if code in ("CNY", "RMB") else F._CURRENCIES.get(code, (code,))[0]
                return Blank(f"{zh_name}{blank}元")
            return Blank(f"{code} {blank}")
        if name == "percent":
            return Blank(f"{blank}%")
        return blank

    return wrapper
