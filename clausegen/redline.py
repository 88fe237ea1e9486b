"""Write a redlined copy of a Word contract: the reviewer's fixes as tracked changes and comments.

`check --redline OUT.docx` gives the reviewer a file to send back: each missing required
provision's clause from the library is inserted as a tracked insertion (w:ins, attributed and
dated) after the section it belongs after, numbered in the document's own style; a vague phrase
of a weak provision is replaced by a tracked deletion and insertion where a value is known (the
firm's position, else the library's default); a value that misses the firm's position is
replaced the same way; anything else gets a comment anchored to the exact phrase. The original
file is never modified; the copy is written atomically. Everything outside the tracked changes
and comment anchors is left as it was.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


DEFAULT_AUTHOR = "clausegen"
_TEXT = {
    "zh": {"no_value": "clausegen：{title}——{message}\n本条表述含糊，请写明具体时限或机构。",
           "deviates": "clausegen：{message}"},
    "en": {"no_value": "clausegen: {title} — {message}\nThis wording is vague; state a number or a named body.",
           "deviates": "clausegen: {message}"},
}


@dataclass
class _Context:
    document: object
    author: str
    date: str
    next_id: int
    lang: str

    def new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def mark(self, tag: str):
        from lxml import etree

        el = etree.Element(_q(tag))
        el.set(_q("id"), self.new_id())
        el.set(_q("author"), self.author)
        el.set(_q("date"), self.date)
        return el


# ---------------------------------------------------------------- runs


def _run_text(r) -> str:
    out = []
    for child in r:
        if child.tag == _q("t"):
            out.append(child.text or "")
        elif child.tag == _q("tab"):
            out.append("\t")
        elif child.tag in (_q("br"), _q("cr")):
            out.append("\n")
    return "".join(out)


def _direct_runs(p) -> list:
    """Return the runs of paragraph `p` that are its own text (direct children and inside hyperlinks)."""
    return [r for r in p.iter(_q("r"))
            if r.getparent() is p or r.getparent().tag in (_q("hyperlink"), _q("smartTag"))]


def _plain_runs(p) -> list:
    return [r for r in _direct_runs(p) if r.getparent() is p]


def paragraph_text(p) -> str:
    """Return the text of Word paragraph element `p` as its runs hold it (no numbering)."""
    return "".join(_run_text(r) for r in _plain_runs(p))


def _split_run(r, at: int):
    """Split run `r` at character `at` of its text; return the right half (a new run after `r`)."""
    right = copy.deepcopy(r)

    # Keep the first `at` characters in `r`, the rest in `right`.
    def cut(run, keep_left: bool):
        pos = 0
        for el in list(run):
            if el.tag == _q("rPr"):
                continue
            length = len(el.text or "") if el.tag == _q("t") else (1 if el.tag in (_q("tab"), _q("br"), _q("cr")) else 0)
            a, b = pos, pos + length
            pos = b
            if keep_left:
                if a >= at:
                    run.remove(el)
                elif b > at:
                    el.text = (el.text or "")[: at - a]
                    el.set(XML_SPACE, "preserve")
            else:
                if b <= at:
                    run.remove(el)
                elif a < at:
                    el.text = (el.text or "")[at - a:]
                    el.set(XML_SPACE, "preserve")
    cut(r, True)
    cut(right, False)
    r.addnext(right)
    return right


def _isolate(p, start: int, end: int) -> list:
    """Return the runs of `p` covering exactly characters [start, end) of its text, splitting runs."""
    pos = 0
    for r in _plain_runs(p):
        n = len(_run_text(r))
        if pos < end and pos + n > start:
            if start > pos:
                _split_run(r, start - pos)
                return _isolate(p, start, end)
            if pos + n > end:
                _split_run(r, end - pos)
                return _isolate(p, start, end)
        pos += n
    out, pos = [], 0
    for r in _plain_runs(p):
        n = len(_run_text(r))
        if pos >= start and pos + n <= end and n:
            out.append(r)
        pos += n
    return out


def _text_run(text: str, rpr=None):
    from lxml import etree

    r = etree.Element(_q("r"))
    if rpr is not None:
        r.append(copy.deepcopy(rpr))
    t = etree.SubElement(r, _q("t"))
    t.text = text
    t.set(XML_SPACE, "preserve")
    return r


def _replace_tracked(ctx: _Context, p, start: int, end: int, new_text: str) -> bool:
    """Replace characters [start, end) of paragraph `p` by `new_text` as a tracked deletion + insertion."""
    runs = _isolate(p, start, end)
    if not runs:
        return False
    rpr = runs[0].find(_q("rPr"))
    deletion = ctx.mark("del")
    runs[0].addprevious(deletion)
    for r in runs:
        deletion.append(r)  # moves the run into w:del
        for t in r.iter(_q("t")):
            t.tag = _q("delText")
    if new_text:
        insertion = ctx.mark("ins")
        insertion.append(_text_run(new_text, rpr))
        deletion.addnext(insertion)
    return True


def _insert_tracked(ctx: _Context, p, at: int, new_text: str) -> bool:
    """Insert `new_text` before character `at` of paragraph `p` as a tracked insertion."""
    runs = _isolate(p, at, at + 1) if at < len(paragraph_text(p)) else []
    insertion = ctx.mark("ins")
    if runs:
        insertion.append(_text_run(new_text, runs[0].find(_q("rPr"))))
        runs[0].addprevious(insertion)
        return True
    insertion.append(_text_run(new_text))
    p.append(insertion)
    return True


def _comment(ctx: _Context, p, start: int, end: int, lines: list[str]) -> None:
    """Add a comment anchored to characters [start, end) of paragraph element `p`."""
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    runs = _isolate(p, start, end) if end > start else []
    para = Paragraph(p, ctx.document._body)
    if not runs:
        from clausegen.reporters.annotate import _anchor_runs

        proxies = _anchor_runs(para)
    else:
        proxies = [Run(r, para) for r in runs]
    comment = ctx.document.add_comment(proxies, text=lines[0], author=ctx.author,
                                       initials="".join(w[0] for w in ctx.author.split()[:3]).upper() or "CG")
    for line in lines[1:]:
        comment.add_paragraph(line)


# ---------------------------------------------------------------- numbering and places


_ZH_ARTICLE = re.compile(r"^\s*第\s*([一二三四五六七八九十百零〇两0-9]+)\s*条")
_EN_ARTICLE = re.compile(r"^\s*(Article|Section|Clause|ARTICLE|SECTION|CLAUSE)\s+(\d+)\b")
_NUMBERED = re.compile(r"^\s*(\d{1,2})(\.?)(\s+|\t)(?=\S)")
_ZH_ORDINAL = re.compile(r"^\s*([一二三四五六七八九十]+)、")


def _heading_kind(p, document) -> tuple[str, str] | None:
    """Return (kind, number) if Word paragraph `p` is a clause heading, else None.

    kind: "zh-article" (第八条), "en-article" (Article 8), "numbered" (8. / 8), "zh-ordinal" (八、),
    "auto" (Word numbering or a Heading style).
    """
    text = paragraph_text(p)
    if len(text) > 80:
        return None
    m = _ZH_ARTICLE.match(text)
    if m:
        return "zh-article", m.group(1)
    m = _EN_ARTICLE.match(text)
    if m:
        return f"en-article:{m.group(1)}", m.group(2)
    m = _ZH_ORDINAL.match(text)
    if m:
        return "zh-ordinal", m.group(1)
    m = _NUMBERED.match(text)
    if m and len(text) < 60:
        return f"numbered:{m.group(2)}{m.group(3)}", m.group(1)
    ppr = p.find(_q("pPr"))
    style = ppr.find(_q("pStyle")) if ppr is not None else None
    sid = style.get(_q("val")) if style is not None else ""
    if re.match(r"(?i)heading\s*[12]$|标题\s*[12]$|^[12]$", sid or "") and text.strip():
        return "auto", ""
    return None


_ZH_NTH = "一二三四五六七八九十"


def _new_number(kind: str, number: str, nth: int = 1) -> str:
    """Return the heading number of the `nth` clause inserted after clause `number`: 第八条之一,
    8A, Article 8A (then 第八条之二, 8B): later clauses keep their numbers, as in an amendment."""
    zh, letter = _ZH_NTH[min(nth, 10) - 1], chr(ord("A") + min(nth, 26) - 1)
    if kind == "zh-article":
        return f"第{number}条之{zh}"
    if kind.startswith("en-article:"):
        return f"{kind.split(':', 1)[1]} {number}{letter}"
    if kind == "zh-ordinal":
        return f"{number}之{zh}、"
    if kind.startswith("numbered:"):
        dot_space = kind.split(":", 1)[1]
        return f"{number}{letter}{dot_space}"
    return ""


def _body_blocks(document) -> list:
    body = document.element.body
    return [el for el in body if el.tag in (_q("p"), _q("tbl"), _q("sdt"))]


def _block_of(el, body):
    while el is not None and el.getparent() is not body:
        el = el.getparent()
    return el


@dataclass
class _Section:
    heading: object
    kind: str
    number: str
    last: object  # the last body block of the section


def _section_of(document, block) -> _Section | None:
    """Return the clause section holding body block `block` (its heading and its last block)."""
    blocks = _body_blocks(document)
    if block not in blocks:
        return None
    i = blocks.index(block)
    for h in range(i, -1, -1):
        el = blocks[h]
        kind = _heading_kind(el, document) if el.tag == _q("p") else None
        if kind is None:
            continue
        last = blocks[h]
        for j in range(h + 1, len(blocks)):
            nxt = blocks[j]
            other = _heading_kind(nxt, document) if nxt.tag == _q("p") else None
            if other is not None and other[0] == kind[0]:
                break
            last = nxt
        return _Section(el, kind[0], kind[1], last)
    return None


def _body_template(section: _Section):
    """Return the first ordinary paragraph after `section`'s heading, whose look new paragraphs copy."""
    el = section.heading.getnext()
    while el is not None and el is not section.last.getnext():
        if el.tag == _q("p") and paragraph_text(el).strip():
            return el
        el = el.getnext()
    return None


