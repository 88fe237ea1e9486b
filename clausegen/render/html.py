"""HTML writer: a standalone page; bilingual documents as a two-column table, clause by clause."""

from __future__ import annotations

from html import escape

from clausegen.render.model import Document, Paragraph, Table, closing_labels, heading_label, number_labels

_STYLE = """body{font-family:"Times New Roman","SimSun","Noto Serif CJK SC",serif;max-width:60em;margin:2em auto;line-height:1.5}
p.l1,p.l2,p.l3{padding-left:3em;text-indent:-3em}p.l2{margin-left:3em}p.l3{margin-left:6em}
span.no{display:inline-block;min-width:3em;text-indent:0}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #666;padding:.2em .6em;vertical-align:top}
table.bilingual{width:100%}table.bilingual>tbody>tr>td{width:50%;border:none}
table.signature td,table.signature th{border:none;padding:1em 2em 0 0;text-align:left}"""


def _blocks(blocks, number: int, lang: str, bilingual: bool = False, labels=None) -> list[str]:
    out = []
    for block, label in zip(blocks, labels or number_labels(blocks, number, lang, bilingual)):
        if isinstance(block, Table):
            kind = ' class="signature"' if block.kind == "signature" else ""
            out.append(f"<table{kind}><thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in block.header)
                       + "</tr></thead><tbody>")
            out += ["<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in block.rows]
            out.append("</tbody></table>")
        elif isinstance(block, Paragraph):
            no = f'<span class="no">{escape(label)}</span> ' if label else ""
            out.append(f'<p class="l{block.level}">{no}{escape(block.text)}</p>')
    return out


def _clause(clause, n: int, lang: str, bilingual: bool = False) -> list[str]:
    return [f'<h2 lang="{lang}">{escape(heading_label(n, lang))} {escape(clause.heading)}</h2>',
            *_blocks(clause.blocks, n, lang, bilingual)]


def write_html(document: Document) -> bytes:
    """Return `document` as a UTF-8 HTML page."""
    lang = "zh-CN" if document.lang == "zh" else "en"
    out = ["<!DOCTYPE html>", f'<html lang="{lang}"><head><meta charset="utf-8">',
           f"<title>{escape(document.title)}</title><style>{_STYLE}</style></head><body>",
           f"<h1>{escape(document.title)}</h1>"]
    if len(document.parts) == 1:
        part = document.parts[0]
        out += _blocks(part.preamble, 0, part.lang)
        for n, clause in enumerate(part.clauses, document.start):
            out += _clause(clause, n, part.lang)
    else:
        out.append('<table class="bilingual"><tbody>')
        out.append("<tr>" + "".join(f'<td lang="{p.lang}">' + "".join(_blocks(p.preamble, 0, p.lang)) + "</td>"
                                     for p in document.parts) + "</tr>")
        for n, pair in enumerate(document.clause_pairs(), document.start):
            out.append("<tr>" + "".join(f'<td lang="{p.lang}">' + "".join(_clause(c, n, p.lang, bilingual=True)) + "</td>"
                                         for p, c in zip(document.parts, pair)) + "</tr>")
        out.append("</tbody></table>")
    for part in document.parts:
        for section in part.closing:
            out.append(f'<h2 lang="{part.lang}">{escape(section.heading)}</h2>')
            out += _blocks(section.blocks, 0, part.lang, labels=closing_labels(section.blocks))
    out.append("</body></html>")
    return ("\n".join(out) + "\n").encode("utf-8")
