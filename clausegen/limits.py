"""Limits on the work clausegen does for one input, and the checks that enforce them on files.

Specs, contracts and uploads come from outside; each limit below bounds the size, memory or
time one of them can cost. Every limit has a default, an environment variable
(``CLAUSEGEN_MAX_<NAME>``) and the command-line option ``--limit NAME=VALUE`` (which sets the
same variable, so worker processes inherit it). Sizes accept ``KB``/``MB``/``GB`` suffixes.
"""

from __future__ import annotations

from clausegen.characters import SENTENCE_END

import os
import re
from dataclasses import dataclass
from pathlib import Path

from clausegen.errors import InputError, UsageError


@dataclass(frozen=True)
class Limit:
    """One limit: its name, default value, unit ("bytes", "count", "seconds") and what it bounds."""

    name: str
    default: float
    unit: str
    help: str

    @property
    def env(self) -> str:
        return "CLAUSEGEN_MAX_" + self.name.upper()


_MB = 1024 * 1024

LIMITS = {lim.name: lim for lim in (
    Limit("input_bytes", 100 * _MB, "bytes", "size of a contract file (.docx, .pdf, .txt, .md)"),
    Limit("spec_bytes", 5 * _MB, "bytes", "size of a spec, playbook or rule file (YAML)"),
    Limit("docx_uncompressed_bytes", 512 * _MB, "bytes", "total uncompressed size of a .docx's parts"),
    Limit("docx_xml_bytes", 128 * _MB, "bytes", "uncompressed size of one XML part of a .docx (parser memory)"),
    Limit("docx_ratio", 200, "count", "compression ratio of one .docx part larger than 1 MB"),
    Limit("docx_members", 10_000, "count", "number of parts in a .docx"),
    Limit("yaml_nodes", 100_000, "count", "values a YAML file expands to, counting alias expansions"),
    Limit("yaml_aliases", 1_000, "count", "alias uses (*name) in a YAML file"),
    Limit("yaml_depth", 64, "count", "nesting depth of a YAML file"),
    Limit("paragraph_chars", 100_000, "count", "characters of one paragraph given to the language pipeline"),
    Limit("pdf_pages", 5_000, "count", "pages of a PDF contract"),
    Limit("pdf_page_operations", 500_000, "count", "operations in one PDF page's content (parser work per page)"),
    Limit("pdf_seconds", 120, "seconds", "time spent reading the text of one PDF"),
    Limit("check_seconds", 600, "seconds", "time one contract may take to read and check (its worker "
                                           "process is stopped past it)"),
    Limit("template_seconds", 10, "seconds", "time one clause template may run"),
    Limit("template_output_chars", 2_000_000, "count", "characters one clause template may produce"),
)}

_SUFFIX = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": _MB, "mb": _MB, "g": 1024 * _MB, "gb": 1024 * _MB}


def parse_value(name: str, raw: str) -> float:
    """Return the number `raw` means for limit `name` ("200MB", "5000", "2.5").

    Raises UsageError for an unknown limit or a value that is not a positive number.
    """
    lim = LIMITS.get(name)
    if lim is None:
        raise UsageError(f"unknown limit {name!r}", hint=f"limits: {', '.join(sorted(LIMITS))}")
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(raw))
    factor = _SUFFIX.get(m.group(2).lower()) if m else None
    if m is None or factor is None or (factor != 1 and lim.unit != "bytes"):
        raise UsageError(f"limit {name}: {raw!r} is not a number" + (" of bytes" if lim.unit == "bytes" else ""),
                         hint=f"e.g. {lim.env}={'200MB' if lim.unit == 'bytes' else int(lim.default * 2)}")
    value = float(m.group(1)) * factor
    if value <= 0:
        raise UsageError(f"limit {name}: must be more than 0, not {raw!r}")
    return value


def get(name: str) -> int | float:
    """Return the limit `name` in force: $CLAUSEGEN_MAX_<NAME> when set, else the default.

    Raises UsageError when the variable is set to something that is not a positive number.
    """
    lim = LIMITS[name]
    raw = os.environ.get(lim.env, "").strip()
    value = parse_value(name, raw) if raw else lim.default
    return int(value) if lim.unit != "seconds" else value


