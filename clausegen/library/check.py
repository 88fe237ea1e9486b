"""Review a clause library (`clausegen library check`).

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

from clausegen.characters import EN_SENTENCE_END, SENTENCE_END, ZH_SENTENCE_END
from clausegen.errors import ClausegenError, LibraryError, Problem, UsageError
from clausegen.library import Family, Library, load_library
from clausegen.library.list import Item, display_path, family_test_items, template_items
from clausegen.resources import resolve_ref

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
        return Problem(file=display_path(path) if path else self.family.id, line=line, col=col, pointer=pointer,
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
        if t.provision.startswith("_"):
            continue  # a shared part (preamble, macros), not a provision
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


def _family_yaml_problems(path: Path) -> list[Problem]:
    """Return every problem of the family.yaml at `path` against schemas/family.schema.json."""
    from clausegen.resources import schemas_dir
    from clausegen.yamlsource import load_yaml_file

    schema_path = schemas_dir() / "family.schema.json"
    if not schema_path.is_file():
        return []
    import jsonschema

    try:
        doc = load_yaml_file(path)
    except ClausegenError as exc:
        return [Problem(display_path(path), exc.line, exc.col, "", exc.message, exc.hint, code="family-schema")]
    validator = jsonschema.Draft202012Validator(json.loads(schema_path.read_text(encoding="utf-8")))
    problems = []
    for err in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        keys = tuple(err.absolute_path)
        line, col = doc.mark(keys) or (None, None)
        pointer = ".".join(str(k) if isinstance(k, str) else f"[{k}]" for k in keys).replace(".[", "[")
        problems.append(Problem(display_path(path), line, col, pointer, err.message, code="family-schema",
                                hint="see schemas/family.schema.json for the shape of family.yaml"))
    return problems


def check_family_schema(ctx: Context) -> list[Problem]:
    """Return problems of family.yaml against schemas/family.schema.json (when the schema exists)."""
    return _family_yaml_problems(ctx.family.meta_path)


# ------------------------------------------------ git: was the family version raised?


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, encoding="utf-8")


def _version_key(version: str) -> tuple:
    # Numbers compare as numbers, labels as text, and never a number with a label.
    return tuple((0, int(x), "") if x.isdigit() else (1, 0, x) for x in re.split(r"[.\-+]", str(version)))


def check_version_raised(ctx: Context) -> list[Problem]:
    """Return an error when templates or rules changed since `ctx.since` but family.yaml's version did not.

    Raises UsageError when the library is not in a git repository or the revision is unknown.
    """
    if not ctx.since:
        return []
    family = ctx.family
    if ctx.library.root is None:
        folder = family.layers[0]
    else:  # only the firm's own folder is under review, not the installed built-in files
        firm = [layer for layer in family.layers if not family.is_builtin(layer)]
        if not firm:
            return []
        folder = firm[0]
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UsageError(f"--since needs the library in a git repository; {display_path(folder)} is not in one",
                         hint="run library check without --since, or from inside the library's repository")
    if _git(folder, "rev-parse", "--verify", "--quiet", f"{ctx.since}^{{commit}}").returncode != 0:
        raise UsageError(f"--since {ctx.since}: no such git revision", hint="name a branch, tag or commit, e.g. origin/main")
    changed = _git(folder, "diff", "--name-only", "--relative", ctx.since, "--", ".").stdout.split()
    changed += _git(folder, "ls-files", "--others", "--exclude-standard", "--", ".").stdout.split()
    changed = sorted({c for c in changed if c.endswith((".j2", ".yml")) or c.startswith("rules/")})
    if not changed:
        return []
    if not (folder / "family.yaml").is_file():
        return [ctx.problem(folder, f"{', '.join(changed[:5])} changed since {ctx.since}, but this family has no "
                            "family.yaml of its own to carry a new version", code="version-not-raised",
                            hint="copy the built-in family.yaml into this folder and give it your own version")]
    rel = folder.resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
    old = _git(folder, "show", f"{ctx.since}:{rel}/family.yaml")
    if old.returncode != 0:
        return []  # the family is new since REV
    from clausegen.errors import SpecError
    from clausegen.yamlsource import load_yaml_text

    try:
        old_version = str(load_yaml_text(old.stdout, f"{ctx.since}:{rel}/family.yaml").data.get("version"))
    except SpecError:
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


_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def _norm(text: str) -> str:
    # Snippets are typed with straight quotes; the renderer prints typographic ones.
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip()


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
    """Return the run of rendered sentences most like `snippet`, so the diff shows just the change."""
    sentences = [x for line in text.splitlines()
                 for x in re.split(f"(?<=[{re.escape(EN_SENTENCE_END)}])\\s+|(?<=[{ZH_SENTENCE_END}])", line)
                 if x.strip()]
    count = max(1, len(re.findall(f"[{re.escape(SENTENCE_END)}](?:\\s|$)", _norm(snippet))))
    runs = [" ".join(sentences[i:i + count]) for i in range(len(sentences))] or [text]
    return max(runs, key=lambda r: difflib.SequenceMatcher(None, _norm(snippet), _norm(r)).ratio())


def check_family_tests(ctx: Context) -> list[Problem]:
    """Return a problem, with a unified diff, for every expected snippet the rendered test spec lacks."""
    tests = family_test_items(ctx.family)
    if not tests and not ctx.family.files("tests", "*.expected.md"):
        return []
    from clausegen.render import render_provision_text
    from clausegen.spec import load_spec

    problems = []
    specs = {t.path.name.removesuffix(".yaml") for t in tests}
    for name, path in ctx.family.files("tests", "*.expected.md").items():
        if name.removesuffix(".expected.md") not in specs:
            problems.append(ctx.problem(path, f"no test spec {name.removesuffix('.expected.md')}.yaml beside these "
                                        "expected snippets, so they are never checked", code="family-test",
                                        hint="rename the file to match its spec, or add the spec"))
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
                    where = f"{display_path(Path(exc.path))}:{exc.line}: " if exc.path and exc.line else ""
                    problems.append(ctx.problem(test.path, f"{pid} ({lang}) does not render: {where}{exc.message}",
                                                code="family-test", hint=exc.hint))
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


# ------------------------------------------------ templates: compile, and agree with the spec schema

# Spec keys the renderer itself consumes (not the templates), so no template needs to use them.
RENDERER_KEYS = ("clausegen", "family", "language", "position", "acting_for", "document")
_DICT_METHODS = ("items", "keys", "values")


def _environment(ctx: Context):
    if "env" not in ctx.cache:
        from clausegen.render.environment import make_environment

        ctx.cache["env"] = make_environment(ctx.family.layers)
    return ctx.cache["env"]


def spec_schema(family: Family) -> tuple[dict, Path] | None:
    """Load the spec schema of `family`: its own file if a layer has one, else clausegen's schemas folder."""
    from clausegen.resources import schemas_dir

    path = family.find(family.spec_schema) or schemas_dir() / family.spec_schema
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8")), path


