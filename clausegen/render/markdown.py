"""Markdown writer: headings, numbered paragraphs (typed numbers), pipe tables."""

from __future__ import annotations

from clausegen.render.model import Document, Paragraph, Table, closing_labels, heading_label, number_labels


def _text(text: str) -> str:
    # Raw HTML in Markdown would be rendered (or run) by a viewer; spec text is plain text.
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    return _text(text).replace("|", "\\|")


def _blocks(blocks, number: int, lang: str, bilingual: bool = False, labels=None) -> list[str]:
    out: list[str] = []
    for block, label in zip(blocks, labels or number_labels(blocks, number, lang, bilingual)):
        if isinstance(block, Table):
            out += ["", "| " + " | ".join(_cell(c) for c in block.header) + " |",
                    "|" + "|".join("---" for _ in block.header) + "|"]
            out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
            out.append("")
        elif isinstance(block, Paragraph):
            # No indentation for sub-items: four spaces would make a Markdown code block, and
            # the labels ((a), (i), （1）) already show the level. A label like "1.1" would
            # start an ordered list in Markdown; bold keeps it literal.
            out.append(f"**{label}** {_text(block.text)}" if label else _text(block.text))
            out.append("")
    return out


def write_markdown(document: Document) -> bytes:
    """Return `document` as UTF-8 Markdown (bilingual: each clause in Chinese, then English)."""
    out: list[str] = [f"# {_text(document.title)}", ""]
    for part in document.parts:
        out += _blocks(part.preamble, 0, part.lang)
    if len(document.parts) == 1:
        part = document.parts[0]
        for n, clause in enumerate(part.clauses, document.start):
            out += [f"## {heading_label(n, part.lang)} {clause.heading}", ""]
            out += _blocks(clause.blocks, n, part.lang)
    else:
        for n, pair in enumerate(document.clause_pairs(), document.start):
            out += [f"## {' / '.join(f'{heading_label(n, p.lang)} {c.heading}' for p, c in zip(document.parts, pair))}", ""]
            for part, clause in zip(document.parts, pair):
                out += _blocks(clause.blocks, n, part.lang, bilingual=True)
    for part in document.parts:
        for section in part.closing:
            out += [f"## {_text(section.heading)}", ""]
            out += _blocks(section.blocks, 0, part.lang, labels=closing_labels(section.blocks))
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return (text.strip() + "\n").encode("utf-8")