def apply_options(pairs: list[str] | None) -> None:
    """Set the limits given on the command line as ``NAME=VALUE`` (via their environment variables).

    Raises UsageError for a malformed pair, an unknown name or a bad value.
    """
    for pair in pairs or ():
        name, sep, raw = pair.partition("=")
        name = name.strip().lower().replace("-", "_")
        if name.startswith("clausegen_max_"):
            name = name[len("clausegen_max_"):]
        if not sep:
            raise UsageError(f"--limit {pair!r}: expected NAME=VALUE", hint="e.g. --limit input_bytes=300MB")
        value = parse_value(name, raw)  # refuse bad values now, not in a worker
        # Plain numbers in the variable, so that readers of it that take no suffix understand it.
        os.environ[LIMITS[name].env] = str(int(value)) if LIMITS[name].unit != "seconds" else str(value)


def add_limit_option(parser) -> None:
    """Add ``--limit NAME=VALUE`` to every command of `parser` (an argparse parser with sub-commands)."""
    import argparse

    def walk(p) -> None:
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            p.add_argument("--limit", action="append", metavar="NAME=VALUE", default=argparse.SUPPRESS,
                           help="raise or lower a safety limit, e.g. input_bytes=300MB "
                                f"(names: {', '.join(LIMITS)}; see README 'Security and limits')")
        for action in subs:
            for child in set(action.choices.values()):
                walk(child)

    walk(parser)


def describe() -> str:
    """Return a table of every limit: name, value in force, environment variable, what it bounds."""
    rows = []
    for lim in LIMITS.values():
        value = get(lim.name)
        shown = f"{value / _MB:g} MB" if lim.unit == "bytes" else f"{value:g}"
        rows.append(f"{lim.name:<24} {shown:>10}  {lim.env:<40} {lim.help}")
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------- input files


def _size_text(n: float) -> str:
    return f"{n / _MB:.1f} MB" if n >= _MB else f"{int(n)} bytes"