def _properties(schema: dict, root: dict) -> tuple[dict, bool]:
    """Return (properties by key, whether other keys are allowed) of an object schema, through
    $ref, allOf/anyOf/oneOf, and array items (a template loops over a list's items)."""
    schema = resolve_ref(schema, root)
    props, open_ = dict(schema.get("properties", {})), False
    if schema.get("additionalProperties") not in (None, False) or schema.get("patternProperties"):
        open_ = True
    if "items" in schema:
        p, o = _properties(schema["items"], root)
        props.update(p)
        open_ = open_ or o
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            p, o = _properties(sub, root)
            for name, value in p.items():
                props.setdefault(name, {"anyOf": []})
                props[name] = {"anyOf": [props[name], value]} if props[name] != value else value
            open_ = open_ or o
    if schema.get("type") not in (None, "object", "array", ["object", "null"], ["array", "null"]) and not props:
        open_ = True  # a scalar: nothing below it to check
    return props, open_


def _chains(ast, names: set) -> list[tuple[tuple[str, ...], int]]:
    """Return (key path, line) for every Name[.attr|['key']|.get('key')]* chain whose root is in `names`.

    Aliases are followed: after ``{% set d = deadlines %}`` or ``{% for t in standards.tiers %}``,
    ``d.claim_window`` is the path ("deadlines", "claim_window").
    """
    from jinja2 import nodes

    aliases: dict[str, tuple] = {}
    chains: list = []

    def resolve(node):
        if isinstance(node, nodes.Name) and node.ctx == "load":
            return aliases.get(node.name) or ((node.name,) if node.name in names else None)
        if isinstance(node, nodes.Getattr):
            head = resolve(node.node)
            return head + (node.attr,) if head else None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            head = resolve(node.node)
            return head + (node.arg.value,) if head else None
        if (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr) and node.node.attr == "get"
                and node.args and isinstance(node.args[0], nodes.Const) and isinstance(node.args[0].value, str)):
            head = resolve(node.node.node)
            return head + (node.args[0].value,) if head else None
        return None

    def inner(node):
        # Arguments inside a chain (a .get default, a subscript) may hold chains of their own.
        if isinstance(node, nodes.Call):
            yield from node.args[1:]
            yield from (kw.value for kw in node.kwargs)
            yield from inner(node.node.node)
        elif isinstance(node, (nodes.Getattr, nodes.Getitem)):
            yield from inner(node.node)

    def walk(node):
        if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
            path = resolve(node.node)
            if path:
                aliases[node.target.name] = path
                return
            aliases.pop(node.target.name, None)
        if isinstance(node, nodes.For) and isinstance(node.target, nodes.Name):
            path = resolve(node.iter)
            if path:
                chains.append((path, node.lineno))
                aliases[node.target.name] = path
                for child in [*node.body, *node.else_, *([node.test] if node.test else [])]:
                    walk(child)
                aliases.pop(node.target.name, None)
                return
        path = resolve(node)
        if path:
            chains.append((path, node.lineno))
            for child in inner(node):
                walk(child)
            return
        for child in node.iter_child_nodes():
            walk(child)

    walk(ast)
    return chains


