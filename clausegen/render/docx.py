"""Word writer (python-docx): real list numbering, heading styles, tier tables, CJK fonts, traceable and reproducible files."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from clausegen.render.filters import has_cjk
from clausegen.render.model import Document, Paragraph, Ref, Table

EAST_ASIA_FONT = "SimSun"
LATIN_FONT = "Times New Roman"
INDENT = 567  # twentieths of a point: 1 cm
CUSTOM_RELTYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# "（1）" is two and a half full-width characters: its hanging indent must hold them, or the
# text jumps to the next tab stop far to the right (also in a bilingual column, scaled down).
ZH_ITEM = 800
# Multi-level list definitions: (numFmt, lvlText, indent left, hanging) per level 0-3.
# Level 0 numbers the clause headings; levels 1-3 the paragraphs (1.1 / (a) / (i)).
LEVELS = {
    "en": (("decimal", "%1.", INDENT, INDENT), ("decimal", "%1.%2", INDENT, INDENT),
           ("lowerLetter", "(%3)", 2 * INDENT, INDENT), ("lowerRoman", "(%4)", 3 * INDENT, INDENT)),
    # Chinese: 第一条, then 1. / （1） / a. inside each article (no level shows the article's
    # number, so no client has to turn 一 into 1).
    "zh": (("chineseCounting", "第%1条", 0, 0), ("decimal", "%2.", INDENT, INDENT),
           ("decimal", "（%3）", INDENT + ZH_ITEM, ZH_ITEM), ("lowerLetter", "%4.", INDENT + ZH_ITEM + INDENT, INDENT)),
    # Chinese beside English (bilingual): paragraphs numbered 3.1 like the English column while
    # the heading reads 第三条. One list per article, starting at its number, with the article's
    # number written into the paragraph level ({n}.%2): w:isLgl would do this in Word, but
    # LibreOffice ignores it and shows 三.1.
    "zh-bilingual": (("chineseCounting", "第%1条", 0, 0), ("decimal", "{n}.%2", INDENT, INDENT),
                     ("decimal", "（%3）", INDENT + ZH_ITEM, ZH_ITEM),
                     ("lowerLetter", "%4.", INDENT + ZH_ITEM + INDENT, INDENT)),
}
FOOTER = {"en": ("Page ", "PAGE", " of ", "NUMPAGES", ""), "zh": ("第 ", "PAGE", " 页，共 ", "NUMPAGES", " 页")}
TIER_STYLE = "Table Grid"
CELL_INDENT_SCALE = 0.75
GUTTER = 340  # twentieths of a point (0.6 cm) between the columns of a bilingual document
TABLE_INSET = 400  # a table in a bilingual column is this much narrower than the column's text


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


# ---------------------------------------------------------------- numbering


def _abstract_num_xml(abstract_id: int, lang: str, scale: float = 1.0, start: int = 1) -> str:
    from docx.oxml.ns import nsdecls

    lvls = []
    for ilvl, (fmt, text, left, hanging) in enumerate(LEVELS[lang]):
        left, hanging = int(left * scale), int(hanging * scale)
        first = start if ilvl == 0 else 1
        # Two-digit clause numbers (a schedule continuing at clause 12) outgrow the hanging indent:
        # a space, not a tab, keeps "23. General" from running into "23.General".
        suff = '<w:suff w:val="space"/>' if ilvl == 0 and (lang.startswith("zh") or start >= 10) else ""
        ind = f'<w:ind w:left="{left}" w:hanging="{hanging}"/>' if left or hanging else '<w:ind w:left="0" w:firstLine="0"/>'
        lvls.append(
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{first}"/><w:numFmt w:val="{fmt}"/>{suff}'
            f'<w:lvlText w:val="{text.replace("{n}", str(start))}"/><w:lvlJc w:val="left"/><w:pPr>{ind}</w:pPr></w:lvl>'
        )
    return (f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            f'<w:multiLevelType w:val="multilevel"/>{"".join(lvls)}</w:abstractNum>')


def _add_list(doc, lang: str, scale: float = 1.0, start: int = 1) -> int:
    """Add a multi-level list definition for `lang` (LEVELS key) to the numbering part, its
    headings counting from `start`; return its numId."""
    from docx.oxml import parse_xml

    numbering = doc.part.numbering_part.element
    ids = [int(a.get(_qn("w:abstractNumId"))) for a in numbering.findall(_qn("w:abstractNum"))]
    abstract_id = max(ids, default=-1) + 1
    abstract = parse_xml(_abstract_num_xml(abstract_id, lang, scale, start))
    first_num = numbering.find(_qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    return numbering.add_num(abstract_id).numId


def _house_numbering(doc, start: int) -> int | None:
    """Return a numId continuing the house's clause numbering, or None if the reference document has none.

    The house numbering is the list its "Heading 1" style is numbered with: the clauses take its
    formats (level 0 for headings, 1-3 for paragraphs), starting at `start`.
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    try:
        style = doc.styles["Heading 1"]
    except KeyError:
        return None
    num_id = style.element.find(f"{_qn('w:pPr')}/{_qn('w:numPr')}/{_qn('w:numId')}")
    if num_id is None:
        return None
    numbering = doc.part.numbering_part.element
    num = next((n for n in numbering.findall(_qn("w:num")) if n.get(_qn("w:numId")) == num_id.get(_qn("w:val"))), None)
    if num is None:
        return None
    abstract = num.find(_qn("w:abstractNumId")).get(_qn("w:val"))
    new_id = max((int(n.get(_qn("w:numId"))) for n in numbering.findall(_qn("w:num"))), default=0) + 1
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{new_id}"><w:abstractNumId w:val="{abstract}"/>'
        f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>'))
    return new_id


