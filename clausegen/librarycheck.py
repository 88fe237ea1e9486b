"""Review a clause library: `library list` (what is in it, and from where) and `library check`.

`check_library` runs every check in `CHECKS` over every family and returns one list of
problems with file and line, so a reviewer of a library pull request sees them all at once.
Checks that need the renderer or the checker call *their* functions (template environment,
rule loader, `render_provision_text`, `check_text`); nothing here re-implements them.
"""

from __future__ import annotations

import difflib
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from clausegen.errors import ClausegenError, LibraryError, Problem, UsageError
from clausegen.library import Family, Library, load_library

# ---------------------------------------------------------------- what the library holds


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
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
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


def test_items(family: Family) -> list[Item]:
    """Return the sample specs in the family's `tests/` folder (each with its expected snippets)."""
    return [Item("test", family.id, f"tests/{name}", path, family.origin(path))
            for name, path in family.files("tests", "*.yaml").items()]


def _display(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _origin(family: Family, path: Path | None) -> str:
    if path is None:
        return "-"
    return "built-in" if family.is_builtin(path) else _display(path)


def library_summary(library: Library) -> dict:
    """Return the library as plain data: families, provisions, templates, rules, tests, origins."""
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
                    t.position: {"file": t.name, "from": _origin(family, t.path)}
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
            "layers": ["built-in" if family.is_builtin(layer) else _display(layer) for layer in family.layers],
            "provisions": provisions,
            "rules": [{"id": Path(r.name).stem, "file": r.name, "provision": r.provision,
                       "from": _origin(family, r.path)} for r in rules],
            "tests": [{"file": t.name, "from": _origin(family, t.path)} for t in test_items(family)],
        })
    return {"version": 1, "library": {"id": library.id,
                                      "root": _display(library.root) if library.root else None},
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
        rows = [["PROVISION", "REQUIRED", "LANG", "POSITION", "TEMPLATE", "FROM"]]
        for p in fam["provisions"]:
            for lang in fam["languages"]:
                found = p["templates"][lang]
                for position in dict.fromkeys([*p["positions"], *found]):
                    t = found.get(position)
                    rows.append([p["id"], "yes" if p["required"] else "no", lang, position,
                                 t["file"] if t else "(missing)", t["from"] if t else "-"])
        lines += _table(rows)
        if fam["rules"]:
            lines.append("")
            lines += _table([["RULE", "PROVISION", "FROM"]] +
                            [[r["id"], r["provision"] or "-", r["from"]] for r in fam["rules"]])
        if fam["tests"]:
            lines.append("")
            lines += _table([["TEST", "FROM"]] + [[t["file"], t["from"]] for t in fam["tests"]])
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- library check


@dataclass
class Context:
    """What every check receives: the merged library, one family, options, and a cache."""

    library: Library
    family: Family
    since: str | None = None
    cache: dict = field(default_factory=dict)

    def meta(self):
        """Return the family.yaml YamlDocument (with marks), loaded once."""
        if "meta" not in self.cache:
            from clausegen.yamlsource import load_yaml_file

            self.cache["meta"] = load_yaml_file(self.family.meta_path)
        return self.cache["meta"]

    def problem(self, path: Path | None, message: str, *, line: int | None = None, col: int | None = None,
                pointer: str = "", hint: str | None = None, severity: str = "error", code: str = "") -> Problem:
        """Return a Problem located at `path` (shown relative to the working directory)."""
        return Problem(file=_display(path) if path else self.family.id, line=line, col=col, pointer=pointer,
                       message=message, hint=hint, severity=severity, code=code)

    def at_meta(self, keys: tuple, message: str, **kw) -> Problem:
        """Return a Problem located at `keys` inside family.yaml."""
        mark = self.meta().mark(keys) or (None, None)
        return self.problem(self.family.meta_path, message, line=mark[0], col=mark[1], **kw)


def check_structure(ctx: Context) -> list[Problem]:
    """Return problems of shape: missing templates per language and position, stray templates."""
    family, problems = ctx.family, []
    templates = template_items(family)
    ids = {p.id for p in family.provisions}
    for i, p in enumerate(family.provisions):
        for lang in family.languages:
            if family.template(p.id, lang) is None:
                problems.append(ctx.at_meta(
                    ("provisions", i), f"{'required' if p.required else 'optional'} provision {p.id!r} "
                    f"has no {lang} template ({lang}/{p.id}.j2)", pointer=f"provisions[{i}]",
                    severity="error" if p.required else "warning", code="missing-template",
                    hint=f"add {lang}/{p.id}.j2 to the family folder"))
            for position in p.positions[1:]:
                if family.find(f"{lang}/{p.id}.{position}.j2") is None:
                    problems.append(ctx.at_meta(
                        ("provisions", i, "positions"), f"provision {p.id!r} lists position {position!r} "
                        f"but has no {lang}/{p.id}.{position}.j2", pointer=f"provisions[{i}].positions",
                        code="missing-position", hint=f"add {lang}/{p.id}.{position}.j2 or drop the position"))
    for t in templates:
        if t.provision not in ids:
            problems.append(ctx.problem(t.path, f"template for unknown provision {t.provision!r}",
                                        severity="warning", code="stray-template",
                                        hint=f"family.yaml provisions are: {', '.join(sorted(ids))}"))
        elif t.position != "preferred" and t.position not in family.provision(t.provision).positions:
            i = family.provision(t.provision).order
            problems.append(ctx.problem(
                t.path, f"position {t.position!r} is not listed for provision {t.provision!r} in family.yaml; "
                "specs cannot pick it", severity="warning", code="undeclared-position",
                hint=f"add positions: [preferred, {t.position}] to provisions[{i}] in family.yaml"))
    return problems


def check_layers(ctx: Context) -> list[Problem]:
    """Return a warning when a firm overrides files of a family but inherits the built-in family.yaml.

    Its documents would then carry the built-in version number although the wording differs.
    """
    family = ctx.family
    firm_layers = [layer for layer in family.layers if not family.is_builtin(layer)]
    if not firm_layers or not family.is_builtin(family.meta_path):
        return []
    layer = firm_layers[0]
    return [ctx.problem(layer, f"the firm overrides files of {family.id!r} but has no family.yaml of its own; "
                        f"documents will say version {family.version} of the built-in family",
                        severity="warning", code="inherited-version",
                        hint="copy the built-in family.yaml into this folder and give it your own version")]


def check_family_schema(ctx: Context) -> list[Problem]:
    """Return problems of family.yaml against schemas/family.schema.json (when the schema exists)."""
    from clausegen.resources import schemas_dir

    schema_path = schemas_dir() / "family.schema.json"
    if not schema_path.is_file():
        return []
    import jsonschema

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for err in sorted(validator.iter_errors(ctx.meta().data), key=lambda e: list(map(str, e.absolute_path))):
        keys = tuple(err.absolute_path)
        pointer = ".".join(str(k) if isinstance(k, str) else f"[{k}]" for k in keys).replace(".[", "[")
        problems.append(ctx.at_meta(keys, err.message, pointer=pointer, code="family-schema"))
    return problems


# ------------------------------------------------ git: was the family version raised?


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, encoding="utf-8")