def _template_paths(ctx: Context) -> list[Item]:
    return [t for t in template_items(ctx.family) if t.provision in {p.id for p in ctx.family.provisions}
            or t.provision.startswith("_")]


def check_templates(ctx: Context) -> list[Problem]:
    """Return problems of templates: syntax or compile errors (unknown filter…), and variables the
    spec schema does not define (errors) or schema fields no template uses (warnings)."""
    from jinja2 import TemplateSyntaxError, meta, nodes

    from clausegen.render.environment import build_context, template_error

    env = _environment(ctx)
    found = spec_schema(ctx.family)
    schema, schema_path = found if found else ({}, None)
    sections, _ = _properties(schema, schema)
    computed = set(build_context({}, "en")) | set(env.globals)
    problems, used = [], set()
    for item in _template_paths(ctx):
        source = item.path.read_text(encoding="utf-8")
        try:
            ast = env.parse(source, item.name, str(item.path))
            env.compile(ast, item.name, str(item.path))
        except TemplateSyntaxError as exc:
            err = template_error(exc, env)
            problems.append(ctx.problem(item.path, err.message, line=err.line, hint=err.hint, code="template-syntax"))
            continue
        if not schema:
            continue
        free = meta.find_undeclared_variables(ast)
        for var in sorted(free - set(sections) - computed):
            line = min((n.lineno for n in ast.find_all(nodes.Name) if n.name == var), default=None)
            close = difflib.get_close_matches(var, list(sections) + sorted(computed), n=1)
            problems.append(ctx.problem(item.path, f"`{var}` is neither a spec section nor a computed value",
                                        line=line, code="template-variable",
                                        hint=f"did you mean `{close[0]}`?" if close else
                                        "add it to the spec schema, or fix the template"))
        for path, line in _chains(ast, free & set(sections)):
            bad = _first_unknown(path, schema)
            used.add(path[:bad] if bad is not None else path)
            if bad is not None:
                props, _ = _properties_at(path[:bad], schema)
                close = difflib.get_close_matches(path[bad], list(props), n=1)
                dotted = ".".join(path[:bad + 1])
                problems.append(ctx.problem(
                    item.path, f"`{dotted}`: the spec schema has no {path[bad]!r} in {'.'.join(path[:bad])}",
                    line=line, code="template-variable",
                    hint=f"did you mean `{'.'.join(path[:bad])}.{close[0]}`?" if close else
                    f"known keys there: {', '.join(sorted(props)) or 'none'}"))
    if schema and schema_path is not None:
        problems += _unused_fields(ctx, schema, schema_path, used)
    return problems


