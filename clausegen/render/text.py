"""Plain-text writer: numbered clauses with typed numbers, tables as aligned columns."""

from __future__ import annotations

import unicodedata

from clausegen.render.model import Clause, Document, Paragraph, Table, closing_labels, heading_label, number_labels


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table_text(table: Table, indent: str = "    ") -> list[str]:
    """Return `table` as lines of columns padded to the widest cell (CJK counted double)."""
    rows = [table.header, *table.rows]
    widths = [max(_width(r[i]) if i < len(r) else 0 for r in rows) for i in range(len(table.header))]

    def line(row):
        cells = [(row[i] if i < len(row) else "") for i in range(len(widths))]
        return indent + "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()

    out = [line(table.header), indent + "  ".join("-" * w for w in widths)]
    out += [line(r) for r in table.rows]
    return out


def blocks_text(blocks, number: int, lang: str, bilingual: bool = False, labels=None) -> list[str]:
    """Return the lines of `blocks` with typed numbers (1.1, (a), (i)), indented by level."""
    lines = []
    for block, label in zip(blocks, labels or number_labels(blocks, number, lang, bilingual)):
        if isinstance(block, Table):
            lines += table_text(block)
        elif isinstance(block, Paragraph):
            indent = "    " * max(block.level - 1, 0)
            lines.append(f"{indent}{label} {block.text}" if label else block.text)
    return lines


def clause_text(clause: Clause, number: int, lang: str, bilingual: bool = False) -> str:
    """Return one clause as plain text: the numbered heading, then its paragraphs."""
    sep = " " if lang == "en" else "\u3000"
    lines = [f"{heading_label(number, lang)}{sep}{clause.heading}"]
    lines += blocks_text(clause.blocks, number, lang, bilingual)
    return "\n".join(lines) + "\n"


def write_text(document: Document) -> bytes:
    """Return `document` as UTF-8 plain text (bilingual: each clause in Chinese, then in English)."""
    out: list[str] = []
    for part in document.parts:
        out += [part.title, ""]
        out += [line for line in blocks_text(part.preamble, 0, part.lang)]
        if part.preamble:
            out.append("")
        if len(document.parts) == 1:
            for n, clause in enumerate(part.clauses, document.start):
                out += [clause_text(clause, n, part.lang)]
    if len(document.parts) > 1:
        for n, pair in enumerate(document.clause_pairs(), document.start):
            for part, clause in zip(document.parts, pair):
                out += [clause_text(clause, n, part.lang, bilingual=True)]
    for part in document.parts:
        for section in part.closing:
            out += [section.heading] + blocks_text(section.blocks, 0, part.lang, labels=closing_labels(section.blocks))
            out.append("")
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")