def _version_key(version: str) -> tuple:
    return tuple(int(x) if x.isdigit() else x for x in re.split(r"[.\-+]", str(version)))


def check_version_raised(ctx: Context) -> list[Problem]:
    """Return an error when templates or rules changed since `ctx.since` but family.yaml's version did not.

    Raises UsageError when the library is not in a git repository or the revision is unknown.
    """
    if not ctx.since:
        return []
    family = ctx.family
    folder = family.meta_path.parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UsageError(f"--since needs the library in a git repository; {_display(folder)} is not in one",
                         hint="run library check without --since, or from inside the library's repository")
    if _git(folder, "rev-parse", "--verify", "--quiet", f"{ctx.since}^{{commit}}").returncode != 0:
        raise UsageError(f"--since {ctx.since}: no such git revision", hint="name a branch, tag or commit, e.g. origin/main")
    changed = _git(folder, "diff", "--name-only", "--relative", ctx.since, "--", ".").stdout.split()
    changed += _git(folder, "ls-files", "--others", "--exclude-standard", "--", ".").stdout.split()
    changed = sorted({c for c in changed if c.endswith((".j2", ".yml")) or c.startswith("rules/")})
    if not changed:
        return []
    rel = folder.resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
    old = _git(folder, "show", f"{ctx.since}:{rel}/family.yaml")
    if old.returncode != 0:
        return []  # the family is new since REV
    import yaml

    try:
        old_version = str((yaml.safe_load(old.stdout) or {}).get("version"))
    except yaml.YAMLError:
        return []
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    if _version_key(family.version) == _version_key(old_version):
        return [ctx.at_meta(("version",), f"{shown} changed since {ctx.since} but the family version is still "
                            f"{family.version}", pointer="version", code="version-not-raised",
                            hint="raise version (e.g. the patch number for wording, the minor for a new option)")]
    if _version_key(family.version) < _version_key(old_version):
        return [ctx.at_meta(("version",), f"version {family.version} is lower than {old_version} at {ctx.since}",
                            pointer="version", code="version-not-raised",
                            hint="versions only go up; documents already produced carry the old number")]
    return []