def _properties_at(path: tuple, schema: dict) -> tuple[dict, bool]:
    node = schema
    for key in path:
        props, open_ = _properties(node, schema)
        if key not in props:
            return {}, True
        node = props[key]
    return _properties(node, schema)


def _first_unknown(path: tuple, schema: dict) -> int | None:
    """Return the index of the first key of `path` the schema does not define, or None."""
    node = schema
    for i, key in enumerate(path):
        props, open_ = _properties(node, schema)
        if key in props:
            node = props[key]
            continue
        if open_ or key in _DICT_METHODS or (not props and i > 0):
            return None
        return i
    return None


def _unused_fields(ctx: Context, schema: dict, schema_path: Path, used: set) -> list[Problem]:
    text = schema_path.read_text(encoding="utf-8")
    sections, _ = _properties(schema, schema)
    problems = []
    for section, sub in sections.items():
        if section in RENDERER_KEYS:
            continue
        fields, _ = _properties(sub, schema)
        candidates = [(section, f) for f in fields] or [(section,)]
        for path in candidates:
            if any(u[:len(path)] == path or path[:len(u)] == u for u in used):
                continue
            line = _json_key_line(text, path)
            problems.append(ctx.problem(schema_path, f"no template of {ctx.family.id!r} uses this field",
                                        line=line, pointer=".".join(path), severity="warning", code="unused-field",
                                        hint="use it in a template, or drop it from the schema"))
    return problems


def _json_key_line(text: str, path: tuple) -> int | None:
    pos = 0
    for key in path:
        match = re.compile(rf'"{re.escape(key)}"\s*:').search(text, pos)
        if not match:
            return None
        pos = match.end()
    return text.count("\n", 0, pos) + 1


# ------------------------------------------------ rules: schema, spaCy patterns, their own examples


def _token_pattern_problems(ctx: Context, path: Path, data: dict, marks) -> list[Problem]:
    """Return a problem for every spaCy token pattern that spaCy's own Matcher rejects."""
    from spacy.errors import MatchPatternError
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    from clausegen.yamlsource import find_mark

    matcher = Matcher(Vocab(), validate=True)
    problems = []
    groups = [((key,), data.get(key)) for key in ("patterns", "headings", "unless", "if", "then")]
    groups += [(("with", i), g) for i, g in enumerate(data.get("with") or [])]
    for keys, group in groups:
        for lang, items in (group or {}).items() if isinstance(group, dict) else ():
            for i, item in enumerate(items or []):
                if not isinstance(item, list):
                    continue
                try:
                    matcher.add("probe", [item])
                except (MatchPatternError, ValueError, TypeError) as exc:
                    line, col = find_mark(marks, keys + (lang, i)) or (None, None)
                    detail = " ".join(str(exc).split())
                    problems.append(ctx.problem(path, f"invalid spaCy token pattern: {detail[:300]}", line=line,
                                                col=col, pointer=".".join(map(str, keys + (lang, i))),
                                                code="rule-pattern",
                                                hint="token patterns are lists of dicts such as "
                                                     "{LOWER: days} or {LIKE_NUM: true}; see spaCy's Matcher docs"))
                finally:
                    if "probe" in matcher:
                        matcher.remove("probe")
    return problems


