"""The clause model between templates and writers: document → parts → clauses → paragraphs and tables.

Templates render a small line markup that `parse_blocks` turns into the model:

    - text            numbered paragraph, level 1 (1.1); every two more spaces of indent: one
      - text          level deeper (level 2: (a), level 3: (i))
    more text         a line without a marker continues the paragraph above it
                      (a blank line ends a paragraph)
    text              after a blank line: an unnumbered body paragraph (level 0)
    | a | b |         table rows; the first row of a run of rows is the header
    - [#name] text    a paragraph other paragraphs can refer to as `name` (a Word bookmark)
    ⟦ref:name⟧        a cross-reference to paragraph `name` ("clause 5.3", "第五条"); the Word
                      writer makes it a REF field that Word numbers, the others print the number

Writers read only this model; none of them re-runs a template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from clausegen.numbers import letters, roman
from clausegen.characters import CJK_TEXT, HAN
from clausegen.render.filters import has_cjk


@dataclass(frozen=True)
class Ref:
    """A cross-reference inside a paragraph: the `anchor` it points to and the number it resolves to
    (`label`: "5.3", "第五条"), which is what every writer but Word prints."""

    anchor: str
    label: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of a clause: `level` 0 is unnumbered body text, 1-3 are list levels.

    `anchor` names the paragraph for cross-references; `segments` is the text split into plain
    strings and `Ref`s when it holds cross-references (`text` is then the resolved text).
    """

    text: str
    level: int = 1
    anchor: str | None = None
    segments: tuple = ()