def _new_paragraph(ctx: _Context, text: str, like):
    """Return a new w:p with `text`, its look copied from paragraph `like`, marked as a tracked insertion."""
    from lxml import etree

    p = etree.Element(_q("p"))
    rpr = None
    if like is not None:
        ppr = like.find(_q("pPr"))
        if ppr is not None:
            ppr = copy.deepcopy(ppr)
            for drop in ("rPr", "sectPr", "pPrChange"):
                for el in ppr.findall(_q(drop)):
                    ppr.remove(el)
            p.append(ppr)
        first_run = next(iter(_plain_runs(like)), None)
        if first_run is not None and first_run.find(_q("rPr")) is not None:
            rpr = copy.deepcopy(first_run.find(_q("rPr")))
            for el in rpr.findall(_q("rPrChange")):
                rpr.remove(el)
    ppr = p.find(_q("pPr"))
    if ppr is None:
        ppr = etree.SubElement(p, _q("pPr"))
    mark_rpr = etree.SubElement(ppr, _q("rPr"))
    mark_rpr.append(ctx.mark("ins"))  # the paragraph mark itself is inserted
    ins = ctx.mark("ins")
    ins.append(_text_run(text, rpr))
    p.append(ins)
    return p


# ---------------------------------------------------------------- the clause to insert