def check_input_size(path: Path, limit_name: str = "input_bytes") -> int:
    """Return the size of `path`; raise InputError when it is larger than the limit `limit_name`."""
    lim = LIMITS[limit_name]
    limit = get(limit_name)
    import stat

    try:
        info = Path(path).stat()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=str(path)) from None
    if not stat.S_ISREG(info.st_mode):  # /dev/zero or a pipe named .txt would be read forever
        raise InputError("not a regular file (a device, pipe or socket)", path=str(path),
                         hint="save the contract as a file and check that")
    size = info.st_size
    if size > limit:
        raise InputError(f"the file is {_size_text(size)}; the limit is {_size_text(limit)}", path=str(path),
                         hint=f"raise it with --limit {lim.name}=... or {lim.env} if the file is genuine")
    return size


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(path: Path) -> str:
    """Return what the first bytes of `path` say it is: zip, ole2, pdf, rtf, html, empty or unknown."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=str(path)) from None
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head == OLE2_MAGIC:
        return "ole2"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.lstrip().lower().startswith((b"<html", b"<!doct", b"<?xml")):
        return "html"
    return "unknown"


def _ole2_names(path: Path, limit: int) -> bytes:
    # Directory entry names are UTF-16LE; a bounded read finds them without an OLE2 parser.
    with open(path, "rb") as fh:
        return fh.read(limit)


def check_docx(path: Path) -> None:
    """Refuse a .docx that is not a Word 2007+ package, or that would cost too much to open.

    Checks, before python-docx parses anything: the file size, the file kind (an empty file,
    a renamed .doc, .pdf or .rtf, a password-protected document), the number of parts, their
    total uncompressed size and each large part's compression ratio (zip bombs), and that no
    XML part declares a DOCTYPE (entity expansion, external entities). Raises InputError.
    """
    import zipfile
    import zlib

    name = str(path)
    check_input_size(path)
    kind = sniff(path)
    save_hint = "open it in Word and save it as a Word Document (.docx)"
    if kind == "empty":
        raise InputError("the file is empty (0 bytes)", path=name, hint="check that the file was copied completely")
    if kind == "ole2":
        names = _ole2_names(path, get("input_bytes"))
        if "EncryptionInfo".encode("utf-16-le") in names or "EncryptedPackage".encode("utf-16-le") in names:
            raise InputError("the document is password-protected (encrypted)", path=name,
                             hint="remove the password in Word (File → Info → Protect Document) and check it again")
        raise InputError("this is an old Word .doc (or other OLE2) file renamed to .docx", path=name, hint=save_hint)
    if kind == "pdf":
        raise InputError("this is a PDF file renamed to .docx", path=name, hint="rename it to .pdf and check it again")
    if kind == "rtf":
        raise InputError("this is an RTF file renamed to .docx", path=name, hint=save_hint)
    if kind == "html":
        raise InputError("this is an HTML or Word 2003 XML file renamed to .docx", path=name, hint=save_hint)
    if kind != "zip":
        raise InputError("not a Word .docx file (a .docx is a zip package; this file is not one)", path=name,
                         hint=save_hint)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_members(zf, infos, name)
    except zipfile.BadZipFile as exc:
        raise InputError(f"the .docx package is damaged or truncated ({exc})", path=name,
                         hint="ask for the file again, or open it in Word and save a new copy") from None
    except (OSError, EOFError, NotImplementedError, RuntimeError, ValueError, zlib.error) as exc:
        raise InputError(f"the .docx package is damaged ({exc})", path=name, hint=save_hint) from None


WORD_MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)


def _check_members(zf, infos, name: str) -> None:
    max_members = get("docx_members")
    if len(infos) > max_members:
        raise InputError(f"the .docx has {len(infos)} parts; the limit is {max_members}", path=name,
                         hint="raise it with --limit docx_members=... if the file is genuine")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names:
        raise InputError("this zip file is not a Word document (no [Content_Types].xml)", path=name,
                         hint="open it in Word and save it as a Word Document (.docx)")
    limit, ratio, xml_limit = get("docx_uncompressed_bytes"), get("docx_ratio"), get("docx_xml_bytes")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise InputError("the .docx package is encrypted", path=name, hint="remove the password and check it again")
        total += info.file_size
        big = info.file_size > _MB
        if big and info.file_size > ratio * max(info.compress_size, 1):
            raise InputError(f"the part {info.filename!r} expands {info.file_size // max(info.compress_size, 1)} times "
                             f"(limit {ratio}); this looks like a zip bomb", path=name,
                             hint="raise it with --limit docx_ratio=... if the file is genuine")
        if total > limit:
            raise InputError(f"the .docx expands to more than {_size_text(limit)} (a zip bomb?)", path=name,
                             hint="raise it with --limit docx_uncompressed_bytes=... if the file is genuine")
    # Whether a part is XML is told by its content type and by its content, never by its name: the
    # main document may be called word/document.bin, and a customXml part is XML like any other.
    types = _content_types(zf, zf.getinfo("[Content_Types].xml"), name, xml_limit)
    for info in infos:
        if (types.get(info.filename) or "").endswith("xml") and info.file_size > xml_limit:
            _xml_too_big(info, xml_limit, name)  # before any parser reads it
        is_xml, doctype = _probe_xml(zf, info)
        if is_xml and info.file_size > xml_limit:
            _xml_too_big(info, xml_limit, name)
        if doctype:
            raise InputError(f"the part {info.filename!r} declares a DOCTYPE (XML entities); "
                             "Word never writes one, so the file was crafted or damaged", path=name,
                             hint="open it in Word and save a new copy")
    if not any(types.get(n) in WORD_MAIN_TYPES for n in names) and "word/document.xml" not in names:
        raise InputError("this Office package holds no Word document (no word/document.xml or other main "
                         "document part)", path=name,
                         hint="is it a spreadsheet or a presentation? clausegen checks Word documents")
    bad = zf.testzip()  # every part inflates and matches its checksum (sizes are bounded above)
    if bad is not None:
        raise InputError(f"the .docx package is damaged (the part {bad!r} fails its checksum)", path=name,
                         hint="ask for the file again, or open it in Word and save a new copy")


def _xml_too_big(info, xml_limit: int, name: str) -> None:
    raise InputError(f"the part {info.filename!r} is {_size_text(info.file_size)} of XML; the limit is "
                     f"{_size_text(xml_limit)}", path=name,
                     hint="raise it with --limit docx_xml_bytes=... if the file is genuine")


def _probe_xml(zf, info) -> tuple[bool, bool]:
    """Return (whether the part `info` is XML, whether it declares a DOCTYPE).

    The part is read only up to its root element, by the parser python-docx uses (so every
    encoding that parser would detect is covered), expanding no entity and loading no DTD.
    """
    from lxml import etree

    if info.file_size == 0:
        return False, False
    with zf.open(info) as fh:
        try:
            for _event, element in etree.iterparse(fh, events=("start",), resolve_entities=False,
                                                   load_dtd=False, no_network=True):
                docinfo = element.getroottree().docinfo
                return True, bool(docinfo.doctype) or docinfo.internalDTD is not None
        except etree.XMLSyntaxError:  # not XML (an image), or XML that no parser accepts either
            pass
    # Newer libxml2 refuses some entity declarations outright (amplification limits) before the
    # root is reached: look for the declaration in the bytes themselves, in UTF-8 and UTF-16.
    with zf.open(info) as fh:
        head = fh.read(65536)
    for marker in (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be")):
        if marker in head or marker.lower() in head:
            return True, True
    return False, False


def _content_types(zf, info, name: str, xml_limit: int) -> dict[str, str]:
    """Return {part name: content type} from [Content_Types].xml (checked before it is parsed)."""
    from xml.etree import ElementTree

    if info.file_size > xml_limit:
        _xml_too_big(info, xml_limit, name)
    if _probe_xml(zf, info)[1]:
        raise InputError("the part '[Content_Types].xml' declares a DOCTYPE (XML entities); Word never writes "
                         "one, so the file was crafted or damaged", path=name, hint="open it in Word and save a new copy")
    try:
        root = ElementTree.fromstring(zf.read(info))
    except ElementTree.ParseError as exc:
        raise InputError(f"the .docx package is damaged ([Content_Types].xml: {exc})", path=name,
                         hint="open it in Word and save a new copy") from None
    defaults, out = {}, {}
    for el in root:
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "Default":
            defaults[(el.get("Extension") or "").lower()] = el.get("ContentType") or ""
        elif tag == "Override":
            out[(el.get("PartName") or "").lstrip("/")] = el.get("ContentType") or ""
    for member in zf.namelist():
        base = member.rsplit("/", 1)[-1]
        if member not in out and "." in base:
            out[member] = defaults.get(base.rsplit(".", 1)[-1].lower(), "")
    return out


def check_pdf_pages(count: int, path: Path) -> None:
    """Raise InputError when a PDF of `count` pages is over the pdf_pages limit."""
    limit = get("pdf_pages")
    if count > limit:
        raise InputError(f"the PDF has {count} pages; the limit is {limit}", path=str(path),
                         hint="raise it with --limit pdf_pages=... if the file is genuine")


_SENTENCE_END = re.compile(f"[{re.escape(SENTENCE_END)}]\\s*")


def split_long_paragraphs(paragraphs) -> tuple:
    """Return `paragraphs` (reader Paragraphs) with any longer than the paragraph_chars limit cut
    at sentence ends into several, renumbered; each piece keeps its source's location and ref.

    A text without line breaks is one paragraph; spaCy refuses texts over a million characters.
    """
    from dataclasses import replace

    limit = get("paragraph_chars")
    if all(len(p.text) <= limit for p in paragraphs):
        return tuple(paragraphs)
    out = []
    for p in paragraphs:
        text = p.text
        while len(text) > limit:
            ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit)]
            cut = ends[-1] if ends and ends[-1] > limit // 2 else limit
            out.append(replace(p, index=len(out), text=text[:cut].strip()))
            text = text[cut:]
        if text.strip():
            out.append(replace(p, index=len(out), text=text.strip()))
    return tuple(out)


# ---------------------------------------------------------------- regular expressions


def token_regexes(pattern) -> list[str]:
    """Return the ``REGEX`` values inside a spaCy token pattern (a list of token dicts), at any depth."""
    found, stack = [], [pattern]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "REGEX" and isinstance(value, str):
                    found.append(value)
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def regex_hazard(pattern: str) -> str | None:
    """Return why `pattern` can take exponential or quadratic time on a long text, or None.

    Catches the classic catastrophic shapes: ``(a+)+``, ``(a*)*``, ``(\\w+\\s?)*`` and ``(a|a)*``
    under an unbounded repeat; and the quadratic one, an unanchored pattern that starts (or
    starts a look-ahead) with ``.*``, ``.+`` or ``[^x]*`` (see `_quadratic`). Patterns that do
    not compile return None (the caller reports them).
    """
    try:
        from re import _parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore[no-redef]
    from re import _constants as c

    try:
        tree = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None

    unbounded = c.MAXREPEAT

    def repeats(items) -> bool:
        """Return True when `items` contain an unbounded repeat of something that can match text."""
        for op, av in items:
            if op in (c.MAX_REPEAT, c.MIN_REPEAT) and (av[1] == unbounded or av[1] - av[0] >= 2):
                return True  # a variable-length repeat: the outer repeat can split the text many ways
            if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[1] > 1 and repeats(av[2]):
                return True
            if op == c.SUBPATTERN and repeats(av[-1]):
                return True
            if op == c.BRANCH and any(repeats(b) for b in av[1]):
                return True
        return False

    def overlapping_branches(items) -> bool:
        for op, av in items:
            if op == c.SUBPATTERN:
                return overlapping_branches(av[-1])
            if op == c.BRANCH:
                firsts = [str(b[:1]) for b in av[1]]
                return len(firsts) != len(set(firsts))
            if op == c.IN and False:  # character classes overlap harmlessly
                return False
        return False

    def walk(items) -> str | None:
        for op, av in items:
            if op in (c.MAX_REPEAT, c.MIN_REPEAT):
                lo, hi, body = av
                if hi == unbounded or hi > 10:
                    if repeats(body):
                        return "a repeated group contains another unbounded repeat (nested quantifiers, e.g. (a+)+)"
                    if overlapping_branches(body):
                        return "a repeated group has alternatives that start alike (e.g. (a|a)*)"
                found = walk(body)
                if found:
                    return found
            elif op == c.SUBPATTERN:
                found = walk(av[-1])
                if found:
                    return found
            elif op == c.BRANCH:
                for b in av[1]:
                    found = walk(b)
                    if found:
                        return found
            elif op in (c.ASSERT, c.ASSERT_NOT):
                found = walk(av[1])
                if found:
                    return found
        return None

    return walk(tree) or _quadratic(tree, c)


_QUADRATIC = ("quadratic time (a long sentence takes minutes): {what} at the start of the pattern{where} "
              "is run again from every position of the text; anchor it (^), start the pattern with a word, "
              "or bound the gap ({{0,80}})")


def _quadratic(tree, c) -> str | None:
    """Return why `tree` (a parsed pattern) is re-scanned from every start position, or None.

    ``re.search`` tries the pattern at each position of the text in turn; when the pattern can
    start by running an unbounded repeat of a broad class (``.*``, ``.+``, ``[^x]*``, ``\\S*``) —
    directly, after zero-width or optional items, or inside a look-ahead such as
    ``(?=.*\\bclaims?\\b)`` — each try scans to the end of the text: the search takes time
    quadratic in its length. A pattern anchored at the start (``^`` without MULTILINE, ``\\A``)
    is tried once and is fine.
    """
    unbounded = c.MAXREPEAT
    negated = getattr(c, "NEGATE", None)
    broad_categories = {getattr(c, n) for n in ("CATEGORY_NOT_SPACE", "CATEGORY_NOT_WORD", "CATEGORY_NOT_DIGIT",
                                                "CATEGORY_NOT_LINEBREAK") if hasattr(c, n)}
    repeats = {c.MAX_REPEAT, c.MIN_REPEAT} | ({c.POSSESSIVE_REPEAT} if hasattr(c, "POSSESSIVE_REPEAT") else set())

    def broad(body) -> str | None:
        if len(body) != 1:
            return None
        op, av = body[0]
        if op == c.ANY:
            return "'.*'"
        if op == c.NOT_LITERAL:
            return "a negated class such as '[^x]*'"
        if op == c.IN and av and (av[0][0] == negated or any(o == c.CATEGORY and a in broad_categories for o, a in av)):
            return "a negated class such as '[^x]*' or '\\S*'"
        return None

    def leading(items, where: str) -> tuple[str | None, bool]:
        """Return (reason, whether the items may leave the next one at almost any position)."""
        for op, av in items:
            if op == c.AT:
                continue
            if op in (c.ASSERT, c.ASSERT_NOT):
                direction, sub = av
                if direction == 1:
                    found, _ = leading(sub, " (in a look-ahead)")
                    if found:
                        return found, False
                continue
            if op in repeats:
                lo, hi, body = av
                what = broad(body)
                if what and hi == unbounded:
                    return _QUADRATIC.format(what=what, where=where), False
                found, _ = leading(body, where)
                if found:
                    return found, False
                if lo == 0 or hi == unbounded:  # optional, or a run that can start almost anywhere
                    continue
                return None, False
            if op == c.SUBPATTERN:
                found, through = leading(av[-1], where)
                if found or not through:
                    return found, False
                continue
            if op == c.BRANCH:
                through = False
                for alternative in av[1]:
                    found, passes = leading(alternative, where)
                    if found:
                        return found, False
                    through = through or passes
                if through:
                    continue
                return None, False
            return None, False
        return None, True

    first = tree[0] if len(tree) else None
    multiline = bool(getattr(getattr(tree, "state", None), "flags", 0) & re.MULTILINE)
    if first is not None and first[0] == c.AT and (first[1] == c.AT_BEGINNING_STRING
                                                   or (first[1] == c.AT_BEGINNING and not multiline)):
        return None
    return leading(tree, "")[0]
