"""Read contracts (.docx, .pdf, .txt, .md) into numbered paragraphs with locations and a language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from clausegen import limits
from clausegen.characters import HAN_CHAR, SENTENCE_END
from clausegen.errors import InputError
from clausegen.numbers import list_number

SUFFIXES = (".docx", ".pdf", ".txt", ".md", ".markdown", ".text")
CJK = HAN_CHAR  # Han ideographs

_LATIN = re.compile(r"[A-Za-z]")
_TERMINAL = tuple(SENTENCE_END + "：:|")  # a line ending so is not joined to the next
_LIST_START = re.compile(
    r"^\s*(?:[-*•·]|\(?\d{1,3}[.)、．]|\(?[a-zA-Z][.)]|[（(][一二三四五六七八九十\d]+[）)]|"
    r"[一二三四五六七八九十]+、|第[一二三四五六七八九十百\d]+[条章节款]|#)"
)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a contract: its 0-based index, text, where it is, and heading hints.

    `location` is human-readable ("line 12", "table 2 row 3", "page 1"); `heading_level` is set
    when the source marks the paragraph as a heading (Word heading style, markdown #).
    `ref` is a format-specific address (for .docx: ("p", n) = n-th w:p of the body, or
    ("tbl", t, row) = row of the t-th body table) that the docx annotator can follow.
    `spans` say where the text came from, stretch by stretch: (start, end, unit, offset) means
    text[start:end] is the characters from `offset` of `unit`, for .txt/.md a line number (the
    offset a 0-based column), for .docx (the Word paragraph's path, see `word_paragraph`, and
    the index of a run in it, see `paragraph_runs`) (the offset counted in that run's text).
    """

    index: int
    text: str
    location: str
    heading_level: int | None = None
    ref: tuple = ()
    spans: tuple = ()


@dataclass(frozen=True)
class Contract:
    """A contract as the checker sees it: paragraphs in reading order, a language, facts."""

    path: str
    paragraphs: tuple[Paragraph, ...]
    language: str
    meta: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


def detect_language(text: str) -> str:
    """Return "zh" when CJK characters make up a real share of the letters in `text`, else "en".

    Chinese text is dense (one character per word), so a 20% share of CJK among CJK + Latin
    letters already means the operative text is Chinese (English names and terms are common).
    """
    sample = text[:200_000]
    cjk = len(CJK.findall(sample))
    latin = len(_LATIN.findall(sample))
    if cjk == 0:
        return "en"
    return "zh" if cjk / (cjk + latin / 4) >= 0.2 else "en"