_LIB_HEADING = re.compile(r"^\s*(?:第[一二三四五六七八九十百0-9]+条|\d+\.?)\s*")
_LIB_SUB = re.compile(r"^(\d+)\.(\d+)(\s)")


def _clause_lines(pid: str, lang: str, library, title: str, heading_number: str, kind: str) -> list[str]:
    """Return the lines of the library clause for `pid`, heading renumbered to `heading_number`."""
    from clausegen.render import render_provision_text

    text = render_provision_text(pid, lang, library=library)
    lines = _table_rows_as_lines([ln.rstrip() for ln in text.strip().splitlines() if ln.strip()], lang)
    head = _LIB_HEADING.sub("", lines[0]).strip() or title
    if kind == "auto" or not heading_number:
        lines[0] = head
    elif kind == "zh-article":
        lines[0] = f"{heading_number}　{head}"
    elif kind == "zh-ordinal":
        lines[0] = f"{heading_number}{head}"
    else:
        lines[0] = f"{heading_number}{head}" if heading_number.endswith((" ", "\t")) else f"{heading_number} {head}"
    sub = heading_number.strip().rstrip(".").split()[-1] if heading_number and kind not in ("zh-article", "zh-ordinal") else ""
    out = [lines[0]]
    for ln in lines[1:]:
        ln = ln.strip()
        if sub:
            ln = _LIB_SUB.sub(lambda m: f"{sub}.{m.group(2)}{m.group(3)}", ln)
        out.append(ln)
    return out


