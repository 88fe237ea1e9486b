"""The clause model between templates and writers: document → parts → clauses → paragraphs and tables.

Templates render a small line markup that `parse_blocks` turns into the model:

    - text            numbered paragraph, level 1 (1.1); every two more spaces of indent: one
      - text          level deeper (level 2: (a), level 3: (i))
    more text         a line without a marker continues the paragraph above it
                      (a blank line ends a paragraph)
    text              after a blank line: an unnumbered body paragraph (level 0)
    | a | b |         table rows; the first row of a run of rows is the header

Writers read only this model; none of them re-runs a template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from clausegen.numbers import letters, roman
from clausegen.characters import CJK_TEXT, HAN
from clausegen.render.filters import has_cjk


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of a clause: `level` 0 is unnumbered body text, 1-3 are list levels."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Table:
    """A table (e.g. the service-credit tiers): a header row and body rows of plain text cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Clause:
    """One provision as drafted: its id, heading and blocks (paragraphs and tables, in order)."""

    id: str
    heading: str
    blocks: tuple

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Paragraph))

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Table))


@dataclass(frozen=True)
class Part:
    """The whole document in one language: title, preamble blocks and clauses."""

    lang: str
    title: str
    preamble: tuple
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Document:
    """A rendered document: one part (zh or en) or two (bilingual: zh then en, clause by clause).

    `meta` holds what makes the output traceable and reproducible: library id, family version,
    template versions, spec sha256 and the document date.
    """

    lang: str
    parts: tuple[Part, ...]
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def title(self) -> str:
        return " / ".join(p.title for p in self.parts)

    def clause_pairs(self) -> list[tuple[Clause, ...]]:
        """Return the clauses grouped by position across parts (one tuple per clause id)."""
        return list(zip(*(p.clauses for p in self.parts)))


def number_labels(blocks, clause_no: int, lang: str, bilingual: bool = False) -> list[str]:
    """Return the typed number of each block ("1.2", "(a)", "(i)", "" for body text and tables).

    Chinese paragraphs are numbered "1." inside 第一条, but "1.2" like the English beside them
    when `bilingual`, so that both columns cite a paragraph by the same number. Used by the
    text, Markdown and HTML writers; the Word writer uses real list numbering.
    """
    counters = [0, 0, 0, 0]
    labels = []
    for block in blocks:
        if not isinstance(block, Paragraph) or block.level == 0:
            labels.append("")
            continue
        lvl = block.level
        counters[lvl] += 1
        for deeper in range(lvl + 1, 4):
            counters[deeper] = 0
        if lvl == 1:
            labels.append(f"{counters[1]}." if lang == "zh" and not bilingual else f"{clause_no}.{counters[1]}")
        elif lvl == 2:
            labels.append(f"（{counters[2]}）" if lang == "zh" else f"({letters(counters[2])})")
        else:
            labels.append(f"{letters(counters[3])}." if lang == "zh" else f"({roman(counters[3])})")
    return labels


def heading_label(clause_no: int, lang: str) -> str:
    """Return the typed heading number: zh "第一条", en "1."."""
    if lang == "zh":
        from clausegen.render.filters import zh_number

        return f"第{zh_number(clause_no)}条"
    return f"{clause_no}."


_MARKER = re.compile(r"^( *)- (.*)$")
_SPACE_RUN = re.compile(r"[ \t]+")
_CJK_SPACE = re.compile(f"(?<=[{CJK_TEXT}]) +| +(?=[{CJK_TEXT}])")


_STRAIGHT_QUOTES = re.compile(r'"([^"\n]*)"')
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)|(?<=s)'(?=\s)")


def tidy(text: str, lang: str) -> str:
    """Return `text` with runs of spaces collapsed, no space before punctuation, none around CJK,
    and typographic quotes (“Interruption”, Provider’s) as in a printed contract."""
    text = _SPACE_RUN.sub(" ", text).strip()
    text = _STRAIGHT_QUOTES.sub("\u201c\\1\u201d", text)
    text = _APOSTROPHE.sub("\u2019", text)
    text = re.sub(r" +([,.;:)\]])", r"\1", text)
    text = re.sub(r"([(\[]) +", r"\1", text)
    if lang == "zh" or has_cjk(text):
        text = _CJK_SPACE.sub("", text)
        text = _FULL_WIDTH_BEFORE.sub(lambda m: _FULL_WIDTH[m.group(1)], text)
        text = _FULL_WIDTH_AFTER.sub(lambda m: _FULL_WIDTH[m.group(1)], text)
    return text


# ASCII punctuation touching a Chinese character becomes full-width (，。；：（）), as in print.
_HAN = HAN
_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）"}
_FULL_WIDTH_BEFORE = re.compile(f"(?<=[{_HAN}])([,;:()])")
_FULL_WIDTH_AFTER = re.compile(f"([,;:()])(?=[{_HAN}])")


def parse_blocks(markup: str, lang: str) -> tuple:
    """Return the blocks (Paragraph, Table) described by template output `markup` (see module doc)."""
    blocks: list = []
    table_rows: list[tuple[str, ...]] = []
    current: list | None = None  # [level, text] of the paragraph being built

    def flush_paragraph():
        nonlocal current
        if current is not None:
            text = tidy(current[1], lang)
            if text:
                blocks.append(Paragraph(text=text, level=current[0]))
            current = None

    def flush_table():
        if table_rows:
            header, *rows = table_rows
            blocks.append(Table(header=header, rows=tuple(rows)))
            table_rows.clear()

    joiner = "" if lang == "zh" else " "
    for raw in markup.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush_paragraph()
            flush_table()
            continue
        stripped = line.strip()
        if stripped.startswith("|"):
            flush_paragraph()
            cells = tuple(tidy(c, lang) for c in stripped.strip("|").split("|"))
            if all(set(c) <= set("-: ") for c in cells):
                continue  # a Markdown separator row
            table_rows.append(cells)
            continue
        flush_table()
        m = _MARKER.match(line)
        if m:
            flush_paragraph()
            level = min(len(m.group(1)) // 2 + 1, 3)
            current = [level, m.group(2)]
        elif current is not None:
            current[1] += joiner + stripped
        else:
            flush_paragraph()
            current = [0, stripped]
    flush_paragraph()
    flush_table()
    return tuple(blocks)