def check_rule_files(ctx: Context) -> list[Problem]:
    """Return problems of every rule file: schema, regular expressions, spaCy token patterns."""
    from clausegen.check.rules import load_vocabularies, validate_rule_file

    problems = []
    known = {p.id for p in ctx.family.provisions}
    try:
        ctx.cache["vocabularies"] = load_vocabularies(ctx.family)
    except LibraryError as exc:
        problems.append(ctx.problem(Path(exc.path or "vocabularies.yml"), exc.message, line=exc.line, col=exc.col,
                                    hint=exc.hint, code="vocabulary"))
        ctx.cache["vocabularies"] = {}
    for rid, path in ctx.family.rule_files().items():
        found, data, marks = validate_rule_file(path)
        problems += [ctx.problem(Path(p.file), p.message, line=p.line, col=p.col, pointer=p.pointer, hint=p.hint,
                                 code=p.code or "rule-schema") for p in found]
        if data is None or found:
            continue
        bad_tokens = _token_pattern_problems(ctx, path, data, marks)
        problems += bad_tokens or _regex_problems(ctx, rid, path)
        provision = data.get("provision")
        if provision is not None and provision not in known:
            from clausegen.yamlsource import find_mark

            line, col = find_mark(marks, ("provision",)) or (None, None)
            close = difflib.get_close_matches(str(provision), sorted(known), n=1)
            problems.append(ctx.problem(path, f"unknown provision {provision!r}", line=line, col=col,
                                        pointer="provision", code="rule-schema",
                                        hint=f"did you mean {close[0]!r}?" if close else
                                        f"the family's provisions are: {', '.join(sorted(known))}"))
    ctx.cache["rules_broken"] = any(p.severity == "error" for p in problems)
    return problems


def _regex_problems(ctx: Context, rid: str, path: Path) -> list[Problem]:
    from clausegen.check.rules import load_rule

    try:
        load_rule(rid, path, ctx.cache.get("vocabularies"))
    except LibraryError as exc:
        return [ctx.problem(path, exc.message, line=exc.line, col=exc.col, hint=exc.hint, code="rule-pattern")]
    return []


def _ruleset(ctx: Context):
    """Return the family's compiled rules through the checker's loader, or None when they do not load."""
    if ctx.cache.get("rules_broken"):
        return None  # every broken file is already reported; running the rest would only repeat it
    if "ruleset" not in ctx.cache:
        from clausegen.check.rules import load_ruleset

        try:
            ctx.cache["ruleset"] = load_ruleset(ctx.library, ctx.family.id)
        except LibraryError:
            ctx.cache["ruleset"] = None  # already reported, file by file, by check_rule_files
    return ctx.cache["ruleset"]


def check_rule_examples(ctx: Context) -> list[Problem]:
    """Return a problem for every pass/fail example a rule gets wrong.

    A `require` rule must fire on its pass examples and not on its fail examples; `forbid` and
    `conditional` rules (which flag a problem) the other way round.
    """
    ruleset = _ruleset(ctx)
    if ruleset is None:
        return []
    from clausegen.check.engine import example_holds
    from clausegen.yamlsource import load_yaml_file

    problems = []
    for rule in ruleset.rules:
        marks = None
        for verdict, lang, i, text in rule.example_cases():
            if example_holds(ruleset, rule, verdict, text, lang):
                continue
            marks = marks or load_yaml_file(rule.path).marks
            from clausegen.yamlsource import find_mark

            line, col = find_mark(marks, ("examples", verdict, lang, i)) or (None, None)
            what = "is not recognised" if rule.kind == "require" and verdict == "pass" else (
                "is recognised" if rule.kind == "require" else
                ("is flagged" if verdict == "pass" else "is not flagged"))
            problems.append(ctx.problem(
                rule.path, f"{verdict} example {what} by the rule: {text[:80]!r}", line=line, col=col,
                pointer=f"examples.{verdict}.{lang}[{i}]", code="rule-example",
                hint="fix the patterns, or the example if it was wrong"))
    return problems


