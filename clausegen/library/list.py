"""What a clause library holds and where each file comes from (`clausegen library list`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from clausegen.library import Family, Library, fingerprint, load_library


@dataclass(frozen=True)
class Item:
    """One file of a family as `library list` shows it."""

    kind: str  # family | template | rule | test
    family: str
    name: str  # relative to the family folder, e.g. "en/deadlines.fallback.j2"
    path: Path
    origin: str  # "built-in" or the firm's path
    provision: str | None = None
    lang: str | None = None
    position: str | None = None


_TEMPLATE_NAME = re.compile(r"^(?P<pid>[a-z0-9_-]+?)(?:\.(?P<position>[a-z]+))?\.j2$")


def template_items(family: Family) -> list[Item]:
    """Return every template file of `family` (all layers merged), with provision and position."""
    items = []
    for lang in sorted(set(family.languages) | _template_langs(family)):
        for name, path in family.files(lang, "*.j2").items():
            match = _TEMPLATE_NAME.match(name)
            pid = match.group("pid") if match else Path(name).stem
            position = (match.group("position") if match else None) or "preferred"
            items.append(Item("template", family.id, f"{lang}/{name}", path, family.origin(path),
                              provision=pid, lang=lang, position=position))
    return items


def _template_langs(family: Family) -> set[str]:
    langs = set()
    for layer in family.layers:
        for folder in layer.iterdir() if layer.is_dir() else ():
            if folder.is_dir() and any(folder.glob("*.j2")):
                langs.add(folder.name)
    return langs


def _rule_header(path: Path) -> dict:
    # A tolerant peek for listing; the rule loader reports what is wrong with the file itself.
    from clausegen.errors import SpecError
    from clausegen.yamlsource import load_yaml_file

    try:
        data = load_yaml_file(path).data
    except SpecError:
        return {}
    return data if isinstance(data, dict) else {}


def rule_items(family: Family) -> list[Item]:
    """Return every rule file of `family`, with the provision its header names."""
    items = []
    for rid, path in family.rule_files().items():
        provision = _rule_header(path).get("provision")
        items.append(Item("rule", family.id, f"rules/{path.name}", path, family.origin(path),
                          provision=provision if isinstance(provision, str) else None))
    return items


def family_test_items(family: Family) -> list[Item]:
    """Return the sample specs in the family's `tests/` folder (each with its expected snippets)."""
    return [Item("test", family.id, f"tests/{name}", path, family.origin(path))
            for name, path in family.files("tests", "*.yaml").items()]


def display_path(path: Path) -> str:
    """Return `path` relative to the working directory when inside it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _origin(family: Family, path: Path | None) -> str:
    if path is None:
        return "-"
    return "built-in" if family.is_builtin(path) else display_path(path)


def library_summary(library: Library) -> dict:
    """Return the library as plain data: families, provisions, templates, rules, tests, origins.

    Each template has its declared version (a leading ``{# version: X #}``, else None) and the
    sha256 prefix the renderer records in generated documents.
    """
    from clausegen.render.environment import template_version
    families = []
    for fid in sorted(library.families):
        family = library.families[fid]
        templates = template_items(family)
        rules = rule_items(family)
        provisions = []
        for p in family.provisions:
            by_lang = {}
            for lang in family.languages:
                by_lang[lang] = {
                    t.position: {"file": t.name, "from": _origin(family, t.path),
                                 "version": template_version(t.path), "sha256": fingerprint(t.path)}
                    for t in templates if t.provision == p.id and t.lang == lang
                }
            provisions.append({
                "id": p.id, "required": p.required, "title": p.title, "positions": list(p.positions),
                "templates": by_lang,
                "rules": [r.name for r in rules if r.provision == p.id],
            })
        families.append({
            "id": family.id, "version": family.version, "title": family.title,
            "languages": list(family.languages),
            "family_yaml": _origin(family, family.meta_path),
            "layers": ["built-in" if family.is_builtin(layer) else display_path(layer) for layer in family.layers],
            "provisions": provisions,
            "rules": [{"id": Path(r.name).stem, "file": r.name, "provision": r.provision,
                       "from": _origin(family, r.path)} for r in rules],
            "tests": [{"file": t.name, "from": _origin(family, t.path)} for t in family_test_items(family)],
        })
    return {"version": 1, "library": {"id": library.id,
                                      "root": display_path(library.root) if library.root else None},
            "families": families}


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    from unicodedata import east_asian_width

    def width(text: str) -> int:
        return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)

    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(row)]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def list_library(root: Path | str | None = None, fmt: str = "text") -> str:
    """Return the library at `root` (None: built-in only) as a table (`fmt` "text") or JSON.

    Raises LibraryError if the library cannot be loaded.
    """
    summary = library_summary(load_library(root))
    if fmt == "json":
        return json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
    lib = summary["library"]
    lines = [f"library {lib['id']}" + (f" ({lib['root']}, over the built-in library)" if lib["root"] else "")]
    for fam in summary["families"]:
        title = " / ".join(fam["title"].get(lang, "") for lang in fam["languages"] if fam["title"].get(lang))
        lines += ["", f"family {fam['id']}  version {fam['version']}  {title}",
                  f"  languages: {', '.join(fam['languages'])}   family.yaml: {fam['family_yaml']}", ""]
        rows = [["PROVISION", "REQUIRED", "LANG", "POSITION", "TEMPLATE", "VERSION", "SHA256", "FROM"]]
        for p in fam["provisions"]:
            for lang in fam["languages"]:
                found = p["templates"][lang]
                for position in dict.fromkeys([*p["positions"], *found]):
                    t = found.get(position)
                    rows.append([p["id"], "yes" if p["required"] else "no", lang, position,
                                 t["file"] if t else "(missing)", (t["version"] or "-") if t else "-",
                                 t["sha256"] if t else "-", t["from"] if t else "-"])
        lines += _table(rows)
        if fam["rules"]:
            lines.append("")
            lines += _table([["RULE", "PROVISION", "FROM"]] +
                            [[r["id"], r["provision"] or "-", r["from"]] for r in fam["rules"]])
        if fam["tests"]:
            lines.append("")
            lines += _table([["TEST", "FROM"]] + [[t["file"], t["from"]] for t in fam["tests"]])
    return "\n".join(lines) + "\n"


