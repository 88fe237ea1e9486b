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
from clausegen.blanks import BLANKS, MARKERS, OPEN, Blank, is_open, open_paths  # noqa: F401
from clausegen.messages import message_language, msg

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


def validate_draft_files(paths, lang: str | None = None, library=None) -> list[Problem]:
    """Return the problems of every spec in `paths` read as drafts (see `draft_problems`); with
    `library`, each spec's family must be one that library has (as `spec.validate_files`)."""
    from clausegen.spec import family_problems, validate_files

    def problems_of(doc, file, lang, library):
        found = draft_problems(doc, file, lang)
        return found + (family_problems(doc.data, doc.marks, file, lang, library) if library is not None else [])

    return validate_files(paths, lang, library, problems_of=problems_of)


def load_draft(path: str | os.PathLike, lang: str | None = None):
    """Load the spec at `path` as a draft: valid but for its open values. Raises like `spec.load_spec`."""
    from clausegen.spec import Spec, load_problem
    from clausegen.yamlsource import load_yaml_file

    try:
        doc = load_yaml_file(path)
    except MalformedYaml as exc:
        raise InvalidSpec([load_problem(exc, str(path), lang)], path=str(path)) from None
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
