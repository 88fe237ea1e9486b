"""Safe YAML loading that keeps the line and column of every node and refuses silent surprises.

YAML quietly keeps the last of two equal keys, builds Python objects from ``!!python/…`` tags
and lets a few aliases expand into millions of nodes. In a contract spec each of these is a
silent change of terms or a denial of service, so this loader turns them into `SpecError`s
that name the file, line and column.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from clausegen.errors import MalformedYaml, SpecError

#: Largest spec file read, in bytes (override with the environment variable below).
MAX_SPEC_BYTES = 5 * 1024 * 1024
MAX_BYTES_ENV = "CLAUSEGEN_MAX_SPEC_BYTES"
#: Most nodes a document may expand to, counting every alias expansion (bounds "billion laughs").
MAX_NODES = 100_000
#: Deepest nesting of mappings and sequences accepted.
MAX_DEPTH = 64

_YAML = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
_MERGE_TAG = _YAML + "merge"

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A comment that starts right after a plain value, with no space after the `#`, is most likely
# part of the value ("#22-01", "#5"); comments written as comments have "# " after some padding.
_CUT_BY_COMMENT = re.compile(r"^[ \t]{1,2}#[^\s#]")


@dataclass(frozen=True)
class YamlDocument:
    """A loaded YAML document: plain data, the position of every node, where it came from.

    `marks` maps a path tuple (``("standards", "tiers", 1, "credit_percent")``; ``()`` is the
    root) to the 1-based ``(line, col)`` where that entry starts: the key for a mapping entry,
    the item for a sequence item.
    """

    data: object
    marks: dict = field(repr=False)
    path: str
    text: str = field(repr=False, default="")
    sha256: str = ""  # of the file's bytes, as read (load_yaml_file only)
    #: Plain (unquoted) text values cut short by a `#` that YAML read as a comment:
    #: (path, line, col, value as read, the line's text from the `#` on).
    cut_by_comment: tuple = field(repr=False, default=())

    def mark(self, path: tuple) -> tuple[int, int] | None:
        """Return the position of `path`, or of its nearest ancestor that has one."""
        return find_mark(self.marks, path)


def find_mark(marks: dict | None, path: tuple) -> tuple[int, int] | None:
    """Return the position of `path` in `marks`, or of its nearest ancestor that has one."""
    if not marks:
        return None
    path = tuple(path)
    while True:
        if path in marks:
            return marks[path]
        if not path:
            return None
        path = path[:-1]


def max_spec_bytes() -> int:
    """Return the size limit for spec files: $CLAUSEGEN_MAX_SPEC_BYTES or `MAX_SPEC_BYTES`."""
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    if raw:
        try:
            value = int(raw)
        except ValueError:
            raise SpecError(f"{MAX_BYTES_ENV}={raw!r} is not a whole number of bytes",
                            hint=f"unset {MAX_BYTES_ENV} or set it to e.g. 5000000") from None
        if value > 0:
            return value
    return MAX_SPEC_BYTES


def load_yaml_file(path: str | os.PathLike) -> YamlDocument:
    """Load the YAML file at `path` with positions.

    Raises SpecError when the file is missing, a folder, unreadable, not UTF-8 text or beyond the
    size, alias or nesting limits; MalformedYaml (a SpecError) when it was read but is not YAML,
    empty, not a mapping at the top, or uses duplicate keys or unsafe tags.
    """
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise SpecError("no such file", path=name, hint="check the path; `clausegen new > spec.yaml` starts a spec")
    if p.is_dir():
        raise SpecError("is a folder, not a spec file", path=name, hint="name the .yaml files inside it")
    if not p.is_file():  # a pipe would block the read, a device never end it
        raise SpecError("not a regular file (a device, pipe or socket)", path=name,
                        hint="save the spec as a file and pass that")
    limit = max_spec_bytes()
    try:
        size = p.stat().st_size
        if size > limit:
            raise SpecError(f"the file is {size} bytes; specs are limited to {limit} bytes", path=name,
                            hint=f"a spec is a few kilobytes; raise {MAX_BYTES_ENV} if this one is real")
        with p.open("rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise SpecError(f"cannot read the file: {exc.strerror or exc}", path=name) from None
    if len(raw) > limit:  # grew while we looked, or a special file
        raise SpecError(f"the file is larger than {limit} bytes", path=name,
                        hint=f"raise {MAX_BYTES_ENV} if this spec is real")
    import dataclasses
    import hashlib

    doc = load_yaml_text(_decode(raw, name), name)
    return dataclasses.replace(doc, sha256=hashlib.sha256(raw).hexdigest())


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise SpecError(f"byte 0x{raw[exc.start]:02x} is not valid UTF-8", path=name, line=line, col=col,
                        hint="save the file as UTF-8 (in most editors: Save As… → Encoding: UTF-8)") from None


def load_yaml_text(text: str, name: str = "<spec>") -> YamlDocument:
    """Load YAML `text` (named `name` in messages) with positions; raise SpecError as load_yaml_file."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise MalformedYaml("the file is empty", path=name, line=1, col=1,
                        hint="`clausegen new --lang en > spec.yaml` prints a complete starter spec")
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, text, name) from None
    except yaml.YAMLError as exc:
        raise _reader_error(exc, text, name) from None
    except UnicodeEncodeError as exc:  # lone surrogates, e.g. from a JSON "\ud800" escape
        line, col = _line_col(text, exc.start)
        raise SpecError("the text holds an invalid character (a lone surrogate)", path=name, line=line, col=col,
                        hint="remove the character or save the text as UTF-8") from None
    except RecursionError:
        raise SpecError("the document is nested too deeply", path=name,
                        hint=f"a spec needs only a few levels of nesting (limit {MAX_DEPTH})") from None
    if node is None:
        raise MalformedYaml("the file is empty", path=name, line=1, col=1,
                        hint="`clausegen new --lang en > spec.yaml` prints a complete starter spec")
    builder = _Builder(name, loader, text)
    builder.count_aliases(node)
    data = builder.build(node, (), 0, frozenset())
    if not isinstance(data, dict):
        line, col = _pos(node)
        kind = "a list" if isinstance(data, list) else f"the value {data!r}"
        raise MalformedYaml(f"the top level is {kind}, not a mapping of sections", path=name, line=line, col=col,
                        hint="a spec starts with keys such as `language:`, `parties:`, `service:`")
    builder.marks[()] = (1, 1)
    return YamlDocument(data=data, marks=builder.marks, path=name, text=text,
                        cut_by_comment=tuple(builder.cut_by_comment))


