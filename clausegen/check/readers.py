"""Read contracts (.docx, .pdf, .txt, .md) into numbered paragraphs with locations and a language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from clausegen.errors import InputError

SUFFIXES = (".docx", ".pdf", ".txt", ".md", ".markdown", ".text")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_TERMINAL = tuple("。！？；：.!?;:|")
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
    """

    index: int
    text: str
    location: str
    heading_level: int | None = None
    ref: tuple = ()


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
    cjk = len(_CJK.findall(sample))
    latin = len(_LATIN.findall(sample))
    if cjk == 0:
        return "en"
    return "zh" if cjk / (cjk + latin / 4) >= 0.2 else "en"


def _clean(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u3000", " ").replace("\t", " ")
    return re.sub(r"[ ]{2,}", " ", text).strip()


# ---------------------------------------------------------------- plain text


def _strip_markup(line: str) -> str:
    # Markdown emphasis and code marks (**x**, _x_, `x`) would break word boundaries in rules.
    line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)
    line = re.sub(r"(?<![\w*])[_*]([^_*\n]+?)[_*](?![\w*])", r"\1", line)
    return line.replace("`", "")


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
    out: list[tuple[int, str]] = []
    prev_raw = ""
    for n, raw in enumerate(text.splitlines(), start=1):
        line = _clean(raw)
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
                or (len(prev_raw) >= 30 and _CJK.match(line[:1] or " ") and _CJK.search(prev_raw[-1:]))
            )
        )
        if wrapped:
            num, before = out[-1]
            joiner = "" if _CJK.search(before[-1:]) else " "
            out[-1] = (num, before + joiner + line)
        else:
            out.append((n, line))
        prev_raw = raw.strip()
    return out


def read_text(path: Path) -> list[Paragraph]:
    """Load a .txt or .md file into paragraphs (one per line; markdown headings marked)."""
    text = decode_text(_read_bytes(path), str(path))
    paragraphs = []
    for n, line in split_lines(text, markdown=path.suffix.lower() in (".md", ".markdown")):
        level = None
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        if m:
            level, line = len(m.group(1)), m.group(2).strip()
        line = _strip_markup(line)
        if line:
            paragraphs.append(Paragraph(len(paragraphs), line, f"line {n}", level))
    return paragraphs


# ---------------------------------------------------------------- Word


_HEADING_STYLE = re.compile(r"^(?:heading|标题|titre|überschrift)\s*(\d)", re.I)


def _numbering_formats(document) -> dict:
    """Return {(numId, ilvl): (numFmt, lvlText, start)} from the numbering part, if any."""
    from docx.oxml.ns import qn

    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    abstract = {}
    for an in numbering.findall(qn("w:abstractNum")):
        levels = {}
        for lvl in an.findall(qn("w:lvl")):
            ilvl = int(lvl.get(qn("w:ilvl"), "0"))
            fmt = lvl.find(qn("w:numFmt"))
            txt = lvl.find(qn("w:lvlText"))
            start = lvl.find(qn("w:start"))
            levels[ilvl] = (
                fmt.get(qn("w:val")) if fmt is not None else "decimal",
                txt.get(qn("w:val")) if txt is not None else "",
                int(start.get(qn("w:val"), "1")) if start is not None else 1,
            )
        abstract[an.get(qn("w:abstractNumId"))] = levels
    formats = {}
    for num in numbering.findall(qn("w:num")):
        ref = num.find(qn("w:abstractNumId"))
        if ref is None:
            continue
        for ilvl, spec in abstract.get(ref.get(qn("w:val")), {}).items():
            formats[(num.get(qn("w:numId")), ilvl)] = spec
    return formats


_ZH_DIGITS = "零一二三四五六七八九"


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        s = chr(ord("a") + (n - 1) % 26)
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("lowerRoman", "upperRoman"):
        vals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        s, k = "", n
        for v, r in vals:
            while k >= v:
                s, k = s + r, k - v
        return s.upper() if fmt == "upperRoman" else s
    if fmt.startswith(("chinese", "ideograph", "japanese", "taiwanese")) and 0 < n < 100:
        tens, ones = divmod(n, 10)
        return (("" if tens == 1 else _ZH_DIGITS[tens]) + "十" if tens else "") + (_ZH_DIGITS[ones] if ones else "")
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


