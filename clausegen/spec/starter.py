"""Starter specs: the family's starter.yaml in each language, and the one YAML writer for specs."""

from __future__ import annotations

from functools import lru_cache

from clausegen.errors import SpecError
from clausegen.spec.schema import LANGUAGES, spec_schema
from clausegen.yamlsource import dump_inline, load_yaml_file


STARTER_FILE = "starter.yaml"


def starter_family(library=None):
    """Return the clause family `clausegen new` starts from in `library` (a folder, a Library or None).

    That is the firm library's own family when it has exactly one, else the default family.
    Raises LibraryError when the library cannot be loaded.
    """
    from clausegen.library import DEFAULT_FAMILY, Library, load_library

    lib = library if isinstance(library, Library) else load_library(library)
    own = [f for f in lib.families.values() if lib.root is not None and not f.is_builtin(f.layers[0])]
    return own[0] if len(own) == 1 else lib.family(DEFAULT_FAMILY)


def starter_data(lang: str = "zh", library=None) -> dict:
    """Return a complete, valid spec in `lang` (zh, en or bilingual) with realistic values.

    The values come from the family's starter.yaml (a firm's library may override it; a firm's
    family without one starts from the default family's); the family is `starter_family(library)`.
    Raises ValueError for another language, LibraryError when no starter.yaml can be read.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    from clausegen.library import DEFAULT_FAMILY, Library, load_library

    lib = library if isinstance(library, Library) else load_library(library)
    family = starter_family(lib)
    path = family.find(STARTER_FILE)
    if path is None and family.id != DEFAULT_FAMILY:
        path = lib.family(DEFAULT_FAMILY).find(STARTER_FILE)
    if path is None:
        from clausegen.errors import LibraryError

        raise LibraryError(f"clause family {family.id!r} has no {STARTER_FILE}", path=str(family.layers[0]),
                           hint=f"copy clause_templates/service-interruption/{STARTER_FILE} into the family folder")
    data = _resolve(_starter_file(str(path), path.stat().st_mtime_ns), lang)
    return {**data, "family": family.id}


@lru_cache(maxsize=8)
def _starter_file(path: str, mtime: int) -> dict:
    from clausegen.errors import LibraryError

    try:
        data = load_yaml_file(path).data
    except SpecError as exc:
        raise LibraryError(f"{STARTER_FILE}: {exc.message}", path=path, hint=exc.hint) from None
    return data


def _resolve(node, lang: str):
    """Return the starter `node` in `lang` (see the head of starter.yaml for the two per-language forms)."""
    if isinstance(node, dict):
        if set(node) == {"by_language"}:
            return _resolve((node["by_language"] or {}).get(lang), lang)
        if {"zh", "en"} <= set(node) <= {"zh", "en", "en_beside_zh"}:
            if lang == "bilingual":
                return {"zh": node["zh"], "en": node.get("en_beside_zh", node["en"])}
            return node[lang]
        resolved = {k: _resolve(v, lang) for k, v in node.items()}
        # by_language null: a key only some languages have (the prevailing language of a bilingual text).
        return {k: v for k, v in resolved.items() if v is not None or not _per_language(node[k])}
    if isinstance(node, list):
        return [_resolve(v, lang) for v in node]
    return node


def _per_language(node) -> bool:
    return isinstance(node, dict) and set(node) == {"by_language"}


def starter_spec(lang: str = "zh", library=None) -> str:
    """Return the starter spec for `lang` as YAML text, every key commented from the schema.

    The comments are the schema's titles and descriptions in `lang` (both for bilingual);
    loading the text gives back exactly `starter_data(lang, library)`.
    """
    data = starter_data(lang, library)
    head = {
        "zh": ["# 服务中断及赔偿条款规格（clausegen）。校验：clausegen validate 本文件；"
               "生成：clausegen render 本文件 -o 条款.docx"],
        "en": ["# Service-interruption and compensation clauses (clausegen spec).",
               "# Validate: clausegen validate THIS.yaml   Render: clausegen render THIS.yaml -o clauses.docx"],
    }
    lines = head["en"] if lang == "en" else head["zh"] + (head["en"] if lang == "bilingual" else [])
    return spec_text(data, lang, lines)


def spec_text(data: dict, lang: str, head: list[str] = ()) -> str:
    """Return the spec `data` as YAML text, under the comment lines `head`, every key commented
    with the schema's title and description in `lang` (zh, en, or both for bilingual).

    Loading the text gives back `data`. The one YAML writer for specs: `clausegen new` and the
    web form's "save .yaml" both use it.
    """
    schema = spec_schema()
    lines = list(head)
    _write_mapping(data, schema, schema, lang if lang in LANGUAGES else "en", 0, lines, top=True)
    return "\n".join(lines) + "\n"


def _comment(sub: dict, lang: str) -> list[str]:
    """Return the comment lines for a property: its title and description in `lang` (both for bilingual)."""
    zh = "：".join(x for x in (sub.get("x-title-zh"), sub.get("x-description-zh")) if x)
    en = ": ".join(x for x in (sub.get("title"), sub.get("description")) if x)
    lines = [x for x in ([zh] if lang == "zh" else [en] if lang == "en" else [zh, en]) if x]
    items = sub.get("items")
    options = sub.get("enum") or (items.get("enum") if isinstance(items, dict) and "$ref" not in items else None)
    if lines and options and len(options) <= 20:
        choices = " | ".join(map(str, options))
        lines[-1] += f"（可选：{choices}）" if lang == "zh" else f" (one of: {choices})"
    return lines


def _is_localized(value) -> bool:
    return isinstance(value, dict) and value and set(value) <= {"zh", "en"}


def _write_mapping(data: dict, schema: dict, root: dict, lang: str, indent: int, lines: list, top=False):
    from clausegen.resources import resolve_ref

    props = resolve_ref(schema, root).get("properties", {})
    for key, value in data.items():
        raw = props.get(key, {})
        sub = resolve_ref(raw, root)
        text = _comment({**sub, **{k: v for k, v in raw.items() if k != "$ref"}}, lang)
        if top:
            lines.append("")
        lines.extend(f"{' ' * indent}# {line}" for line in text)
        _write_value(key, value, raw, sub, root, lang, indent, lines)


_FLOW_REFS = ("#/$defs/duration", "#/$defs/money")


def _write_value(key, value, raw, sub, root, lang, indent, lines):
    pad = " " * indent
    flow = isinstance(value, dict) and (raw.get("$ref") in _FLOW_REFS or not sub.get("properties"))
    if _is_localized(value):
        lines.append(f"{pad}{key}:")
        lines.extend(f"{pad}  {k}: {dump_inline(v)}" for k, v in value.items())
    elif isinstance(value, dict) and value and not flow:
        lines.append(f"{pad}{key}:")
        _write_mapping(value, sub, root, lang, indent + 2, lines)
    elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
        lines.append(f"{pad}{key}:")
        lines.extend(f"{pad}  - {dump_inline(v)}" for v in value)
    else:
        lines.append(f"{pad}{key}: {dump_inline(value)}")