@dataclass(frozen=True)
class Table:
    """A table (e.g. the service-credit tiers): a header row and body rows of plain text cells.

    `kind` "signature" is an execution block: one column per party, no borders or shading.
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    kind: str = "data"


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
    """The whole document in one language: title, preamble blocks and clauses.

    `closing` holds unnumbered sections after the clauses (Clause values: execution blocks,
    the open points of a draft).
    """

    lang: str
    title: str
    preamble: tuple
    clauses: tuple[Clause, ...]
    closing: tuple = ()


@dataclass(frozen=True)
class Document:
    """A rendered document: one part (zh or en) or two (bilingual: zh then en, clause by clause).

    `meta` holds what makes the output traceable and reproducible: library id, family version,
    template versions, spec sha256 and the document date.
    """

    lang: str
    parts: tuple[Part, ...]
    meta: dict = field(default_factory=dict, compare=False)
    start: int = 1  # the number of the first clause (12 continues a host contract's clause 11)

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


def closing_labels(blocks) -> list[str]:
    """Return the typed numbers of the blocks of a closing section: "1.", "2." for listed points."""
    labels, count = [], 0
    for block in blocks:
        if isinstance(block, Paragraph) and block.level:
            count += 1
            labels.append(f"{count}.")
        else:
            labels.append("")
    return labels


def heading_label(clause_no: int, lang: str) -> str:
    """Return the typed heading number: zh "第一条", en "1."."""
    if lang == "zh":
        from clausegen.render.filters import zh_number

        return f"第{zh_number(clause_no)}条"
    return f"{clause_no}."


_MARKER = re.compile(r"^( *)- (.*)$")
_ANCHOR = re.compile(r"\[#([a-z0-9-]+)\] *")
REF = re.compile("\u27e6ref:([a-z0-9-]+)\u27e7")
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
                blocks.append(Paragraph(text=text, level=current[0], anchor=current[2]))
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
            anchor = _ANCHOR.match(m.group(2))
            current = [level, m.group(2)[anchor.end():] if anchor else m.group(2), anchor.group(1) if anchor else None]
        elif current is not None:
            current[1] += joiner + stripped
        else:
            flush_paragraph()
            current = [0, stripped, None]
    flush_paragraph()
    flush_table()
    return tuple(blocks)


def cite_words(lang: str, bilingual: bool, prefix: str | None) -> tuple[str, str]:
    """Return the words (before, after) the number in a cross-reference: en "clause " / "",
    zh "第…条" around a bilingual paragraph number; `prefix` ("Schedule 2, paragraph", "附件二")
    replaces the English word or goes before the Chinese."""
    if lang == "zh":
        return ((prefix or "") + ("第" if bilingual else ""), "条" if bilingual else "")
    return (f"{prefix or 'clause'} ", "")


def _targets(part: Part, start: int, bilingual: bool) -> dict[str, tuple[str, str]]:
    """Return anchor -> (target, number) for every anchored paragraph of `part`.

    The target is the paragraph's own anchor, or "@" + the clause id where the citation names the
    article (Chinese clauses are cited 第五条; their paragraphs are numbered 1., 2. inside it).
    """
    found = {}
    for n, clause in enumerate(part.clauses, start):
        level1 = ""
        for block, label in zip(clause.blocks, number_labels(clause.blocks, n, part.lang, bilingual)):
            if not isinstance(block, Paragraph):
                continue
            if block.level == 1:
                level1 = label
            if block.anchor:
                if part.lang == "zh" and not bilingual:
                    found[block.anchor] = ("@" + clause.id, heading_label(n, "zh"))
                elif block.level == 1:
                    found[block.anchor] = (block.anchor, label)
                else:  # cited by the numbered paragraph it sits in
                    found[block.anchor] = (block.anchor, level1 or str(n))
    # A firm's own template written before anchors existed (a deadlines.j2 without [#claim-period])
    # still gets its references: they cite the clause the anchor belongs in, by its heading.
    for anchor, home in ANCHOR_HOMES.items():
        for n, clause in enumerate(part.clauses, start):
            if anchor not in found and clause.id == home:
                found[anchor] = ("@" + clause.id, heading_label(n, "zh") if part.lang == "zh" and not bilingual
                                 else str(n))
    return found


#: The clause each anchor of the built-in library stands in (see `_targets`).
ANCHOR_HOMES = {"interruption": "definition", "exclusions": "definition", "scheduled-maintenance": "definition",
                "emergency-maintenance": "definition", "availability": "definition", "service-credit": "standards",
                "response-time": "standards", "latency": "standards", "annual-cap": "standards",
                "claim-period": "deadlines", "payout": "deadlines", "negotiation": "disputes"}


def headings_by_anchor(document: Document) -> dict[str, dict[str, str]]:
    """Return lang -> anchor -> the heading of the clause the anchored paragraph is in."""
    out = {}
    for part in document.parts:
        found = {b.anchor: c.heading for c in part.clauses for b in c.blocks if isinstance(b, Paragraph) and b.anchor}
        by_id = {c.id: c.heading for c in part.clauses}
        for anchor, home in ANCHOR_HOMES.items():  # a firm's template without the anchor (see `_targets`)
            if anchor not in found and home in by_id:
                found[anchor] = by_id[home]
        out[part.lang] = found
    return out


def resolve_references(document: Document, prefix: dict | None = None, headings: dict | None = None) -> Document:
    """Return `document` with every cross-reference token resolved to the number of its target.

    `prefix` maps a language to the words before a citation (`cite_words`). With `headings`
    (`headings_by_anchor` of the whole document), references are worded by the heading of the
    clause instead (the clause headed “Compensation Deadlines”, “赔偿期限”一条): a single clause
    drafted on its own, to be suggested for another contract, has no numbers to cite. Raises
    ValueError naming a token whose anchor no paragraph carries (a template error).
    """
    import dataclasses

    bilingual = len(document.parts) > 1
    parts = []
    for part in document.parts:
        targets = _targets(part, document.start, bilingual)
        before, after = cite_words(part.lang, bilingual, (prefix or {}).get(part.lang))
        if headings is not None:
            named = headings.get(part.lang, {})
            word = (lambda h: f"“{h}”一条") if part.lang == "zh" else (lambda h: f"the clause headed “{h}”")
            targets = {a: (None, word(h)) for a, h in named.items()}
            before = after = ""

        def resolve(block):
            if not isinstance(block, Paragraph) or "\u27e6" not in block.text:
                return block
            segments: list = []
            pos = 0
            for m in REF.finditer(block.text):
                if m.group(1) not in targets:
                    raise ValueError(f"cross-reference to {m.group(1)!r}, which no paragraph is anchored as")
                target, label = targets[m.group(1)]
                cite = Ref(target, label) if target else label
                segments += [block.text[pos:m.start()] + before, cite, after]
                pos = m.end()
            segments.append(block.text[pos:])
            segments = [s for s in segments if s != ""]
            text = "".join(s.label if isinstance(s, Ref) else s for s in segments)
            return dataclasses.replace(block, text=text, segments=tuple(segments))

        clauses = tuple(dataclasses.replace(c, blocks=tuple(resolve(b) for b in c.blocks)) for c in part.clauses)
        closing = tuple(dataclasses.replace(c, blocks=tuple(resolve(b) for b in c.blocks)) for c in part.closing)
        preamble = tuple(resolve(b) for b in part.preamble)
        parts.append(dataclasses.replace(part, clauses=clauses, closing=closing, preamble=preamble))
    return dataclasses.replace(document, parts=tuple(parts))