def _clean(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u3000", " ").replace("\t", " ")
    return re.sub(r"[ ]{2,}", " ", text).strip()


# ---------------------------------------------------------------- where each character came from
#
# A reader's paragraph text is built from the file's own text (lines of a .txt, runs of a .docx)
# by cleaning, joining and stripping marks. `spans` record where each stretch of the result
# came from, so a report can name the place in the file without reading it again: a span
# (start, end, unit, offset) says that text[start:end] is the characters offset.. of `unit`
# (a line number of a text file; (paragraph path, run index) of a Word file). Characters the
# reader added (a list number, the " | " between cells) belong to no span.

_SPACE_LIKE = str.maketrans({"\u00a0": " ", "\u3000": " ", "\t": " "})
_SPACES_RUN = re.compile(r"[ ]{2,}")


def _keep(text: str, spans: tuple, ranges) -> tuple[str, tuple]:
    """Return `text` reduced to its character `ranges` (sorted, disjoint (start, end) pairs) and
    `spans` carried over to the reduced text."""
    ranges = [(a, b) for a, b in ranges if b > a]
    out: list = []
    pos = j = 0
    for a, b in ranges:
        while j < len(spans) and spans[j][1] <= a:
            j += 1
        k = j
        while k < len(spans) and spans[k][0] < b:
            s, e, unit, off = spans[k]
            lo, hi = max(s, a), min(e, b)
            if lo < hi:
                start, end, offset = pos + lo - a, pos + hi - a, off + lo - s
                last = out[-1] if out else None
                if last and last[1] == start and last[2] == unit and last[3] + (last[1] - last[0]) == offset:
                    out[-1] = (last[0], end, unit, last[3])
                else:
                    out.append((start, end, unit, offset))
            k += 1
        pos += b - a
    return "".join(text[a:b] for a, b in ranges), tuple(out)


def _join(parts, sep: str = "") -> tuple[str, tuple]:
    """Return the (text, spans) pairs of `parts` joined by `sep` (which belongs to no span)."""
    texts, spans, pos = [], [], 0
    for n, (text, own) in enumerate(parts):
        if n and sep:
            texts.append(sep)
            pos += len(sep)
        texts.append(text)
        spans.extend((s + pos, e + pos, unit, off) for s, e, unit, off in own)
        pos += len(text)
    return _keep("".join(texts), tuple(spans), [(0, pos)])  # merges spans that now touch


def _strip_ranges(text: str, a: int = 0, b: int | None = None) -> list[tuple[int, int]]:
    """Return [(start, end)] of `text[a:b]` without its leading and trailing white space."""
    b = len(text) if b is None else b
    piece = text[a:b]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    return [(a + lead, b - trail)] if b - trail > a + lead else []


def _traced_clean(text: str, spans: tuple = ()) -> tuple[str, tuple]:
    """Return `_clean(text)` with `spans` carried over (white space collapsed and stripped)."""
    text = text.translate(_SPACE_LIKE)
    (a, b), = _strip_ranges(text) or [(0, 0)]
    ranges, pos = [], a
    for m in _SPACES_RUN.finditer(text, pos):
        if m.start() >= b:
            break
        ranges.append((pos, m.start() + 1))
        pos = m.end()
    ranges.append((pos, b))
    return _keep(text, spans, ranges)


def _traced_sub(pattern: re.Pattern, group: int | None, text: str, spans: tuple) -> tuple[str, tuple]:
    """Return `text` with each match of `pattern` replaced by its `group` (None: removed), and
    `spans` carried over."""
    ranges, pos = [], 0
    for m in pattern.finditer(text):
        ranges += [(pos, m.start())] + ([m.span(group)] if group is not None else [])
        pos = m.end()
    ranges.append((pos, len(text)))
    return _keep(text, spans, ranges)


def source_range(paragraph: Paragraph, start: int, end: int) -> tuple[tuple | None, tuple]:
    """Return where characters [`start`, `end`) of the reader's `paragraph` are in the file: (the
    region (start line, start column, end line, end column) of a text file, or None; for a Word
    file, per Word paragraph the range touches, (path, path in words, first run, offset in it,
    last run, end offset in it)). Characters the reader added (a list number) have no place."""
    spans = paragraph.spans
    if not spans or end <= start:
        return None, ()
    if isinstance(spans[0][2], int):
        return line_spans(spans, start, end), ()
    ranges: dict = {}
    for s, e, (path, run), off in spans:
        if s >= end or e <= start:
            continue
        lo, hi = off + max(start, s) - s, off + min(end, e) - s
        if path not in ranges:
            ranges[path] = [run, lo, run, hi]
        else:
            ranges[path][2:] = [run, hi]
    return None, tuple((path, describe_path(path), *r) for path, r in ranges.items())


def line_spans(spans: tuple, start: int, end: int) -> tuple | None:
    """Return (start line, start column, end line, end column), 1-based with the end column past
    the last character, of characters [`start`, `end`) of a text file's paragraph with `spans`;
    None when no character of that range came from the file."""
    inside = [(s, e, line, off) for s, e, line, off in spans if s < end and e > start]
    if not inside:
        return None
    s, _, line, off = inside[0]
    first = (line, off + max(start - s, 0) + 1)
    s, e, line, off = inside[-1]
    return first + (line, off + min(end, e) - s + 1)


# ---------------------------------------------------------------- plain text


_STRONG = re.compile(r"(\*\*|__)(.+?)\1")
_EMPHASIS = re.compile(r"(?<![\w*])[_*]([^_*\n]+?)[_*](?![\w*])")
_CODE_MARK = re.compile("`")
_HEADING_MARK = re.compile(r"^#{1,6}\s+(.*)$")


def _strip_markup(line: str, spans: tuple = ()) -> tuple[str, tuple]:
    """Return `line` without Markdown emphasis and code marks (**x**, _x_, `x`), which would break
    word boundaries in rules, and its `spans` carried over."""
    line, spans = _traced_sub(_STRONG, 2, line, spans)
    line, spans = _traced_sub(_EMPHASIS, 1, line, spans)
    return _traced_sub(_CODE_MARK, None, line, spans) if "`" in line else (line, spans)


def decode_text(raw: bytes, path: str = "<text>") -> str:
    """Return `raw` decoded as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030.

    Raises InputError when no encoding fits (a binary file named .txt).
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise InputError("this is a binary file, not text", path=path,
                         hint="give a .docx, .pdf, .txt or .md contract")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312, the encodings real Chinese files use.
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError("the file is neither UTF-8 nor GB18030/GBK text", path=path,
                         hint="save the file as UTF-8 and check it again") from None


_MD_BLOCK_START = re.compile(r"^\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\||```)")


def split_lines(text: str, markdown: bool = False) -> list[tuple[int, str]]:
    """Return (line number, paragraph text) pairs, re-joining lines that were hard-wrapped.

    With `markdown`, consecutive lines of one block are one paragraph (Markdown's own rule);
    plain text is joined only where the wrapping is evident.
    """
    return [(n, line) for n, line, _ in _traced_lines(text, markdown)]


def _traced_lines(text: str, markdown: bool = False) -> list[tuple[int, str, tuple]]:
    """Return (line number, paragraph text, spans) triples as `split_lines` joins them."""
    out: list[list] = []
    prev_raw = ""
    for n, raw in enumerate(text.splitlines(), start=1):
        line, spans = _traced_clean(raw, ((0, len(raw), n, 0),))
        if not line:
            prev_raw = ""
            continue
        md_soft_break = (
            markdown and out and prev_raw
            and not _MD_BLOCK_START.match(raw) and not _MD_BLOCK_START.match(prev_raw)
        )
        wrapped = md_soft_break or (
            out
            and prev_raw
            and not prev_raw.rstrip().endswith(_TERMINAL)
            and not _LIST_START.match(line)
            and (
                (len(prev_raw) >= 50 and line[:1].islower())
                or (len(prev_raw) >= 30 and CJK.match(line[:1] or " ") and CJK.search(prev_raw[-1:]))
            )
        )
        if wrapped:
            num, before, before_spans = out[-1]
            joiner = "" if CJK.search(before[-1:]) else " "
            out[-1] = [num, *_join([(before, before_spans), (line, spans)], joiner)]
        else:
            out.append([n, line, spans])
        prev_raw = raw.strip()
    return [tuple(x) for x in out]


def _text_paragraph(index: int, n: int, line: str, spans: tuple) -> Paragraph:
    """Return the reader's paragraph `index` made of `line` (source line `n`): a Markdown heading
    mark taken off (its level kept), emphasis and code marks removed (the text may end up empty)."""
    level = None
    m = _HEADING_MARK.match(line)
    if m:
        level = len(line) - len(line.lstrip("#"))
        line, spans = _keep(line, spans, _strip_ranges(line, *m.span(1)))
    line, spans = _strip_markup(line, spans)
    return Paragraph(index, line, f"line {n}", level, (), spans)


def _text_paragraphs(text: str, markdown: bool) -> list[Paragraph]:
    paragraphs = []
    for n, line, spans in _traced_lines(text, markdown=markdown):
        para = _text_paragraph(len(paragraphs), n, line, spans)
        if para.text:
            paragraphs.append(para)
    return paragraphs


# An HTML comment is Markdown no reader sees; an unterminated one hides the rest of the file.
_HTML_COMMENT = re.compile(r"<!--(.*?)(?:-->|\Z)", re.S)


def _markdown_comments(text: str) -> tuple[str, str, list[tuple[int, str]]]:
    """Return (`text` without its HTML comments, `text` with their content shown, [(line, content)]).

    Line breaks inside a comment are kept, so line numbers stay those of the file.
    """
    found: list[tuple[int, str]] = []

    def drop(m: re.Match) -> str:
        content = m.group(1)
        if content.strip():
            found.append((text.count("\n", 0, m.start()) + 1, content))
        return "\n" * content.count("\n")

    if "<!--" not in text:
        return text, text, []
    return _HTML_COMMENT.sub(drop, text), _HTML_COMMENT.sub(lambda m: m.group(1), text), found


def read_text(path: Path) -> list[Paragraph]:
    """Load a .txt or .md file into paragraphs (one per line; markdown headings marked).

    HTML comments in Markdown are not text a reader sees and are left out (see `read_text_versions`).
    """
    return read_text_versions(path)[0]


def read_text_versions(path: Path) -> tuple[list[Paragraph], dict]:
    """Return the paragraphs of the .txt or .md file at `path` and facts for the checker: for
    Markdown with HTML comments, {"hidden": [...], "shown": paragraphs with the comments shown}."""
    text = decode_text(_read_bytes(path), str(path))
    markdown = path.suffix.lower() in (".md", ".markdown")
    if not markdown:
        return _text_paragraphs(text, False), {}
    visible, shown, comments = _markdown_comments(text)
    paragraphs = _text_paragraphs(visible, True)
    if not comments:
        return paragraphs, {}
    at_line = {p.location: p.index for p in paragraphs}
    hidden = [{"location": f"line {line}", "text": _clean(" ".join(content.split())),
               "paragraph": at_line.get(f"line {line}")} for line, content in comments]
    return paragraphs, {"hidden": hidden, "shown": tuple(_text_paragraphs(shown, True))}


# ---------------------------------------------------------------- Word


_HEADING_STYLE = re.compile(r"^(?:heading|标题|titre|überschrift)\s*(\d)", re.I)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _TBL, _TR, _TC, _R = (_W + t for t in ("p", "tbl", "tr", "tc", "r"))
_T, _DEL_T = _W + "t", _W + "delText"
_BLOCKS, _ROWS, _CELLS = frozenset({_P, _TBL}), frozenset({_TR}), frozenset({_TC})
# Content controls and custom XML wrap paragraphs, tables, rows and cells without changing them.
_WRAPPERS = frozenset(_W + t for t in ("sdt", "sdtContent", "customXml"))
_INSERTED = frozenset(_W + t for t in ("ins", "moveTo"))
_DELETED = frozenset(_W + t for t in ("del", "moveFrom"))
_SPACES = {_W + "tab": " ", _W + "ptab": " ", _W + "br": " ", _W + "cr": " ", _W + "noBreakHyphen": "-"}
# Properties, field codes and the fallback copy of alternate content are not text of the paragraph
# (a w:ins inside w:pPr/w:rPr marks an inserted paragraph mark, not inserted text).
_NOT_TEXT = frozenset(_W + t for t in ("pPr", "rPr", "instrText", "delInstrText", "sdtPr", "sdtEndPr",
                                       "fldData", "tcPr", "trPr", "tblPr")) | {_MC_FALLBACK}
_NOTE_KINDS = {"footnotes": ("footnote", "footnote"), "endnotes": ("endnote", "endnote")}
MAX_LIST_LEVEL = 8  # Word lists have nine levels, 0-8


def _children(parent, wanted: frozenset):
    """Yield the children of `parent` whose tag is in `wanted`, looking through content controls
    (w:sdt) and custom XML (w:customXml) at any depth, in document order."""
    stack = [iter(parent)]
    while stack:
        for child in stack[-1]:
            if child.tag in wanted:
                yield child
            elif child.tag in _WRAPPERS:
                stack.append(iter(child))
                break
        else:
            stack.pop()


def docx_blocks(container):
    """Yield the paragraphs (w:p) and tables (w:tbl) of a Word body, cell or note in reading order,
    including those inside top-level content controls and custom XML blocks."""
    return _children(container, _BLOCKS)


def docx_table_rows(table):
    """Yield (row, cells, nesting, path) for the Word `table` and every table nested in its cells, in
    document order (a row, then the rows of the tables inside it). `cells` lists each cell's own
    paragraphs; a nested table's paragraphs belong to its own rows, so every paragraph is read once
    however deep tables nest. `nesting` is None for a row of `table` itself, else (the row of
    `table` it sits in, nesting level, its row number in its own table). `path` is the row's
    address inside `table` (see `word_paragraph`): ("tr", 0) or, nested, ("tr", 0, "tc", 1, "tbl", 0, "tr", 2)."""
    stack = [[_children(table, _ROWS), None, 0, 0, ()]]  # rows, outer row, level, rows so far, path
    while stack:
        entry = stack[-1]
        rows, outer, level, _, prefix = entry
        tr = next(rows, None)
        if tr is None:
            stack.pop()
            continue
        path = prefix + ("tr", entry[3])
        entry[3] += 1
        cells, nested = [], []
        for c, tc in enumerate(_children(tr, _CELLS)):
            paragraphs, tables = [], 0
            for block in docx_blocks(tc):
                if block.tag == _P:
                    paragraphs.append(block)
                else:
                    nested.append((block, path + ("tc", c, "tbl", tables)))
                    tables += 1
            cells.append(paragraphs)
        yield tr, cells, (outer, level, entry[3]) if level else None, path
        for inner, inner_path in reversed(nested):  # the first nested table is read first
            stack.append([_children(inner, _ROWS), outer or entry[3], level + 1, 0, inner_path])


def word_paragraph(document, path: tuple):
    """Return the Word paragraph (w:p element) at `path` in the python-docx `document`, or None.

    A path names a container, then steps (kind, 0-based index): ("body", "p", 3) is the body's
    fourth paragraph, ("body", "tbl", 0, "tr", 1, "tc", 2, "p", 0) the first paragraph of the
    third cell of the second row of the first table; ("footnotes", 0, "p", 0) the first paragraph
    of the first footnote. Paragraphs and tables are counted apart, through content controls.
    """
    path = tuple(path or ())
    if not path:
        return None
    if path[0] == "body":
        node, steps = document.element.body, path[1:]
    elif path[0] in _NOTE_KINDS and len(path) >= 2:
        tag = _NOTE_KINDS[path[0]][0]
        root = next((root for kind, root in _note_parts(document) if kind == path[0]), None)
        notes = [] if root is None else [n for n in root.iterchildren(_W + tag)
                                         if (n.get(_W + "type") or "normal") == "normal"]
        if not isinstance(path[1], int) or not 0 <= path[1] < len(notes):
            return None
        node, steps = notes[path[1]], path[2:]
    else:
        return None
    wanted = {"p": (_BLOCKS, _P), "tbl": (_BLOCKS, _TBL), "tr": (_ROWS, _TR), "tc": (_CELLS, _TC)}
    for kind, index in zip(steps[::2], steps[1::2]):
        if kind not in wanted or not isinstance(index, int) or index < 0:
            return None
        tags, tag = wanted[kind]
        node = next((el for n, el in enumerate(x for x in _children(node, tags) if x.tag == tag) if n == index),
                    None)
        if node is None:
            return None
    return node if len(steps) % 2 == 0 and node.tag == _P else None


def describe_path(path: tuple) -> str:
    """Return Word paragraph `path` (see `word_paragraph`) in words: "table 1 row 2 cell 3"."""
    words = {"p": "paragraph", "tbl": "table", "tr": "row", "tc": "cell"}
    path = tuple(path or ())
    steps = path[1:] if path[:1] == ("body",) else path[2:]
    out = [] if path[:1] == ("body",) else [f"{_NOTE_KINDS.get(path[0], (None, path[0]))[1]} {path[1] + 1}"]
    for n, (kind, index) in enumerate(zip(steps[::2], steps[1::2])):
        if kind == "p" and n and steps[n * 2 - 2] == "tc" and index == 0:
            break  # a cell's first paragraph is the cell
        out.append(f"{'nested table' if kind == 'tbl' and n else words.get(kind, kind)} {index + 1}")
    return " ".join(out) or "the document"


def _switch(props, name: str = "vanish") -> bool | None:
    """Return whether the toggle property `name` of run properties `props` is on, or None if unset."""
    if props is None:
        return None
    el = props.find(_W + name)
    if el is None:
        return None
    return (el.get(_W + "val") or "true").strip().lower() not in ("0", "false", "off")


class _WordText:
    """Reads the words of Word paragraphs: as the document stands (pending insertions left out,
    pending deletions kept), as it would read with every change accepted, and what is hidden."""

    def __init__(self, document) -> None:
        try:
            root = document.styles.element
        except (KeyError, AttributeError, ValueError):
            root = None
        self.styles: dict = {}
        default_para = None
        for st in (root.iterchildren(_W + "style") if root is not None else ()):
            sid = st.get(_W + "styleId")
            self.styles.setdefault(sid, st)
            if st.get(_W + "type") == "paragraph" and (st.get(_W + "default") or "") in ("1", "true", "on"):
                default_para = sid
        self.default_para = default_para
        defaults = root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr") if root is not None else None
        self.default_hidden = bool(_switch(defaults))
        self._hidden: dict = {}

    def style(self, sid: str | None):
        return self.styles.get(sid) if sid else None

    def style_chain(self, sid: str | None):
        """Yield style `sid` and the styles it is based on (a cycle or a missing style ends it)."""
        seen = set()
        while sid and sid not in seen and len(seen) < 20:
            seen.add(sid)
            st = self.styles.get(sid)
            if st is None:
                return
            yield st
            based = st.find(_W + "basedOn")
            sid = based.get(_W + "val") if based is not None else None

    def style_hidden(self, sid: str | None) -> bool | None:
        """Return whether style `sid` (through the styles it is based on) hides its text, or None."""
        if sid not in self._hidden:
            found = None
            for st in self.style_chain(sid):
                found = _switch(st.find(_W + "rPr"))
                if found is not None:
                    break
            self._hidden[sid] = found
        return self._hidden[sid]

    def paragraph_style(self, p) -> str | None:
        ppr = p.find(_W + "pPr")
        style = ppr.find(_W + "pStyle") if ppr is not None else None
        return style.get(_W + "val") if style is not None else self.default_para

    def run_hidden(self, r, paragraph_hidden: bool) -> bool:
        rpr = r.find(_W + "rPr")
        own = _switch(rpr)
        if own is not None:
            return own
        rstyle = rpr.find(_W + "rStyle") if rpr is not None else None
        by_style = self.style_hidden(rstyle.get(_W + "val")) if rstyle is not None else None
        return paragraph_hidden if by_style is None else by_style

    def paragraph(self, p, path: tuple = ()) -> tuple[str, str, str, str, bool, tuple]:
        """Return (as it stands, with changes accepted, with hidden text shown, hidden text, changed,
        spans of the text as it stands) of Word paragraph `p`, whose address is `path`.

        Runs are numbered as `paragraph_runs` yields them; a run's offsets count its text
        (w:t or w:delText, a tab or a break as one character).
        """
        by_style = self.style_hidden(self.paragraph_style(p))
        para_hidden = self.default_hidden if by_style is None else by_style
        standing, accepted, shown, hidden = [], [], [], []
        spans: list = []
        length = 0  # of the text as it stands so far
        runs = 0
        changed = False
        stack = [(iter(p), False, False, para_hidden, None)]
        while stack:
            items, inserted, deleted, hid, run = stack[-1]
            child = next(items, None)
            if child is None:
                stack.pop()
                continue
            tag = child.tag
            if not isinstance(tag, str) or tag in _NOT_TEXT:
                continue
            if tag == _T or tag == _DEL_T or tag in _SPACES:
                piece = _SPACES.get(tag) or child.text or ""
                at = None
                if run is not None:
                    at, run[1] = run[1], run[1] + len(piece)
                gone = deleted or tag == _DEL_T
                if not inserted:
                    shown.append(piece)
                if hid:
                    if not gone:
                        hidden.append(piece)
                    continue
                if not inserted:
                    standing.append(piece)
                    if at is not None and piece:
                        spans.append((length, length + len(piece), (path, run[0]), at))
                    length += len(piece)
                if not gone:
                    accepted.append(piece)
                changed = changed or ((inserted or gone) and bool(piece.strip()))
            elif tag == _R:
                stack.append((iter(child), inserted, deleted, self.run_hidden(child, para_hidden), [runs, 0]))
                runs += 1
            elif tag in _INSERTED:
                stack.append((iter(child), True, deleted, hid, run))
            elif tag in _DELETED:
                stack.append((iter(child), inserted, True, hid, run))
            elif len(child):
                stack.append((iter(child), inserted, deleted, hid, run))
        standing_text = "".join(standing)
        return (standing_text, "".join(accepted), "".join(shown), "".join(hidden), changed,
                _join([(standing_text, tuple(spans))])[1])


def paragraph_runs(p) -> list:
    """Return the runs (w:r) of Word paragraph `p` in the order the reader numbers them: document
    order, runs inside content controls, hyperlinks and tracked changes included, runs inside
    properties, field codes and the fallback copy of alternate content left out."""
    out, stack = [], [iter(p)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag
        if not isinstance(tag, str) or tag in _NOT_TEXT or tag in (_T, _DEL_T):
            continue
        if tag == _R:
            out.append(child)
        if len(child):
            stack.append(iter(child))
    return out


def run_text(r) -> str:
    """Return the text of Word run `r` as the reader counts it (w:t and w:delText, a tab or a break
    as one space), so offsets in a report's run range index into it."""
    out = []
    for child in r.iter():
        if child is r or not isinstance(child.tag, str):
            continue
        if child.tag in (_T, _DEL_T) and _inside_run(child, r):
            out.append(child.text or "")
        elif child.tag in _SPACES and _inside_run(child, r):
            out.append(_SPACES[child.tag])
    return "".join(out)


def _inside_run(el, r) -> bool:
    """Return whether `el` is text of run `r` itself (not of a run nested in it, not in properties)."""
    parent = el.getparent()
    while parent is not None and parent is not r:
        if parent.tag == _R or parent.tag in _NOT_TEXT:
            return False
        parent = parent.getparent()
    return parent is r


def _whole_number(value, what: str, part: str, path: str) -> int:
    """Return `value` (an attribute of the Word XML) as an int; InputError naming `part` if it is not one."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        n = None
    if n is None or abs(n) > 2**31:  # Word's numbers are 32-bit (ST_DecimalNumber)
        shown = str(value) if len(str(value)) <= 40 else str(value)[:37] + "…"
        raise InputError(f"{part}: {what} is {shown!r}, not a whole number; Word itself would report "
                         "this file as damaged", path=path,
                         hint="open it in Word and save a new copy, or ask the sender for one")
    return n


class _Numbering:
    """Rebuilds Word list numbers ("第三条", "3.2") for common formats, as Word would show them."""

    def __init__(self, document, text: _WordText, path: str) -> None:
        self.text, self.path = text, path
        self.counters: dict[str, list[int]] = {}
        self.formats = self._formats(document)

    def _formats(self, document) -> dict:
        """Return {(numId, ilvl): (numFmt, lvlText, start)} from the numbering part, if any."""
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError, ValueError):  # none, or two: no numbers
            return {}
        part = "word/numbering.xml"
        abstract = {}
        for an in numbering.iterchildren(_W + "abstractNum"):
            levels = {}
            for lvl in an.iterchildren(_W + "lvl"):
                ilvl = _whole_number(lvl.get(_W + "ilvl", "0"), "a list level (w:lvl w:ilvl)", part, self.path)
                fmt, txt, start = lvl.find(_W + "numFmt"), lvl.find(_W + "lvlText"), lvl.find(_W + "start")
                first = (_whole_number(start.get(_W + "val", "1"), "a list's first number (w:start)", part,
                                       self.path) if start is not None else 1)
                if 0 <= ilvl <= MAX_LIST_LEVEL:  # Word ignores levels it does not have
                    levels[ilvl] = (fmt.get(_W + "val") if fmt is not None else "decimal",
                                    (txt.get(_W + "val") or "") if txt is not None else "", first)
            abstract[an.get(_W + "abstractNumId")] = levels
        formats = {}
        for num in numbering.iterchildren(_W + "num"):
            ref = num.find(_W + "abstractNumId")
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(_W + "val"), {}).items():
                formats[(num.get(_W + "numId"), ilvl)] = spec
        return formats

    def _numpr(self, p):
        ppr = p.find(_W + "pPr")
        numpr = ppr.find(_W + "numPr") if ppr is not None else None
        if numpr is not None:
            return numpr
        # List styles ("List Number", house heading styles) carry numbering in the style itself.
        for st in self.text.style_chain(self.text.paragraph_style(p)):
            sppr = st.find(_W + "pPr")
            numpr = sppr.find(_W + "numPr") if sppr is not None else None
            if numpr is not None:
                return numpr
        return None

    def prefix(self, p) -> str:
        """Return the list number Word shows before paragraph `p` ("3.2 "), or ""; counts it."""
        if not self.formats:
            return ""
        numpr = self._numpr(p)
        if numpr is None:
            return ""
        num_id_el, ilvl_el = numpr.find(_W + "numId"), numpr.find(_W + "ilvl")
        if num_id_el is None:
            return ""
        num_id = num_id_el.get(_W + "val")
        ilvl = (_whole_number(ilvl_el.get(_W + "val", "0"), "a paragraph's list level (w:ilvl)",
                              "word/document.xml", self.path) if ilvl_el is not None else 0)
        spec = self.formats.get((num_id, ilvl))
        if spec is None or num_id == "0":  # also a level outside 0-8: Word shows no number
            return ""
        fmt, lvl_text, _ = spec
        stack = self.counters.setdefault(num_id, [])
        while len(stack) <= ilvl:
            stack.append(self.formats.get((num_id, len(stack)), ("decimal", "", 1))[2] - 1)
        del stack[ilvl + 1:]
        stack[ilvl] += 1
        text = lvl_text
        for lv in range(ilvl + 1):
            lv_fmt = self.formats.get((num_id, lv), ("decimal", "", 1))[0]
            text = text.replace(f"%{lv + 1}", list_number(stack[lv], lv_fmt if lv != ilvl else fmt))
        return (text + " ") if text.strip() else ""


def _style_level(text: _WordText, p) -> int | None:
    ppr = p.find(_W + "pPr")
    style = ppr.find(_W + "pStyle") if ppr is not None else None
    if style is None:
        return None
    sid = style.get(_W + "val") or ""
    name = sid
    st = text.style(sid)
    name_el = st.find(_W + "name") if st is not None else None
    if name_el is not None:
        name = name_el.get(_W + "val") or sid
    m = _HEADING_STYLE.match(name) or _HEADING_STYLE.match(sid)
    if m:
        return int(m.group(1))
    return 1 if name.lower() in ("title", "标题") else None


def _row_change(tr) -> str | None:
    """Return "ins" or "del" when the table row `tr` itself is a pending insertion or deletion."""
    trpr = tr.find(_W + "trPr")
    if trpr is None:
        return None
    if trpr.find(_W + "ins") is not None:
        return "ins"
    return "del" if trpr.find(_W + "del") is not None else None


def _note_parts(document):
    """Yield (kind, root element) for the footnotes and endnotes parts of the document, if any."""
    from docx.oxml.parser import parse_xml

    for rel in list(document.part.rels.values()):
        kind = rel.reltype.rsplit("/", 1)[-1]
        if rel.is_external or kind not in _NOTE_KINDS:
            continue
        part = rel.target_part
        element = getattr(part, "element", None)
        yield kind, element if element is not None else parse_xml(part.blob)


@dataclass
class _WordReading:
    """The paragraphs of a Word file in three versions, and where text was hidden or changed."""

    standing: list = field(default_factory=list)
    accepted: list = field(default_factory=list)
    shown: list = field(default_factory=list)
    hidden: list = field(default_factory=list)
    changes: list = field(default_factory=list)

    def add(self, standing: str, accepted: str, shown: str, hidden: str, changed: bool, location: str,
            level: int | None, ref: tuple, spans: tuple = ()) -> None:
        standing, spans = _traced_clean(standing, spans)
        accepted, shown, hidden = (_clean(x) for x in (accepted, shown, hidden))
        for texts, text, own in ((self.standing, standing, spans), (self.accepted, accepted, ()),
                                 (self.shown, shown, ())):
            if text:
                texts.append(Paragraph(len(texts), text, location, level, ref, own))
        here = len(self.standing) - 1 if standing else None
        if hidden:
            self.hidden.append({"location": location, "text": hidden, "paragraph": here})
        if changed:
            self.changes.append({"location": location, "paragraph": here})


def read_docx(path: Path) -> list[Paragraph]:
    """Load a .docx: body paragraphs, table rows and footnotes in reading order (headers ignored).

    The text is the document as it stands: hidden text and pending tracked insertions are left
    out, pending deletions kept (see `read_docx_versions` for the rest).
    """
    return read_docx_versions(path).standing


def read_docx_versions(path: Path) -> _WordReading:
    """Load a .docx as it stands, as it would read with tracked changes accepted and with hidden
    text shown, noting where text is hidden or changed.

    Reads body paragraphs and table rows (nested tables once each), content controls and custom
    XML blocks, then footnotes and endnotes. List numbering is rebuilt from the numbering part
    for common formats, so "第三条" or "3.2" produced by Word is part of the paragraph text.
    Raises InputError for a file that is not a readable .docx or has damaged numbering.
    """
    import zipfile

    import docx
    from lxml import etree

    from clausegen.wordfile import check_docx

    check_docx(path)  # renamed .doc/.pdf, encrypted, zip bombs and DOCTYPEs never reach the XML parser
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError,
            docx.opc.exceptions.PackageNotFoundError) as exc:
        raise InputError(f"not a readable Word .docx file ({exc})", path=str(path),
                         hint="open it in Word and save it as .docx (Word 2007+)") from None
    text = _WordText(document)
    numbering = _Numbering(document, text, str(path))
    out = _WordReading()

    def add_paragraph(p, location: str, ref: tuple, path: tuple, numbered: bool = True) -> None:
        number = numbering.prefix(p) if numbered else ""
        standing, accepted, shown, hidden, changed, spans = text.paragraph(p, path)
        if number and (standing.strip() or not hidden.strip()):
            standing, spans = _join([(number, ()), (standing, spans)])
            accepted, shown = number + accepted, number + shown
        out.add(standing, accepted, shown, hidden, changed, location, _style_level(text, p), ref, spans)

    def add_rows(table, label: str, ref: tuple, table_path: tuple) -> None:
        for r, (tr, cells, nesting, row_path) in enumerate(docx_table_rows(table)):
            versions: list[list[str]] = [[], [], [], []]
            traced: list = []  # the cells as they stand, with their spans
            changed = _row_change(tr)
            for c, paragraphs in enumerate(cells):
                parts = [text.paragraph(p, table_path + row_path + ("tc", c, "p", k)) for k, p in enumerate(paragraphs)]
                changed = changed or any(x[4] for x in parts)
                for k in range(4):
                    cell = _clean(" ".join(x[k] for x in parts))
                    if cell and (not versions[k] or versions[k][-1] != cell):  # merged cells repeat
                        versions[k].append(cell)
                        if k == 0:
                            traced.append(_traced_clean(*_join([(x[0], x[5]) for x in parts], " ")))
            standing, accepted, shown, hidden = (" | ".join(v) for v in versions)
            spans = _join(traced, " | ")[1]
            if changed == "ins":
                standing, shown, spans = "", "", ()
            elif changed == "del":
                accepted = ""
            where = (f"{label} row {r + 1}" if nesting is None
                     else f"{label} row {nesting[0]}, nested table{'' if nesting[1] == 1 else f' (level {nesting[1]})'} "
                          f"row {nesting[2]}")
            out.add(standing, accepted, shown, hidden, bool(changed), where, None, ref + (r,), spans)

    p_count = t_count = 0
    for block in docx_blocks(document.element.body):
        if block.tag == _P:
            add_paragraph(block, f"paragraph {p_count + 1}", ("p", p_count), ("body", "p", p_count))
            p_count += 1
        else:
            add_rows(block, f"table {t_count + 1}", ("tbl", t_count), ("body", "tbl", t_count))
            t_count += 1
    for kind, root in _note_parts(document):
        tag, label = _NOTE_KINDS[kind]
        notes = [n for n in root.iterchildren(_W + tag)
                 if (n.get(_W + "type") or "normal") == "normal"]  # not the separator lines
        for k, note in enumerate(notes, start=1):
            note_p = note_t = 0
            for block in docx_blocks(note):
                if block.tag == _P:
                    add_paragraph(block, f"{label} {k}", (kind, k), (kind, k - 1, "p", note_p), numbered=False)
                    note_p += 1
                else:
                    add_rows(block, f"{label} {k} table", (kind, k), (kind, k - 1, "tbl", note_t))
                    note_t += 1
    return out


# ---------------------------------------------------------------- PDF


def read_pdf(path: Path) -> list[Paragraph]:
    """Load the text layer of a PDF into paragraphs; raise InputError if it has none (scanned).

    The work is bounded: a page's content stream may hold at most the pdf_page_operations limit
    of operations, reading all pages may take at most pdf_seconds, and pages that share one
    content stream (and resources) are read once. A PDF encrypted with an empty open password
    (a "permissions only" PDF) is read; one that needs a password is refused with InputError.
    """
    import logging
    import time

    import pypdf
    from pypdf.errors import DependencyError, LimitReachedError, PdfReadError

    from clausegen import limits

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    operations, seconds = limits.get("pdf_page_operations"), limits.get("pdf_seconds")
    name = str(path)
    pages: list[str] = []
    try:
        with pypdf.apply_configuration(stream_parsing_work_maximum_count=operations):
            reader = pypdf.PdfReader(name)
            if reader.is_encrypted:
                _decrypt_pdf(reader, name)
            count = len(reader.pages)
            check_pdf_pages(count, path)
            deadline = time.monotonic() + seconds
            done: dict = {}  # pages sharing content and resources are read once
            for number, page in enumerate(reader.pages, start=1):
                if time.monotonic() > deadline:
                    raise InputError(f"reading the PDF's text took longer than {seconds:g} s (stopped at page "
                                     f"{number} of {count}); the file may be crafted to be slow", path=name,
                                     hint="raise it with --limit pdf_seconds=... if the file is genuine")
                key = _pdf_page_key(page)
                if key is None or key not in done:
                    try:
                        text = page.extract_text() or ""
                    except LimitReachedError:
                        raise InputError(f"page {number} of the PDF has more than {operations} drawing "
                                         "operations; the file may be crafted to be slow", path=name,
                                         hint="raise it with --limit pdf_page_operations=... if the file is "
                                              "genuine") from None
                    if key is None:
                        pages.append(text)
                        continue
                    done[key] = text
                pages.append(done[key])
    except (PdfReadError, pypdf.errors.PyPdfError, DependencyError, ValueError, KeyError, TypeError,
            AttributeError, RecursionError, OverflowError, ZeroDivisionError) as exc:
        raise InputError(f"not a readable PDF ({exc})", path=name,
                         hint="open it in a PDF reader and save or print a new copy") from None
    paragraphs: list[Paragraph] = []
    for number, page_text in enumerate(pages, start=1):
        for _, line in _pdf_paragraphs(page_text):
            paragraphs.append(Paragraph(len(paragraphs), line, f"page {number}"))
    if sum(len(p.text) for p in paragraphs) < 20:
        raise InputError("the PDF has no text layer (a scanned image?); OCR is needed", path=name,
                         hint="run OCR on it (e.g. ocrmypdf) or check the original Word file")
    return paragraphs


def _decrypt_pdf(reader, name: str) -> None:
    """Open an encrypted PDF with the empty password (permissions-only PDFs, which every PDF reader
    opens without asking); raise InputError when it needs a real password or cannot be decrypted."""
    from pypdf import PasswordType
    from pypdf.errors import DependencyError

    try:
        result = reader.decrypt("")
    except DependencyError:
        raise InputError("the PDF is encrypted with AES, and reading it needs the Python package "
                         "'cryptography'", path=name, hint="pip install cryptography (or install clausegen "
                                                           "again: it depends on it)") from None
    except Exception as exc:  # noqa: BLE001 - pypdf raises several types for broken encryption data
        raise InputError(f"the PDF's encryption is damaged or not supported ({exc})", path=name,
                         hint="open it in a PDF reader and save or print an unencrypted copy") from None
    if result == PasswordType.NOT_DECRYPTED:
        raise InputError("the PDF is encrypted and needs a password to open", path=name,
                         hint="supply an unencrypted copy: open it with the password, then save or print "
                              "it as a new PDF without one")


def _pdf_page_key(page) -> tuple | None:
    """Return what makes the text of `page`: its content streams (by object number), resources and
    rotation; None when that cannot be told cheaply (then the page is read on its own)."""
    from pypdf.generic import ArrayObject, IndirectObject

    try:
        contents = page.raw_get("/Contents")
    except KeyError:
        return None
    if isinstance(contents, IndirectObject):
        streams = ((contents.idnum, contents.generation),)
    elif isinstance(contents, ArrayObject) and all(isinstance(c, IndirectObject) for c in contents):
        streams = tuple((c.idnum, c.generation) for c in contents)
    else:
        return None
    resources = page.get("/Resources")
    shown = repr(resources.indirect_reference if getattr(resources, "indirect_reference", None) else resources)
    if len(shown) > 20_000:
        return None
    return streams, shown, repr(page.get("/Rotate"))


def _pdf_paragraphs(page_text: str) -> list[tuple[int, str]]:
    # PDF lines are wrapped at the page width: join a line to the previous one unless the
    # previous one ended a sentence or the new one starts a numbered item. A line starting in
    # lower case continues the one before even after a full stop: that stop closed an
    # abbreviation ("U.S.A.", "e.g."), since no sentence or paragraph starts in lower case.
    out: list[tuple[int, str]] = []
    for n, raw in enumerate(page_text.splitlines(), start=1):
        line = _clean(raw)
        if not line:
            continue
        if out and (not out[-1][1].endswith(_TERMINAL) or line[:1].islower()) and not _LIST_START.match(line) \
                and len(out[-1][1]) >= 25:
            num, before = out[-1]
            joiner = "" if (CJK.search(before[-1:]) and CJK.match(line[:1])) else " "
            if before.endswith("-") and line[:1].islower():
                before, joiner = before[:-1], ""
            out[-1] = (num, before + joiner + line)
        else:
            out.append((n, line))
    return out


# ---------------------------------------------------------------- dispatch

READERS = {
    ".docx": read_docx,
    ".pdf": read_pdf,
    ".txt": read_text,
    ".text": read_text,
    ".md": read_text,
    ".markdown": read_text,
}


def check_pdf_pages(count: int, path: Path) -> None:
    """Raise InputError when a PDF of `count` pages is over the pdf_pages limit."""
    limit = limits.get("pdf_pages")
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

    limit = limits.get("paragraph_chars")
    if all(len(p.text) <= limit for p in paragraphs):
        return tuple(paragraphs)
    out = []
    for p in paragraphs:
        text, spans = p.text, p.spans
        while len(text) > limit:
            ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit)]
            cut = ends[-1] if ends and ends[-1] > limit // 2 else limit
            piece, piece_spans = _keep(text, spans, _strip_ranges(text, 0, cut))
            out.append(replace(p, index=len(out), text=piece, spans=piece_spans))
            text, spans = _keep(text, spans, [(cut, len(text))])
        if text.strip():
            text, spans = _keep(text, spans, _strip_ranges(text))
            out.append(replace(p, index=len(out), text=text, spans=spans))
    return tuple(out)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=str(path)) from None


def read_contract(path: str | Path, lang: str = "auto") -> Contract:
    """Load the contract at `path` into paragraphs and detect its language (`lang` overrides).

    Raises InputError when the file is missing, a folder, of an unsupported type or unreadable.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", path=str(path))
    if path.is_dir():
        raise InputError("this is a folder, not a contract file", path=str(path),
                         hint="pass the files inside it, e.g. DIR/*.docx")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(f"unsupported file type {path.suffix or '(none)'!r}", path=str(path),
                         hint="clausegen checks .docx, .pdf, .txt and .md files (convert .doc to .docx)")
    from clausegen.limits import check_input_size

    check_input_size(path)
    paragraphs, facts = _read_versions(path, reader)
    paragraphs = split_long_paragraphs(paragraphs)
    text = "\n".join(p.text for p in paragraphs)
    language = detect_language(text) if lang in (None, "auto") else lang
    meta = {"format": path.suffix.lower().lstrip("."), "characters": len(text)}
    for key, value in facts.items():  # other versions of the text are split the same way
        meta[key] = split_long_paragraphs(value) if key in ("shown", "accepted") else value
    return Contract(str(path), paragraphs, language, meta)


def _read_versions(path: Path, reader) -> tuple[list[Paragraph], dict]:
    """Return the paragraphs `reader` finds in `path` and what the checker should know besides:
    "hidden" (where text is hidden from the reader, with "shown": the paragraphs with it shown) and
    "changes" (pending tracked changes, with "accepted": the paragraphs with them accepted)."""
    if reader is read_docx:
        reading = read_docx_versions(path)
        facts: dict = {}
        if reading.hidden:
            facts.update(hidden=reading.hidden, shown=tuple(reading.shown))
        if reading.changes:
            facts.update(changes=reading.changes, accepted=tuple(reading.accepted))
        return reading.standing, facts
    if reader is read_text:
        return read_text_versions(path)
    return reader(path), {}


def contract_from_text(text: str, lang: str = "auto", name: str = "<text>") -> Contract:
    """Return a Contract built from plain `text` (one paragraph per line)."""
    paragraphs = []
    for n, line, spans in _traced_lines(text):
        paragraphs.append(_text_paragraph(len(paragraphs), n, line, spans))
    paragraphs = split_long_paragraphs(paragraphs)
    joined = "\n".join(p.text for p in paragraphs)
    language = detect_language(joined) if lang in (None, "auto") else lang
    return Contract(name, tuple(paragraphs), language, {"format": "text", "characters": len(joined)})