def _pos(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _yaml_error(exc: yaml.MarkedYAMLError, text: str, name: str) -> SpecError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    problem = exc.problem or "not valid YAML"
    hint = None
    limit = False
    src_line = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
    if "\t" in problem or "'\\t'" in problem or ("\t" in src_line[: (mark.column + 1 if mark else 0)]):
        problem = "a tab character is used for indentation"
        hint = "YAML indents with spaces only; replace the tabs with spaces"
    elif "maximum nesting depth" in problem:
        problem = "the document is nested too deeply"
        hint = f"a spec needs only a few levels of nesting (limit {MAX_DEPTH})"
        limit = True
    elif "expected a single document" in problem or "but found another document" in str(exc):
        problem = "the file holds more than one YAML document (a second '---')"
        hint = "keep one spec per file"
    elif "mapping values are not allowed" in problem:
        hint = "a value containing ': ' must be quoted, or the indentation is off"
    elif "found undefined alias" in problem:
        hint = "define the anchor (&name) before using the alias (*name)"
    else:
        hint = "check the indentation and quoting around this position"
    if exc.context and exc.context not in problem and not problem.startswith("a tab"):
        problem = f"{exc.context}; {problem}"
    if limit:  # refused like a file over the size limit, not malformed
        return SpecError(f"not valid YAML: {problem}", path=name, line=line, col=col, hint=hint)
    return MalformedYaml(f"not valid YAML: {problem}", path=name, line=line, col=col, hint=hint)


def _line_col(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _reader_error(exc: yaml.YAMLError, text: str, name: str) -> SpecError:
    if isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.character, int):
        line, col = _line_col(text, exc.position) if isinstance(exc.position, int) else (None, None)
        return SpecError(f"the character {chr(exc.character)!r} (U+{exc.character:04X}) is not allowed in YAML",
                         path=name, line=line, col=col, hint="remove control characters from the file")
    return MalformedYaml(f"not valid YAML: {exc}", path=name)


class _Builder:
    """Turn a composed node graph into plain data, recording marks and enforcing the limits."""

    def __init__(self, name: str, loader, text: str = "") -> None:
        self.lines = text.splitlines()
        self.cut_by_comment: list = []
        self.name = name
        self.loader = loader
        self.marks: dict = {}
        self.count = 0
        from clausegen import limits

        self.max_nodes, self.max_depth = limits.get("yaml_nodes"), limits.get("yaml_depth")
        self.max_aliases = limits.get("yaml_aliases")

    def count_aliases(self, root) -> None:
        """Raise SpecError when the text uses more aliases (*name) than the limit; nothing is expanded."""
        seen, stack, uses = {id(root)}, [root], 0
        while stack:
            node = stack.pop()
            if isinstance(node, yaml.ScalarNode):
                continue
            children = node.value if isinstance(node, yaml.SequenceNode) else [n for kv in node.value for n in kv]
            for child in children:
                if id(child) in seen:  # a second edge to a node is one alias in the text
                    uses += 1
                    if uses > self.max_aliases:
                        raise self.fail(child, f"the document uses more than {self.max_aliases} aliases (*name)",
                                        hint="a spec needs few anchors and aliases (&name / *name); write values out",
                                        limit=True)
                else:
                    seen.add(id(child))
                    stack.append(child)

    def note_comment(self, node, path: tuple, value: str) -> None:
        """Note a plain value followed, a space or two later on its line, by `#` and a non-space:
        `address: 10 Marina Boulevard, #22-01` reads as the value "10 Marina Boulevard," and a
        comment, silently dropping "#22-01"."""
        end = node.end_mark
        last = value.split()[-1] if value.split() else ""
        if end.line >= len(self.lines) or not last:
            return
        text = self.lines[end.line]
        at = text.rfind(last, 0, end.column + 1)  # the value's last word on its last line
        if at < 0:
            return
        rest = text[at + len(last):]
        if _CUT_BY_COMMENT.match(rest):
            line, col = _pos(node)
            self.cut_by_comment.append((path, line, col, value, rest.strip()))

    def fail(self, node, message: str, hint: str | None = None, limit: bool = False) -> SpecError:
        """Return the error for `node`: malformed content, or with `limit` a document refused as
        too large for the configured limits, like a file over the size limit."""
        line, col = _pos(node)
        return (SpecError if limit else MalformedYaml)(message, path=self.name, line=line, col=col, hint=hint)

    def build(self, node, path: tuple, depth: int, active: frozenset):
        self.count += 1
        if self.count > self.max_nodes:
            raise self.fail(node, f"the document expands to more than {self.max_nodes} values (aliases)",
                            hint="a spec needs no anchors and aliases (&name / *name); write values out", limit=True)
        if depth > self.max_depth:
            raise self.fail(node, "the document is nested too deeply",
                            hint=f"a spec needs only a few levels of nesting (limit {self.max_depth})", limit=True)
        if id(node) in active:
            raise self.fail(node, "an alias refers to a value that contains it (recursive alias)",
                            hint="remove the recursive anchor/alias")
        tag = node.tag
        if tag not in _ALLOWED_TAGS:
            raise self.fail(node, f"the tag {tag.replace(_YAML, '!!')!r} is not allowed in a spec",
                            hint="remove the tag; specs hold only text, numbers, dates, true/false, lists and mappings")
        if isinstance(node, yaml.ScalarNode):
            try:
                value = self.loader.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, OverflowError, TypeError):
                # e.g. 2026-13-01 looks like a date but is none: keep the text, validation says why.
                value = node.value
            if isinstance(value, (_dt.date, _dt.datetime)):
                value = value.isoformat()
            if isinstance(value, str) and not node.style:  # plain: None (PyYAML) or '' (LibYAML)
                self.note_comment(node, path, value)
            return value
        inner = active | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            out = []
            for i, item in enumerate(node.value):
                self.marks.setdefault(path + (i,), _pos(item))
                out.append(self.build(item, path + (i,), depth + 1, inner))
            return out
        return self.build_mapping(node, path, depth, inner)

    def build_mapping(self, node, path: tuple, depth: int, active: frozenset) -> dict:
        out: dict = {}
        merged: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                for source in (value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]):
                    value = self.build(source, path, depth + 1, active)
                    if not isinstance(value, dict):
                        raise self.fail(source, "a merge key (<<) needs a mapping or a list of mappings")
                    for k, v in value.items():
                        merged.setdefault(k, v)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a key must be plain text, not a list or mapping")
            if key_node.tag not in _ALLOWED_TAGS:
                raise self.fail(key_node, f"the tag {key_node.tag.replace(_YAML, '!!')!r} is not allowed in a spec")
            # Keys are kept as written: `yes:` stays "yes", `1:` stays "1".
            key = key_node.value
            if key in out:
                first = self.marks.get(path + (key,))
                where = f" (first at line {first[0]})" if first else ""
                raise self.fail(key_node, f"duplicate key {key!r}{where}",
                                hint="YAML keeps only the last value silently; remove one of them")
            self.marks[path + (key,)] = _pos(key_node)
            out[key] = self.build(value_node, path + (key,), depth + 1, active)
        for k, v in merged.items():
            out.setdefault(k, v)
        return out


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def dump_inline(value) -> str:
    """Return `value` (a scalar, or a list or mapping of scalars) as YAML on one line.

    The one writer of spec values: the starter spec, the web form's saved spec and `extract`
    all write through it. A date string stays bare (2026-01-31), as a lawyer writes it.
    """
    if isinstance(value, str) and _DATE.fullmatch(value):
        return value
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6, sort_keys=False).strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")].strip()
    elif text.endswith("..."):
        text = text[:-3].strip()
    return text