def _set_numbering(paragraph, num_id: int, ilvl: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = ilvl
    num_pr.get_or_add_numId().val = num_id


# ---------------------------------------------------------------- styles and fonts


def _set_east_asia(rpr_owner, font: str = EAST_ASIA_FONT, lang: str | None = "zh-CN") -> None:
    """Set w:rFonts/@w:eastAsia (and the East Asian language) on a run or a style's rPr."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(_qn("w:eastAsia"), font)
    if lang:
        lang_el = rpr.find(_qn("w:lang"))
        if lang_el is None:
            from docx.oxml import OxmlElement

            lang_el = OxmlElement("w:lang")
            rpr.append(lang_el)
        lang_el.set(_qn("w:eastAsia"), lang)


def _style(doc, name: str, fallback_type=None):
    """Return style `name`, creating a plain one (based on Normal) when the document lacks it."""
    from docx.enum.style import WD_STYLE_TYPE

    styles = doc.styles
    try:
        return styles[name]
    except KeyError:
        style = styles.add_style(name, fallback_type or WD_STYLE_TYPE.PARAGRAPH)
        if style.type == WD_STYLE_TYPE.PARAGRAPH:
            style.base_style = styles["Normal"]
            if name.startswith("Heading") or name == "Title":
                style.font.bold = True
                style.paragraph_format.keep_with_next = True
        return style


def _house_style(doc, has_reference: bool) -> None:
    """Set the fonts and spacing clausegen uses when the user gives no reference document.

    With a reference document only the East Asian font is added where the document has none,
    so the firm's styles stay as they are.
    """
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    normal = doc.styles["Normal"]
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    if not has_reference or not rfonts.get(_qn("w:eastAsia")):
        _set_east_asia(normal.element)
    if has_reference:
        return
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name, size in (("Title", 16), ("Heading 1", 12)):
        style = _style(doc, name)
        style.font.name = LATIN_FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_east_asia(style.element)
        # The default template's theme fonts would win over w:ascii; drop them.
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(_qn(attr), None)
        style.paragraph_format.space_before = Pt(12 if name == "Heading 1" else 0)
        style.paragraph_format.space_after = Pt(6 if name == "Heading 1" else 12)
    title = doc.styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The default Title has a bottom border; a contract schedule does not.
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(_qn("w:pBdr")):
        ppr.remove(border)


def _add_text(paragraph, text: str, bold: bool = False):
    run = paragraph.add_run(text)
    if bold:
        run.bold = True
    if has_cjk(text):
        _set_east_asia(run._r)
    return run


# ---------------------------------------------------------------- content


class _Writer:
    """Write a Document's parts into a python-docx document (a body or table cells)."""

    def __init__(self, doc, lists: dict, cell_width: int | None = None):
        self.doc = doc
        self.lists = lists  # lang -> numId
        self.style_ids: dict[str, str] = {}
        self.cell_width = cell_width  # twips of text in a bilingual column, for tables inside it
        self.bookmarks = 0  # the w:id of the last bookmark written

    def paragraph(self, container, text: str, style: str | None = None, lang: str = "en",
                  ilvl: int | None = None, indent: bool = False, block: Paragraph | None = None,
                  bookmark: str | None = None):
        if container is not self.doc and len(container.paragraphs) == 1 and not container.paragraphs[0].text \
                and not getattr(container, "_used", False):
            par = container.paragraphs[0]  # a new table cell holds one empty paragraph: use it
            container._used = True
        else:
            par = container.add_paragraph()
        if style:
            # Set the style id directly: python-docx's setter re-scans every style per paragraph.
            if style not in self.style_ids:
                self.style_ids[style] = _style(self.doc, style).style_id
            par._p.get_or_add_pPr().style = self.style_ids[style]
        if block is not None and block.segments:
            for segment in block.segments:
                if isinstance(segment, Ref):
                    _ref_field(par, bookmark_name(lang, segment.anchor), segment.label)
                else:
                    _add_text(par, segment)
        else:
            _add_text(par, text)
        name = bookmark or (bookmark_name(lang, block.anchor) if block is not None and block.anchor else None)
        if name:
            self.bookmarks += 1
            _bookmark(par, name, self.bookmarks)
        if container is not self.doc:
            from docx.enum.text import WD_ALIGN_PARAGRAPH

            # Justified text in a half-width column leaves rivers of white space in English and,
            # in Chinese, stretches a line holding a number or a name letter by letter
            # ("任 一 自 然 月"): narrow columns are set ragged right.
            par.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if container is self.doc and _UNBREAKABLE.search(text or ""):
            from docx.enum.text import WD_ALIGN_PARAGRAPH

            # An e-mail address or a long number cannot be broken: justified, the line before it is
            # stretched letter by letter ("乙 方 客 户 服 务"). Such paragraphs are set ragged right.
            par.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if ilvl is not None:
            _set_numbering(par, self.lists[lang], ilvl)
        elif indent:
            par.paragraph_format.left_indent = _twips(INDENT)
        return par

    def blocks(self, container, blocks, lang: str, in_clause: bool) -> None:
        for block in blocks:
            if isinstance(block, Table):
                self.table(container, block)
            elif isinstance(block, Paragraph):
                if block.level:
                    self.paragraph(container, block.text, lang=lang, ilvl=block.level, block=block)
                else:
                    self.paragraph(container, block.text, lang=lang, indent=in_clause, block=block)

    def table(self, container, table: Table) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT

        if table.kind == "signature":
            self.signature(container, table)
            return

        cols = len(table.header)
        if container is self.doc:
            tbl = self.doc.add_table(rows=1 + len(table.rows), cols=cols)
        else:
            tbl = container.add_table(rows=1 + len(table.rows), cols=cols)
            container._used = True
        try:
            tbl.style = self.doc.styles[TIER_STYLE]
        except KeyError:
            _borders(tbl)
        tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        for r, row in enumerate([table.header, *table.rows]):
            for c in range(cols):
                cell = tbl.cell(r, c)
                par = cell.paragraphs[0]
                par.alignment = WD_ALIGN_PARAGRAPH.LEFT  # justified short cells spread their words
                _add_text(par, row[c] if c < len(row) else "", bold=(r == 0))
                if r == 0:
                    _shade(cell)
        _repeat_header(tbl.rows[0])
        if container is self.doc:
            self.doc.add_paragraph()  # Word glues a following list to a table without a spacer
        else:
            if self.cell_width:
                # Narrower than the column, so that the tables of the two languages keep the
                # gutter between them instead of touching at the column edge.
                _table_width(tbl, self.cell_width - TABLE_INSET)

    def clause_heading(self, container, heading: str, lang: str, clause_id: str | None = None):
        return self.paragraph(container, heading, style="Heading 1", lang=lang, ilvl=0,
                              bookmark=bookmark_name(lang, "@" + clause_id) if clause_id else None)

    def signature(self, container, table: Table) -> None:
        """Write an execution block: a column per party, signature lines with room to sign, no borders."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        cols = len(table.header)
        tbl = (self.doc if container is self.doc else container).add_table(rows=1 + len(table.rows), cols=cols)
        for r, row in enumerate([table.header, *table.rows]):
            for c in range(cols):
                par = tbl.cell(r, c).paragraphs[0]
                par.paragraph_format.keep_with_next = True
                par.alignment = WD_ALIGN_PARAGRAPH.LEFT
                if r:
                    par.paragraph_format.space_before = Pt(18)
                _add_text(par, row[c] if c < len(row) else "", bold=(r == 0))
        for tr in tbl.rows:
            from docx.oxml import OxmlElement

            tr._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))

    def closing(self, container, part) -> None:
        """Write the unnumbered sections after the clauses (execution blocks, open points)."""
        for section in part.closing:
            heading = self.paragraph(container, section.heading, style="Heading 1", lang=part.lang)
            _set_numbering(heading, 0, 0)  # unnumbered, even where the house numbers Heading 1
            count = 0
            for block in section.blocks:
                if isinstance(block, Paragraph) and block.level:
                    count += 1
                    par = self.paragraph(container, f"{count}.\t{block.text}", lang=part.lang)
                    par.paragraph_format.left_indent = _twips(INDENT)
                    par.paragraph_format.first_line_indent = _twips(-INDENT)
                else:
                    before = len(container.paragraphs)
                    self.blocks(container, (block,), part.lang, in_clause=False)
                    if section.id == "execution":  # the recital stays on the page of the signatures
                        for par in container.paragraphs[before:]:
                            par.paragraph_format.keep_with_next = True


def bookmark_name(lang: str, anchor: str) -> str:
    """Return the Word bookmark of paragraph `anchor` ("@id": the heading of clause id) in the `lang` text.

    Hidden (leading underscore, like Word's own _Ref bookmarks), at most 40 characters.
    """
    import re

    return ("_Ref_" + lang + "_" + re.sub(r"[^A-Za-z0-9]", "_", anchor.replace("@", "at_")))[:40]


def _bookmark(par, name: str, ident: int) -> None:
    """Put bookmark `name` around the content of paragraph `par` (after its properties)."""
    from docx.oxml import OxmlElement

    start = OxmlElement("w:bookmarkStart")
    start.set(_qn("w:id"), str(ident))
    start.set(_qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(_qn("w:id"), str(ident))
    p = par._p
    ppr = p.find(_qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    p.append(end)


def _ref_field(par, bookmark: str, label: str) -> None:
    """Append a REF field to `bookmark` (its number as numbered there, \\n; a link, \\h) showing `label` until updated."""
    from docx.oxml import OxmlElement

    for kind, text in (("begin", None), ("instr", f" REF {bookmark} \\n \\h "), ("separate", None),
                       ("result", label), ("end", None)):
        if kind == "result":
            _add_text(par, text)
            continue
        run = par.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(_qn("w:fldCharType"), kind)
            if kind == "begin":
                fld.set(_qn("w:dirty"), "true")  # Word renumbers the reference when it opens the file
            run._r.append(fld)


# E-mail addresses, web addresses and phone numbers: what a line cannot break inside.
_UNBREAKABLE = __import__("re").compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|https?://\S+|\d[\d-]{9,}\d")


def _twips(n: int):
    from docx.shared import Twips

    return Twips(n)


def _borders(tbl) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    edges = "".join(f'<w:{e} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                    for e in ("top", "left", "bottom", "right", "insideH", "insideV"))
    borders = parse_xml(f"<w:tblBorders {nsdecls('w')}>{edges}</w:tblBorders>")
    tbl_pr = tbl._tbl.tblPr
    # Schema order: tblBorders comes before shd, tblLayout, tblCellMar and tblLook.
    later = [c for c in tbl_pr if c.tag in {_qn(t) for t in ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")}]
    if later:
        later[0].addprevious(borders)
    else:
        tbl_pr.append(borders)


def _shade(cell, fill: str = "D9D9D9") -> None:
    from docx.oxml import OxmlElement

    shd = OxmlElement("w:shd")
    shd.set(_qn("w:val"), "clear")
    shd.set(_qn("w:color"), "auto")
    shd.set(_qn("w:fill"), fill)
    tc_pr = cell._tc.get_or_add_tcPr()
    # Schema order in tcPr: ... tcBorders, shd, noWrap, tcMar, textDirection, tcFitText, vAlign, hideMark.
    later = [c for c in tc_pr if c.tag in {_qn(t) for t in ("w:noWrap", "w:tcMar", "w:textDirection",
                                                             "w:tcFitText", "w:vAlign", "w:hideMark")}]
    if later:
        later[0].addprevious(shd)
    else:
        tc_pr.append(shd)


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement

    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))


def _clear_body(doc) -> None:
    """Remove the body content of `doc` but keep its final section properties (page setup)."""
    body = doc.element.body
    for child in list(body):
        if child.tag != _qn("w:sectPr"):
            body.remove(child)


def _footer(doc, lang: str) -> None:
    """Put "Page X of Y" (第 X 页，共 Y 页) in the footer, keeping a house footer's own content;
    a house footer that already numbers its pages is left alone."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    for section in doc.sections:
        footer = section.footer
        footer.is_linked_to_previous = False
        xml = footer._element
        if any("PAGE" in (t.text or "") for t in xml.iter(_qn("w:instrText"))) or \
                any("PAGE" in (f.get(_qn("w:instr")) or "") for f in xml.iter(_qn("w:fldSimple"))):
            continue
        pars = footer.paragraphs
        blank = len(pars) == 1 and not pars[0].text.strip() and not len(pars[0]._p.xpath(".//w:drawing"))
        par = pars[0] if blank else footer.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for i, piece in enumerate(FOOTER[lang]):
            if i % 2 == 0:
                if piece:
                    _add_text(par, piece)
                continue
            for kind, text in (("begin", None), (None, f" {piece} "), ("separate", None), (None, "1"), ("end", None)):
                run = par.add_run()
                if kind:
                    fld = OxmlElement("w:fldChar")
                    fld.set(_qn("w:fldCharType"), kind)
                    run._r.append(fld)
                elif text.strip() == piece:
                    instr = OxmlElement("w:instrText")
                    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                    instr.text = text
                    run._r.append(instr)
                else:
                    run.text = text


def _bilingual_table(doc):
    from docx.shared import Emu

    section = doc.sections[-1]
    width = (section.page_width or Emu(7772400)) - (section.left_margin or 0) - (section.right_margin or 0)
    tbl = doc.add_table(rows=0, cols=2)
    tbl.autofit = False
    half = Emu(int(width) // 2)
    for col in tbl.columns:
        col.width = half
    _cell_margins(tbl, left=GUTTER // 2, right=GUTTER // 2)
    return tbl, half


def _table_width(tbl, twips: int) -> None:
    """Give `tbl` a fixed total width of `twips`, shared equally by its columns."""
    from docx.shared import Twips

    tbl.autofit = False
    cols = len(tbl.columns)
    for col in tbl.columns:
        col.width = Twips(twips // cols)
        for cell in col.cells:
            cell.width = Twips(twips // cols)
    tbl_w = tbl._tbl.tblPr.find(_qn("w:tblW"))
    if tbl_w is not None:
        tbl_w.set(_qn("w:type"), "dxa")
        tbl_w.set(_qn("w:w"), str(twips))


def _cell_margins(tbl, **twips) -> None:
    """Set the default cell margins of `tbl` (left, right, top, bottom, in twentieths of a point).

    The columns of the bilingual table get a gutter, so that the credit tables of the two
    languages, and their text, do not touch.
    """
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    edges = "".join(f'<w:{side} w:w="{value}" w:type="dxa"/>' for side, value in twips.items())
    mar = parse_xml(f"<w:tblCellMar {nsdecls('w')}>{edges}</w:tblCellMar>")
    tbl_pr = tbl._tbl.tblPr
    for old in tbl_pr.findall(_qn("w:tblCellMar")):
        tbl_pr.remove(old)
    # Schema order: tblCellMar comes after tblLayout and before tblLook.
    later = [c for c in tbl_pr if c.tag == _qn("w:tblLook")]
    if later:
        later[0].addprevious(mar)
    else:
        tbl_pr.append(mar)


# ---------------------------------------------------------------- properties and packaging


def _core_properties(doc, document: Document) -> None:
    cp = doc.core_properties
    when = document.meta["date"].replace(tzinfo=None)
    cp.title = document.title
    cp.subject = document.meta.get("family", "")
    cp.author = "clausegen"
    cp.last_modified_by = "clausegen"
    cp.created = when
    cp.modified = when
    cp.last_printed = when
    cp.revision = 1
    cp.language = {"zh": "zh-CN", "en": "en", "bilingual": "zh-CN"}.get(document.lang, "")
    cp.keywords = document.meta.get("library", "")


def custom_properties(document: Document) -> dict[str, str]:
    """Return the custom document properties that trace a generated file to its sources."""
    meta = document.meta
    props = {
        "clausegen.library": str(meta.get("library", "")),
        "clausegen.family": str(meta.get("family", "")),
        "clausegen.family_version": str(meta.get("family_version", "")),
        "clausegen.spec_sha256": str(meta.get("spec_sha256", "")),
        "clausegen.language": document.lang,
        "clausegen.position": str(meta.get("position", "preferred")),
    }
    for rel, version in sorted((meta.get("templates") or {}).items()):
        props[f"clausegen.template.{rel}"] = str(version)
    return props


def _custom_xml(props: dict[str, str], existing: bytes | None) -> bytes:
    from lxml import etree

    ns = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
    vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    if existing:
        root = etree.fromstring(existing)
        for prop in list(root):
            if prop.get("name") in props:
                root.remove(prop)
        keep = [(p.get("name"), etree.tostring(p[0]) if len(p) else b"") for p in root]
    else:
        keep = []
    items = [f'<vt:lpwstr>{escape(v)}</vt:lpwstr>' for v in props.values()]
    rows = [(name, value.decode()) for name, value in keep] + list(zip(props.keys(), items))
    body = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{escape(name, {chr(34): "&quot;"})}">{value}</property>'
        for pid, (name, value) in enumerate(rows, start=2)
    )
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<Properties xmlns="{ns}" xmlns:vt="{vt}">{body}</Properties>')
    return xml.encode("utf-8")


def _attach_custom_properties(doc, document: Document) -> None:
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    package = doc.part.package
    existing = None
    for rel in package.rels.values():
        if rel.reltype == CUSTOM_RELTYPE and not rel.is_external:
            existing = rel.target_part
    blob = _custom_xml(custom_properties(document), existing.blob if existing is not None else None)
    if existing is not None:
        existing._blob = blob
        return
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_CT, blob, package)
    package.relate_to(part, CUSTOM_RELTYPE)


_APP_XML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            "<Application>clausegen</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
            "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
            "<HyperlinksChanged>false</HyperlinksChanged></Properties>")


def _app_properties(doc) -> None:
    """Replace python-docx's template app.xml (Word for Mac, zero words) with one naming clausegen."""
    for rel in doc.part.package.rels.values():
        if rel.reltype.endswith("/extended-properties") and not rel.is_external:
            rel.target_part._blob = _APP_XML.encode("utf-8")


def _drop_thumbnail(doc) -> None:
    """Remove the package thumbnail: it pictures the template (or the house document), not these clauses."""
    rels = doc.part.package.rels
    for rid, rel in list(rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            rels.pop(rid)
            getattr(rels, "_target_parts_by_rId", {}).pop(rid, None)


def _normalise_zip(data: bytes) -> bytes:
    """Return the .docx `data` rewritten with fixed timestamps and attributes (same bytes every run)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 3
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------- entry point


def write_docx(document: Document, reference_docx=None) -> bytes:
    """Return `document` as .docx bytes, styled by `reference_docx` (its styles, page setup) if given.

    Monolingual documents: Title, preamble, then per clause a numbered Heading 1 and numbered
    paragraphs. Bilingual: a two-column table, Chinese left and English right, clause by clause.
    Raises InputError if `reference_docx` cannot be opened as a Word document.
    """
    from docx import Document as open_docx

    from clausegen.errors import InputError

    if reference_docx is not None:
        from clausegen.wordfile import check_docx

        try:
            check_docx(reference_docx)  # an input like any contract: zip bombs, renamed files, DOCTYPEs
        except InputError as exc:
            raise InputError(f"cannot open the reference document: {exc.message}", path=str(reference_docx),
                             hint=exc.hint) from None
        try:
            doc = open_docx(str(reference_docx))
        except Exception as exc:  # python-docx raises several kinds for a non-docx file
            raise InputError(f"cannot open the reference document: {exc}", path=str(reference_docx),
                             hint="pass a Word .docx file whose styles should be used") from None
        _clear_body(doc)
    else:
        doc = open_docx()
    _house_style(doc, has_reference=reference_docx is not None)
    # Half-width columns get narrower list indents, so that text keeps most of the column.
    scale = 1.0 if len(document.parts) == 1 else CELL_INDENT_SCALE
    house = _house_numbering(doc, document.start) if reference_docx is not None and len(document.parts) == 1 else None
    lists = {part.lang: house or _add_list(doc, part.lang, scale, start=document.start) for part in document.parts}
    writer = _Writer(doc, lists)
    if len(document.parts) > 1:
        section = doc.sections[-1]
        text_width = int((section.page_width or 7772400) - (section.left_margin or 0) - (section.right_margin or 0))
        writer.cell_width = text_width // 2 // 635 - GUTTER  # EMU to twips, less the cell margins

    if len(document.parts) == 1:
        part = document.parts[0]
        writer.paragraph(doc, part.title, style="Title", lang=part.lang)
        writer.blocks(doc, part.preamble, part.lang, in_clause=False)
        for clause in part.clauses:
            writer.clause_heading(doc, clause.heading, part.lang, clause.id)
            writer.blocks(doc, clause.blocks, part.lang, in_clause=True)
        writer.closing(doc, part)
    else:
        for part in document.parts:
            writer.paragraph(doc, part.title, style="Title", lang=part.lang)
        tbl, half = _bilingual_table(doc)
        def row(items, fill, keep_whole=True):
            new = tbl.add_row()
            if keep_whole:
                # A paragraph and its translation stay on the same page (Word still breaks a row
                # taller than a page).
                from docx.oxml import OxmlElement

                new._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            for cell, (part, item) in zip(new.cells, items):
                cell.width = half
                fill(cell, part, item)
            return new

        row([(p, p.preamble) for p in document.parts],
            lambda cell, part, blocks: writer.blocks(cell, part.preamble, part.lang, in_clause=False),
            keep_whole=False)
        for number, pair in enumerate(document.clause_pairs(), document.start):
            if "zh" in lists:  # the Chinese column numbers its paragraphs 1.1 like the English one
                writer.lists["zh"] = _add_list(doc, "zh-bilingual", scale, start=number)
            aligned = len({len(c.blocks) for c in pair}) == 1 and all(
                len({type(b) for b in same}) == 1 for same in zip(*(c.blocks for c in pair)))
            if aligned:
                # Paragraph by paragraph: each Chinese paragraph sits beside its English one.
                row(list(zip(document.parts, pair)),
                    lambda cell, part, clause: writer.clause_heading(cell, clause.heading, part.lang, clause.id))
                after_table = False
                for same in zip(*(c.blocks for c in pair)):
                    new = row(list(zip(document.parts, same)),
                              lambda cell, part, block: writer.blocks(cell, (block,), part.lang, in_clause=True))
                    if after_table:
                        # The paragraph Word keeps after a table at the end of a cell is not
                        # shown by every reader: space the next row off the tables instead.
                        from docx.shared import Pt

                        for cell in new.cells:
                            cell.paragraphs[0].paragraph_format.space_before = Pt(9)
                    after_table = isinstance(same[0], Table)
            else:
                def whole(cell, part, clause):
                    writer.clause_heading(cell, clause.heading, part.lang, clause.id)
                    writer.blocks(cell, clause.blocks, part.lang, in_clause=True)
                row(list(zip(document.parts, pair)), whole, keep_whole=False)
        for part in document.parts:  # full width after the columns: signed once, open points per language
            writer.closing(doc, part)

    _drop_thumbnail(doc)
    if reference_docx is None:
        _app_properties(doc)
    _footer(doc, "zh" if document.lang in ("zh", "bilingual") else "en")
    _core_properties(doc, document)
    _attach_custom_properties(doc, document)
    buf = io.BytesIO()
    doc.save(buf)
    return _normalise_zip(buf.getvalue())