def _table_rows_as_lines(lines: list[str], lang: str) -> list[str]:
    """Return `lines` with a plain-text table (header, a rule of dashes, rows) turned into one line
    per row ("below 99%: 50%"), as a clause paragraph reads in Word."""
    out, i = [], 0
    while i < len(lines):
        if i + 1 < len(lines) and re.fullmatch(r"\s*-{3,}(?:\s+-{3,})+\s*", lines[i + 1]):
            header = re.split(r"\s{2,}", lines[i].strip())
            i += 2
            while i < len(lines) and len(re.split(r"\s{2,}", lines[i].strip())) == len(header) > 1:
                cells = re.split(r"\s{2,}", lines[i].strip())
                out.append(("    " + "；".join(f"{h}：{c}" for h, c in zip(header, cells)) + "；") if lang == "zh"
                           else "    " + "; ".join(f"{h}: {c}" for h, c in zip(header, cells)) + ";")
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return out


# ---------------------------------------------------------------- vague phrases


_VAGUE = {
    "zh": re.compile(r"及时|立即|立刻|尽快|尽速|马上|第一时间|尽早|迅速|合理(?:期限|时间)内"),
    "en": re.compile(r"(?i)\b(?:promptly|immediately|as soon as (?:reasonably )?(?:possible|practicable)|"
                     r"without undue delay|without delay|in a timely manner|forthwith|within a reasonable (?:time|period))\b"),
}

# Where a dispute clause says "arbitration": the firm's institution is named there.
_ARBITRATION = {"zh": re.compile(r"(?:提交|提请|申请)?仲裁"), "en": re.compile(r"(?i)\barbitration\b")}


def _notice_value(playbook: dict | None) -> dict:
    position = ((playbook or {}).get("positions") or {}).get("notice_within")
    if position:
        side = position["preferred"]
        bound = side.get("max") or side.get("min")
        return dict(bound)
    from clausegen.spec import starter_data

    return dict(starter_data("en")["notification"]["provider_notice"]["within"])


def _vague_replacement(phrase: str, lang: str, playbook) -> str:
    from clausegen.render.filters import duration

    bound = _notice_value(playbook)
    unit = "days" if bound["unit"] == "calendar_days" else bound["unit"]
    words = duration({"value": bound["value"], "unit": unit}, lang)
    if lang == "zh":
        return f"在知悉后{words}内"
    return f"within {words}"


# ---------------------------------------------------------------- the writer