def read_docx(path: Path) -> list[Paragraph]:
    """Load a .docx: body paragraphs and table rows in document order, headers/footers ignored.

    List numbering is rebuilt from the numbering part for common formats, so "第三条" or
    "3.2" produced by Word auto-numbering is part of the paragraph text.
    """
    import zipfile

    import docx
    from docx.oxml.ns import qn
    from lxml import etree

    from clausegen.limits import check_docx

    check_docx(path)  # renamed .doc/.pdf, encrypted, zip bombs and DOCTYPEs never reach the XML parser
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError,
            docx.opc.exceptions.PackageNotFoundError) as exc:
        raise InputError(f"not a readable Word .docx file ({exc})", path=str(path),
                         hint="open it in Word and save it as .docx (Word 2007+)") from None
    formats = _numbering_formats(document)
    counters: dict[tuple, list[int]] = {}
    paragraphs: list[Paragraph] = []

    def para_text(p_el) -> str:
        return "".join((t.text or "") if t.tag == qn("w:t") else " "
                       for t in p_el.iter(qn("w:t"), qn("w:tab"), qn("w:br")))

    def style_numpr(p_el):
        # List styles ("List Number", house heading styles) carry numbering in the style itself.
        ppr = p_el.find(qn("w:pPr"))
        style = ppr.find(qn("w:pStyle")) if ppr is not None else None
        sid = style.get(qn("w:val")) if style is not None else None
        for _ in range(5):
            if not sid:
                return None
            st = document.styles.element.get_by_id(sid)
            if st is None:
                return None
            sppr = st.find(qn("w:pPr"))
            numpr = sppr.find(qn("w:numPr")) if sppr is not None else None
            if numpr is not None:
                return numpr
            based = st.find(qn("w:basedOn"))
            sid = based.get(qn("w:val")) if based is not None else None
        return None

    def numbering_prefix(p_el) -> str:
        ppr = p_el.find(qn("w:pPr"))
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if numpr is None:
            numpr = style_numpr(p_el)
        if numpr is None:
            return ""
        num_id_el, ilvl_el = numpr.find(qn("w:numId")), numpr.find(qn("w:ilvl"))
        if num_id_el is None:
            return ""
        num_id = num_id_el.get(qn("w:val"))
        ilvl = int(ilvl_el.get(qn("w:val"), "0")) if ilvl_el is not None else 0
        spec = formats.get((num_id, ilvl))
        if spec is None or num_id == "0":
            return ""
        fmt, lvl_text, start = spec
        stack = counters.setdefault(num_id, [])
        while len(stack) <= ilvl:
            level_spec = formats.get((num_id, len(stack)), ("decimal", "", 1))
            stack.append(level_spec[2] - 1)
        del stack[ilvl + 1:]
        stack[ilvl] += 1
        text = lvl_text
        for lv in range(ilvl + 1):
            lv_fmt = formats.get((num_id, lv), ("decimal", "", 1))[0]
            text = text.replace(f"%{lv + 1}", _format_number(stack[lv], lv_fmt if lv != ilvl else fmt))
        return (text + " ") if text.strip() else ""

    def style_level(p_el) -> int | None:
        ppr = p_el.find(qn("w:pPr"))
        style = ppr.find(qn("w:pStyle")) if ppr is not None else None
        if style is None:
            return None
        sid = style.get(qn("w:val")) or ""
        name = sid
        try:
            name = document.styles.element.get_by_id(sid).name_val or sid
        except AttributeError:
            pass
        m = _HEADING_STYLE.match(name) or _HEADING_STYLE.match(sid)
        if m:
            return int(m.group(1))
        return 1 if name.lower() in ("title", "标题") else None

    body = document.element.body
    p_count = t_count = 0
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            text = _clean(numbering_prefix(child) + para_text(child))
            if text:
                paragraphs.append(Paragraph(len(paragraphs), text, f"paragraph {p_count + 1}",
                                            style_level(child), ("p", p_count)))
            p_count += 1
        elif child.tag == qn("w:tbl"):
            for r, row in enumerate(child.iter(qn("w:tr"))):
                cells = []
                for tc in row.iter(qn("w:tc")):
                    cell = _clean(" ".join(para_text(p) for p in tc.iter(qn("w:p"))))
                    if cell and (not cells or cells[-1] != cell):  # merged cells repeat
                        cells.append(cell)
                if cells:
                    paragraphs.append(Paragraph(len(paragraphs), " | ".join(cells),
                                                f"table {t_count + 1} row {r + 1}", None, ("tbl", t_count, r)))
            t_count += 1
    return paragraphs