# ------------------------------------------------ family tests: sample specs and expected snippets

_HEADING = re.compile(r"^##\s+(?P<pid>[a-z0-9_-]+)(?:\s+\[?(?P<lang>zh|en)\]?)?\s*$")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_expected(path: Path) -> list[tuple[str, str | None, str, int]]:
    """Load expected snippets from `path`: ``## provision [lang]`` headings, then paragraphs.

    Return (provision, lang or None, snippet, line) for every blank-line separated paragraph.
    """
    snippets, pid, lang, block, start = [], None, None, [], 0
    lines = path.read_text(encoding="utf-8").splitlines()

    def flush():
        if pid and block:
            snippets.append((pid, lang, "\n".join(block), start))

    for n, line in enumerate(lines, 1):
        match = _HEADING.match(line)
        if match:
            flush()
            pid, lang, block = match.group("pid"), match.group("lang"), []
        elif not line.strip() or line.lstrip().startswith("<!--"):
            flush()
            block = []
        elif pid:
            if not block:
                start = n
            block.append(line)
    flush()
    return snippets


def _closest(snippet: str, text: str) -> str:
    paragraphs = [p for p in text.splitlines() if p.strip()] or [text]
    return max(paragraphs, key=lambda p: difflib.SequenceMatcher(None, _norm(snippet), _norm(p)).ratio())


def check_family_tests(ctx: Context) -> list[Problem]:
    """Return a problem, with a unified diff, for every expected snippet the rendered test spec lacks."""
    tests = test_items(ctx.family)
    if not tests:
        return []
    from clausegen.render import render_provision_text
    from clausegen.spec import load_spec

    problems = []
    for test in tests:
        expected = test.path.with_name(test.path.name.removesuffix(".yaml") + ".expected.md")
        if not expected.is_file():
            problems.append(ctx.problem(test.path, f"no expected snippets ({expected.name}) beside this test spec",
                                        code="family-test", hint=f"add {expected.name} with '## provision' headings"))
            continue
        try:
            spec = load_spec(test.path)
        except ClausegenError as exc:
            problems.extend(getattr(exc, "problems", None) or [ctx.problem(test.path, exc.message, line=exc.line,
                                                                             col=exc.line and exc.col,
                                                                             code="family-test")])
            continue
        spec_lang = spec.data.get("language", "zh")
        rendered: dict = {}
        for pid, lang, snippet, line in read_expected(expected):
            lang = lang or ("zh" if spec_lang == "bilingual" else spec_lang)
            if pid not in {p.id for p in ctx.family.provisions}:
                problems.append(ctx.problem(expected, f"unknown provision {pid!r}", line=line - 1, code="family-test"))
                continue
            key = (pid, lang)
            if key not in rendered:
                try:
                    rendered[key] = render_provision_text(pid, lang, data=spec.data, library=ctx.library)
                except ClausegenError as exc:
                    rendered[key] = None
                    problems.append(ctx.problem(test.path, f"{pid} ({lang}) does not render: {exc.message}",
                                                code="family-test"))
            text = rendered[key]
            if text is None or _norm(snippet) in _norm(text):
                continue
            diff = difflib.unified_diff(snippet.splitlines(), _closest(snippet, text).splitlines(),
                                        "expected", "rendered", lineterm="", n=1)
            problems.append(ctx.problem(
                expected, f"{pid} ({lang}) rendered from {test.path.name} does not contain the expected text\n"
                + "\n".join("    " + d for d in diff), line=line, code="family-test",
                hint="fix the template, or update the snippet if the new wording is intended"))
    return problems


# Every check: fn(Context) -> list[Problem]. Order is the order of the report.
CHECKS = {
    "family-schema": check_family_schema,
    "layers": check_layers,
    "structure": check_structure,
    "family-tests": check_family_tests,
    "version": check_version_raised,
}


def check_library(root: Path | str | None = None, since: str | None = None) -> list[Problem]:
    """Return every problem of the library at `root` (None: the built-in one), file and line each.

    `since` (a git revision) also reports families whose templates changed without a version raise.
    Raises LibraryError when the library cannot be loaded at all (exit 2), UsageError for a bad `since`.
    """
    library = load_library(root)
    problems: list[Problem] = []
    for fid in sorted(library.families):
        ctx = Context(library=library, family=library.families[fid], since=since)
        for name, check in CHECKS.items():
            try:
                problems.extend(check(ctx))
            except (UsageError, LibraryError):
                raise
            except ClausegenError as exc:
                problems.append(ctx.problem(Path(exc.path) if exc.path else None, exc.message, line=exc.line,
                                            col=exc.col, hint=exc.hint, code=name))
    return problems