def check_default_clause(ctx: Context) -> list[Problem]:
    """Return an error for every required provision whose default clause (rendered from the
    starter spec) the family's own rules do not recognise, in each language."""
    ruleset = _ruleset(ctx)
    if ruleset is None or not ruleset.rules:
        return []
    problems = []
    for p in ctx.family.required:
        if not ruleset.for_provision(p.id, "require"):
            problems.append(ctx.at_meta(
                ("provisions", p.order), f"required provision {p.id!r} has no `require` rule: "
                "the checker can never find it", pointer=f"provisions[{p.order}]", code="no-rule",
                hint=f"add rules/{p.id}.yml (kind: require, provision: {p.id})"))
            continue
        for lang in ctx.family.languages:
            for position in p.positions:
                template = ctx.family.template(p.id, lang, position)
                if template is None or (position != "preferred" and template == ctx.family.template(p.id, lang)):
                    continue  # reported by check_structure
                problems += _default_clause_problems(ctx, ruleset, p, lang, position, template)
    return problems


def _default_clause_problems(ctx: Context, ruleset, p, lang: str, position: str, template: Path) -> list[Problem]:
    from clausegen.check.engine import report
    from clausegen.check.readers import contract_from_text
    from clausegen.render import render_provision_text
    from clausegen.spec import starter_data

    data = {**starter_data(lang), "family": ctx.family.id, "position": position}
    try:
        text = render_provision_text(p.id, lang, data=data, library=ctx.library)
    except ClausegenError as exc:
        return [ctx.problem(Path(exc.path) if exc.path else template, exc.message, line=exc.line,
                            hint=exc.hint, code="default-clause")]
    contract = contract_from_text(text, lang, name=f"default {lang} clause")
    result = report(contract, ruleset, lang, None, ctx.library, suggest=False).provision(p.id)
    if result.status == "present":
        return []
    rules = ", ".join(r.path.name for r in ruleset.for_provision(p.id)) or "none"
    wording = "" if position == "preferred" else f" ({position} wording)"
    return [ctx.problem(
        template, f"the default {lang} clause for {p.id!r}{wording} is {result.status} by the family's own "
        f"rules ({rules})", code="default-clause", severity="error" if result.status == "missing" else "warning",
        hint="the library must agree with itself: make the rules recognise this wording, or change the wording")]


# Every check: fn(Context) -> list[Problem]. Order is the order of the report.
CHECKS = {
    "family-schema": check_family_schema,
    "layers": check_layers,
    "structure": check_structure,
    "templates": check_templates,
    "rule-files": check_rule_files,
    "rule-examples": check_rule_examples,
    "default-clause": check_default_clause,
    "family-tests": check_family_tests,
    "version": check_version_raised,
}


def check_library(root: Path | str | None = None, since: str | None = None,
                  families: list[str] | None = None) -> list[Problem]:
    """Return every problem of the library at `root` (None: the built-in one), file and line each.

    `families` limits the check to those family ids (default: every family, firm and built-in).

    `since` (a git revision) also reports families whose templates changed without a version raise.
    Raises LibraryError when the library cannot be loaded at all (exit 2), UsageError for a bad `since`.
    """
    try:
        library = load_library(root)
    except LibraryError as exc:
        if exc.path and exc.path.endswith("family.yaml"):
            listed = _family_yaml_problems(Path(exc.path))
            if len(listed) > 1:  # the loader stops at the first; a reviewer wants them all
                raise LibraryError("the library cannot be loaded; family.yaml has these problems:\n"
                                   + "\n".join(p.format() for p in listed), path=exc.path,
                                   hint="see schemas/family.schema.json for the shape of family.yaml") from None
        raise
    problems: list[Problem] = []
    for fid in families or sorted(library.families):
        ctx = Context(library=library, family=library.family(fid), since=since)
        for name, check in CHECKS.items():
            try:
                problems.extend(check(ctx))
            except (UsageError, LibraryError):
                raise
            except ClausegenError as exc:
                problems.append(ctx.problem(Path(exc.path) if exc.path else None, exc.message, line=exc.line,
                                            col=exc.col, hint=exc.hint, code=name))
    return problems