def _locate(document, paragraphs, normals, locate, value):
    """Return (w:p element, start, end) of the text of `value` (a Value of the report) in the Word
    copy: in the paragraph and at the run its place names, else wherever its text first appears."""
    from clausegen.check.readers import paragraph_runs, word_paragraph
    from clausegen.reporters.annotate import _normal

    text = value.text
    for place in getattr(value, "runs", None) or ():
        p = word_paragraph(document, place.path)
        if p is None:
            continue
        t = paragraph_text(p)
        runs = paragraph_runs(p)
        target = runs[place.first] if 0 <= place.first < len(runs) else None
        at = 0
        for r in _plain_runs(p):
            if r is target:
                at += place.start
                if t[at:at + len(text)] == text:
                    return p, at, at + len(text)
                break
            at += len(_run_text(r))
        k = t.find(text)
        if k >= 0:
            return p, k, k + len(text)
    candidates = locate(value)
    order = list(candidates) + [i for i, n in enumerate(normals) if _normal(text) in n and i not in candidates]
    for i in order:
        p = paragraphs[i]._p
        k = paragraph_text(p).find(text)
        if k >= 0:
            return p, k, k + len(text)
    return None


def _owner_block(document, p):
    return _block_of(p, document.element.body)


def redline_docx(file_report, source_path, out_path, author: str | None = None, date: str | None = None,
                 library=None, playbook: dict | None = None) -> Path:
    """Write the redlined copy of Word contract `source_path` to `out_path`; return `out_path`.

    `file_report` is the checker's FileReport of that file; `author` and `date` (ISO 8601,
    default now) attribute every change; `playbook` supplies the firm's positions. Raises
    UsageError if the input is not a .docx or `out_path` is the input or not a .docx, InputError
    if the input cannot be opened.
    """

    from clausegen.outputs import write_atomic
    from clausegen.reporters.annotate import (
        _docx_paragraphs,
        _find_paragraph,
        _locator,
        _normal,
        _renumber_comments,
        open_word_copy,
    )
    from clausegen.reporters.labels import provision_title as _title

    source_path, out_path = Path(source_path), Path(out_path)
    document = open_word_copy(source_path, out_path, "--redline", "contract.redline.docx")
    lang = "zh" if file_report.language == "zh" else "en"
    body = document.element.body
    ids = [int(v) for el in body.iter() for k, v in el.attrib.items() if k == _q("id") and v.lstrip("-").isdigit()]
    ctx = _Context(document, (author or DEFAULT_AUTHOR).strip() or DEFAULT_AUTHOR,
                   date or datetime.now(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   max(ids, default=0) + 1000, lang)
    _renumber_comments(document)
    paragraphs = _docx_paragraphs(document)
    normals = [_normal(p.text) for p in paragraphs]
    locate = _locator(document, paragraphs)  # the places the report carries, found in this copy
    positions = {r.term: r for r in getattr(file_report, "positions", ())}
    book_positions = (playbook or {}).get("positions") or {}
    changes = {"inserted": [], "replaced": [], "commented": []}

    # 1. Values that miss the firm's position: tracked replacement by the preferred value.
    from clausegen.playbook import value_wording

    for term, r in positions.items():
        if r.verdict != "deviates" or r.value is None:
            continue
        new = value_wording(term, book_positions[term]["preferred"], lang)
        spot = _locate(document, paragraphs, normals, locate, r.value)
        if spot and new and _replace_tracked(ctx, spot[0], spot[1], spot[2], new):
            changes["replaced"].append((term, r.value.text, new))

    # 2. Weak provisions: replace the vague phrase where a value is known, else comment on it.
    for x in file_report.findings:
        if not x.rule.startswith("weak-") or x.paragraph is None:
            continue
        pid = x.provision
        title = _title(pid, lang)
        reader_text = None
        for cand in locate(x):
            reader_text = paragraphs[cand]._p
            m = _VAGUE[lang].search(paragraph_text(reader_text))
            if pid == "notification" and m:
                new = _vague_replacement(m.group(0), lang, playbook)
                if _replace_tracked(ctx, reader_text, m.start(), m.end(), new):
                    changes["replaced"].append((pid, m.group(0), new))
                    break
            inst = book_positions.get("arbitration_institution") if pid == "disputes" else None
            m2 = inst and _ARBITRATION[lang].search(paragraph_text(reader_text))
            if m2:  # the firm's institution named where the clause says "arbitration"
                name = value_wording("arbitration_institution", inst["preferred"], lang)
                # zh: before 仲裁 ("提交仲裁" → "提交<机构>仲裁"); en: after it
                at, words = (m2.end() - 2, name) if lang == "zh" else (m2.end(), f" administered by the {name}")
                _insert_tracked(ctx, reader_text, at, words)
                changes["replaced"].append((pid, "", name))
                break
            phrase = m or re.search(r"仲裁|双方协商|另行约定|协商确定" if lang == "zh" else
                                    r"(?i)\barbitration\b|\bas agreed\b|\bmutually agreed\b|\bto be agreed\b",
                                    paragraph_text(reader_text))
            if phrase:
                _comment(ctx, reader_text, phrase.start(), phrase.end(),
                         _TEXT[lang]["no_value"].format(title=title, message=x.message).split("\n"))
                changes["commented"].append((pid, phrase.group(0)))
                break

    # 3. Missing required provisions: the library clause, inserted after the section it follows.
    order = [p.id for p in file_report.provisions]
    placed: dict = {}  # the last block of a section -> (clauses inserted after it, the last inserted paragraph)
    for p in file_report.provisions:
        if p.status != "missing" or not p.required:
            continue
        anchor = None
        for prev in reversed(order[: order.index(p.id)]):
            ev = next((q for q in file_report.provisions if q.id == prev and q.status != "missing" and q.evidence), None)
            if ev is None:
                continue
            index = _find_paragraph(paragraphs, normals, locate, ev.evidence[0])
            if index is not None:
                anchor = _owner_block(document, paragraphs[index]._p)
                break
        section = _section_of(document, anchor) if anchor is not None else None
        if section is None:  # no related clause: after the last numbered clause, else at the end
            blocks = _body_blocks(document)
            heads = [b for b in blocks if b.tag == _q("p") and _heading_kind(b, document)]
            section = _section_of(document, heads[-1]) if heads else None
        title = _title(p.id, lang)
        if section is not None:
            count, last_new = placed.get(section.last, (0, section.last))
            number = _new_number(section.kind, section.number, count + 1)
            lines = _clause_lines(p.id, lang, library, title, number, section.kind)
            heading_like, body_like, after = section.heading, _body_template(section), last_new
        else:
            lines = _clause_lines(p.id, lang, library, title, "", "auto")
            blocks = _body_blocks(document)
            after = blocks[-1] if blocks else None
            heading_like = body_like = next((b for b in reversed(blocks) if b.tag == _q("p")), None)
        new = [_new_paragraph(ctx, lines[0], heading_like)]
        new += [_new_paragraph(ctx, ln, body_like if body_like is not None else heading_like) for ln in lines[1:]]
        for el in new if section is None or section.kind != "auto" else new[1:]:
            _drop_numbering(el)  # the number is in the text; Word would add a second one
        if after is None:
            sect = body.find(_q("sectPr"))
            for el in new:
                sect.addprevious(el) if sect is not None else body.append(el)
        else:
            for el in reversed(new):
                after.addnext(el)
        if section is not None:
            placed[section.last] = (placed.get(section.last, (0, None))[0] + 1, new[-1])
        changes["inserted"].append((p.id, lines[0]))

    buffer = io.BytesIO()
    document.save(buffer)
    write_atomic(out_path, buffer.getvalue())
    return out_path


def check_redline_target(files, out_path) -> None:
    """Raise UsageError unless `files` is one .docx file and `out_path` a new .docx in an existing folder."""
    from clausegen.errors import UsageError
    from clausegen.outputs import ensure_not_input

    files = [Path(f) for f in files]
    if len(files) != 1 or files[0].is_dir():
        raise UsageError(f"--redline writes one redlined copy, but {len(files)} contract(s) or a folder were given",
                         hint="check one .docx contract at a time with --redline")
    if files[0].suffix.lower() != ".docx":
        raise UsageError(f"--redline needs a Word .docx contract; {str(files[0])!r} is not one",
                         path=str(files[0]), hint="drop --redline for .pdf, .txt and .md contracts")
    out_path = Path(out_path)
    if out_path.suffix.lower() != ".docx":
        raise UsageError(f"the redlined copy must be a .docx file, not {str(out_path)!r}",
                         path=str(out_path), hint="name the output e.g. contract.redline.docx")
    ensure_not_input(out_path, files)
    if not out_path.resolve().parent.is_dir():
        raise UsageError(f"folder {str(out_path.parent)!r} for the redlined copy does not exist",
                         path=str(out_path), hint="create the folder first or choose another path")


def _drop_numbering(p) -> None:
    """Remove Word auto-numbering from inserted paragraph `p` (its number is written in its text)."""
    ppr = p.find(_q("pPr"))
    if ppr is not None:
        for el in ppr.findall(_q("numPr")):
            ppr.remove(el)


def changed_only_by_redline(original_xml: bytes, redlined_xml: bytes) -> bool:
    """Return whether `redlined_xml` (word/document.xml) equals `original_xml` once its tracked
    changes are rejected and its comment anchors removed (the redline changed nothing else)."""
    return canonical_body(original_xml) == canonical_body(reject_all(redlined_xml))


def reject_all(document_xml: bytes) -> bytes:
    """Return word/document.xml with every tracked change rejected and comment anchors removed."""
    from lxml import etree

    root = etree.fromstring(document_xml)
    for p in list(root.iter(_q("p"))):
        ppr = p.find(_q("pPr"))
        mark = ppr.find(_q("rPr")) if ppr is not None else None
        if mark is not None and mark.find(_q("ins")) is not None:
            p.getparent().remove(p)
    for ins in list(root.iter(_q("ins"))):
        ins.getparent().remove(ins)
    for d in list(root.iter(_q("del"))):
        parent = d.getparent()
        if parent.tag == _q("rPr"):
            parent.remove(d)
            continue
        index = parent.index(d)
        for child in list(d):
            for t in child.iter(_q("delText")):
                t.tag = _q("t")
            parent.insert(index, child)
            index += 1
        parent.remove(d)
    for tag in ("commentRangeStart", "commentRangeEnd"):
        for el in list(root.iter(_q(tag))):
            el.getparent().remove(el)
    for ref in list(root.iter(_q("commentReference"))):
        run = ref.getparent()
        run.getparent().remove(run)
    return etree.tostring(root)


def canonical_body(document_xml: bytes) -> list[tuple]:
    """Return the body as (paragraph style, text with run formatting) per paragraph, runs merged.

    Splitting a run in two (to anchor a change) does not change the document; this view ignores
    run boundaries but keeps each character's formatting.
    """
    from lxml import etree

    root = etree.fromstring(document_xml)
    out = []
    for p in root.iter(_q("p")):
        ppr = p.find(_q("pPr"))
        chars = []
        for r in p.iter(_q("r")):
            rpr = r.find(_q("rPr"))
            key = etree.tostring(rpr, method="c14n") if rpr is not None else b""
            for ch in _run_text(r):
                chars.append((ch, key))
        merged = []
        for ch, key in chars:
            if merged and merged[-1][1] == key:
                merged[-1][0] += ch
            else:
                merged.append([ch, key])
        out.append((etree.tostring(ppr, method="c14n") if ppr is not None else b"", tuple(map(tuple, merged))))
    return out


__all__ = ["DEFAULT_AUTHOR", "canonical_body", "changed_only_by_redline", "redline_docx", "reject_all"]