# ---------------------------------------------------------------- PDF


def read_pdf(path: Path) -> list[Paragraph]:
    """Load the text layer of a PDF into paragraphs; raise InputError if it has none (scanned)."""
    import logging

    import pypdf
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(str(path))
        from clausegen.limits import check_pdf_pages

        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:  # noqa: BLE001 - pypdf raises several types for bad passwords
                raise InputError("the PDF is encrypted", path=str(path),
                                 hint="remove the password and check it again") from None
        check_pdf_pages(len(reader.pages), path)
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, pypdf.errors.PyPdfError, ValueError, KeyError, TypeError, AttributeError,
            RecursionError) as exc:
        raise InputError(f"not a readable PDF ({exc})", path=str(path)) from None
    paragraphs: list[Paragraph] = []
    for number, page_text in enumerate(pages, start=1):
        for _, line in _pdf_paragraphs(page_text):
            paragraphs.append(Paragraph(len(paragraphs), line, f"page {number}"))
    if sum(len(p.text) for p in paragraphs) < 20:
        raise InputError("the PDF has no text layer (a scanned image?); OCR is needed", path=str(path),
                         hint="run OCR on it (e.g. ocrmypdf) or check the original Word file")
    return paragraphs


def _pdf_paragraphs(page_text: str) -> list[tuple[int, str]]:
    # PDF lines are wrapped at the page width: join a line to the previous one unless the
    # previous one ended a sentence or the new one starts a numbered item.
    out: list[tuple[int, str]] = []
    for n, raw in enumerate(page_text.splitlines(), start=1):
        line = _clean(raw)
        if not line:
            continue
        if out and not out[-1][1].endswith(_TERMINAL) and not _LIST_START.match(line) \
                and len(out[-1][1]) >= 25:
            num, before = out[-1]
            joiner = "" if (_CJK.search(before[-1:]) and _CJK.match(line[:1])) else " "
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
    from clausegen.limits import check_input_size, split_long_paragraphs

    check_input_size(path)
    paragraphs = split_long_paragraphs(reader(path))
    text = "\n".join(p.text for p in paragraphs)
    language = detect_language(text) if lang in (None, "auto") else lang
    return Contract(str(path), paragraphs, language, {"format": path.suffix.lower().lstrip("."),
                                                       "characters": len(text)})


def contract_from_text(text: str, lang: str = "auto", name: str = "<text>") -> Contract:
    """Return a Contract built from plain `text` (one paragraph per line)."""
    paragraphs = []
    for n, line in split_lines(text):
        level = None
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        if m:
            level, line = len(m.group(1)), m.group(2).strip()
        paragraphs.append(Paragraph(len(paragraphs), _strip_markup(line), f"line {n}", level))
    from clausegen.limits import split_long_paragraphs

    paragraphs = split_long_paragraphs(paragraphs)
    joined = "\n".join(p.text for p in paragraphs)
    language = detect_language(joined) if lang in (None, "auto") else lang
    return Contract(name, tuple(paragraphs), language, {"format": "text", "characters": len(joined)})
