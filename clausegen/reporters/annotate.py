"""Word comments on a copy of the checked .docx contract (`clausegen check --annotate`)."""

from __future__ import annotations

from pathlib import Path

from clausegen.reporters.labels import provision_title


COMMENT_AUTHOR = "clausegen"


COMMENT_INITIALS = "CG"


_ANNOTATE_TEXT = {
    "zh": {"present": "具备", "weak": "薄弱", "missing": "缺失", "confidence": "置信度",
           "suggestion": "建议条款：", "elsewhere": "（依据位于第 {n} 段）"},
    "en": {"present": "present", "weak": "weak", "missing": "missing", "confidence": "confidence",
           "suggestion": "Suggested clause:", "elsewhere": "(evidence in paragraph {n})"},
}


def _docx_paragraphs(document) -> list:
    """Return every paragraph of the body in document order, table cells and content controls included."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    body = document.element.body
    return [Paragraph(p, document._body) for p in body.iter(qn("w:p"))]


def _normal(text: str) -> str:
    return "".join(str(text).split())


def _locator(document, paragraphs: list):
    """Return a function: an evidence, finding or value of the report -> the indices in `paragraphs`
    (the Word copy's paragraphs) it lies in, found from the place the report carries.

    Its `runs` name each Word paragraph by path (readers.word_paragraph follows it: a body
    paragraph, a table cell's paragraph, however deep); a report without them (made by hand)
    falls back to its `part`, the reader's paragraph (("p", n): the n-th paragraph of the body;
    ("tbl", t, row): a row of the t-th body table, nested tables' rows counted in document order).
    The contract is never read again: only the copy being written is looked at.
    """
    from clausegen.check.readers import _P, docx_blocks, docx_table_rows, word_paragraph

    index_of = {p._p: i for i, p in enumerate(paragraphs)}
    blocks = list(docx_blocks(document.element.body))
    direct = [b for b in blocks if b.tag == _P]
    tables = [b for b in blocks if b.tag != _P]
    rows_of: dict[int, list] = {}

    def by_part(part) -> list[int]:
        part, elements = tuple(part or ()), []
        if len(part) == 2 and part[0] == "p" and part[1] < len(direct):
            elements = [direct[part[1]]]
        elif len(part) == 3 and part[0] == "tbl" and part[1] < len(tables):
            if part[1] not in rows_of:
                rows_of[part[1]] = [[p for cell in cells for p in cell]
                                    for _, cells, _, _ in docx_table_rows(tables[part[1]])]
            rows = rows_of[part[1]]
            if part[2] < len(rows):
                elements = rows[part[2]]
        return [index_of[e] for e in elements if e in index_of]

    def locate(item) -> list[int]:
        found: list[int] = []
        for place in getattr(item, "runs", None) or ():
            index = index_of.get(word_paragraph(document, place.path))
            if index is not None and index not in found:
                found.append(index)
        return found or by_part(getattr(item, "part", None))

    return locate


def _find_paragraph(paragraphs: list, normals: list[str], locate, evidence) -> int | None:
    """Return the index in `paragraphs` holding `evidence`'s text.

    The paragraph its run range names is taken as it is; with only the reader's paragraph (its
    `part`), the one agreeing with the quote is taken (in a table row, the cell holding it);
    otherwise the text is searched for, the paragraph nearest the evidence's number winning ties.
    """
    candidates = locate(evidence)
    if candidates and getattr(evidence, "runs", None):
        return candidates[0]
    target = _normal(evidence.text)
    probes = [p for p in (target, target[:40], target[:15]) if p]
    if candidates:
        joined = "".join(normals[i] for i in candidates)
        if any(probe in joined for probe in probes):
            for probe in probes:
                for i in candidates:
                    if probe in normals[i]:
                        return i
            return next((i for i in candidates if normals[i]), candidates[0])
    for probe in probes:
        hits = [i for i, n in enumerate(normals) if probe in n]
        if hits:
            return min(hits, key=lambda i: abs(i - evidence.paragraph))
    return None


def _place(locate, finding) -> int | None:
    """Return the index of the Word paragraph where `finding`'s paragraph starts, or None."""
    if finding.paragraph is None:
        return None
    found = locate(finding)
    return found[0] if found else None


def _anchor_runs(paragraph) -> list:
    """Return the runs a comment can span in `paragraph`, adding an empty run if it has none."""
    runs = list(paragraph.runs)
    if not runs:
        for item in paragraph.iter_inner_content():
            runs.extend(getattr(item, "runs", []))
    if not runs:
        runs = [paragraph.add_run("")]
    return runs


def _renumber_comments(document) -> None:
    """Give every existing comment of `document` a whole-number id (its anchors follow).

    Word writes whole numbers; a comment with w:id="x" (a damaged or crafted file) would stop
    python-docx from choosing the next id. Ids that are numbers are kept.
    """
    from docx.oxml.ns import qn

    try:
        comments = document.part._comments_part.element
    except (AttributeError, KeyError, ValueError):
        return
    key = qn("w:id")
    items = list(comments.iterchildren(qn("w:comment")))
    numbers = [int(c.get(key)) for c in items if (c.get(key) or "").strip().lstrip("-").isdigit()]
    mapping: dict[str, str] = {}
    next_id = max(numbers, default=-1) + 1
    for c in items:
        old = c.get(key)
        if old is not None and old.strip().lstrip("-").isdigit():
            continue
        if old not in mapping:
            mapping[old] = str(next_id)
            next_id += 1
        c.set(key, mapping[old])
    if not mapping:
        return
    anchors = (qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:commentReference"))
    for el in document.element.body.iter(*anchors):
        if el.get(key) in mapping:
            el.set(key, mapping[el.get(key)])


def _add_comment(document, paragraph, lines: list[str]) -> None:
    comment = document.add_comment(_anchor_runs(paragraph), text=lines[0],
                                   author=COMMENT_AUTHOR, initials=COMMENT_INITIALS)
    for line in lines[1:]:
        comment.add_paragraph(line)


def _suggestion_for(file_report, pid: str) -> str | None:
    """Return the suggested clause the report carries for provision `pid` (its findings'), or None."""
    return next((x.suggestion for x in file_report.findings if x.provision == pid and x.suggestion), None)


def open_word_copy(source_path: Path, out_path: Path, option: str, example: str):
    """Return the python-docx Document of `source_path`, to be written as a marked-up copy at `out_path`.

    Refuses (UsageError) a source or an output that is not .docx, or an output that is the source;
    raises InputError when Word's file cannot be opened. `option` and `example` word the messages.
    """
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from clausegen.errors import InputError, UsageError
    from clausegen.outputs import ensure_not_input

    if source_path.suffix.lower() != ".docx":
        raise UsageError(f"{option} needs a Word .docx contract; {str(source_path)!r} is not one",
                         path=str(source_path), hint=f"drop {option}, or check the .docx version of the contract")
    if out_path.suffix.lower() != ".docx":
        kind = "annotated" if option == "--annotate" else "redlined"
        raise UsageError(f"the {kind} copy must be a .docx file, not {str(out_path)!r}",
                         path=str(out_path), hint=f"name the output e.g. {example}")
    ensure_not_input(out_path, [source_path])
    try:
        return docx.Document(str(source_path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"cannot open the Word file: {exc}", path=str(source_path),
                         hint="open and re-save it in Word, then try again") from None


def annotate_docx(file_report, source_path, out_path) -> Path:
    """Write a copy of the Word contract `source_path` with comments from `file_report` to `out_path`.

    Each evidence paragraph gets a comment (status and provision title, and the findings about
    that provision); each missing provision gets a comment on the first paragraph carrying the
    library's suggested clause. Raises UsageError if the input is not a .docx or `out_path`
    is the input, InputError if the input cannot be opened or the output cannot be written.
    Return the path written.
    """
    import io

    from clausegen.outputs import write_atomic

    source_path, out_path = Path(source_path), Path(out_path)
    document = open_word_copy(source_path, out_path, "--annotate", "contract.annotated.docx")
    text = _ANNOTATE_TEXT["zh" if file_report.language == "zh" else "en"]
    lang = "zh" if file_report.language == "zh" else "en"
    paragraphs = _docx_paragraphs(document)
    normals = [_normal(p.text) for p in paragraphs]
    locate = _locator(document, paragraphs)
    first = next((p for p, n in zip(paragraphs, normals) if n), paragraphs[0] if paragraphs else None)
    if first is None:
        first = document.add_paragraph("")

    notes: dict[int, list[str]] = {}  # paragraph index -> comment blocks, one comment each
    top: list[list[str]] = []
    for p in file_report.provisions:
        title = f"{provision_title(p.id, lang)} ({p.id})"
        findings = [x for x in file_report.findings if x.provision == p.id]
        if p.status == "missing":
            if not p.required and all(x.severity == "info" for x in findings):
                continue  # optional provisions are information, not a gap to paste a clause into
            lines = [f"clausegen: {title} — {text['missing']}"]
            lines += [f"{x.severity}: {x.message}" for x in findings]
            suggestion = _suggestion_for(file_report, p.id)
            if suggestion:
                lines.append(text["suggestion"])
                lines += [s.strip() for s in suggestion.strip().splitlines() if s.strip()]
            top.append(lines)
            continue
        # A finding with a paragraph (the vague sentence) gets its own comment there; the others
        # ride on the first evidence comment. A weak provision's suggestion goes with its finding.
        loose = []
        suggestion_given = False
        located = [_find_paragraph(paragraphs, normals, locate, e) for e in p.evidence]
        for x in findings:
            spot = _place(locate, x)
            # A finding about a paragraph that holds evidence goes where the evidence is (in a table
            # row, the cell holding the passage, not the row's first cell).
            same = [n for n, e in enumerate(p.evidence) if e.paragraph == x.paragraph and located[n] is not None]
            if same:
                spot = located[same[0]]
            if spot is not None and spot == (located[0] if located else None):
                spot = None  # the first evidence paragraph: one comment says it all
            lines = [f"clausegen: {title} — {x.severity}: {x.message}"]
            suggestion = x.suggestion or (_suggestion_for(file_report, p.id) if p.status == "weak"
                                          and not suggestion_given else None)
            if suggestion:
                lines += [text["suggestion"]] + [s.strip() for s in suggestion.strip().splitlines() if s.strip()]
                suggestion_given = True
            if spot is None:
                loose.append(lines)
            else:
                notes.setdefault(spot, []).append("\n".join(lines))
        for n, (e, index) in enumerate(zip(p.evidence, located)):
            lines = [f"clausegen: {title} — {text[p.status]} ({text['confidence']} {p.confidence:.2f})"]
            if n == 0:
                for extra in loose:
                    lines += [extra[0].split(" — ", 1)[1]] + extra[1:]
                if p.status == "weak" and not suggestion_given:
                    suggestion = _suggestion_for(file_report, p.id)
                    if suggestion:
                        lines += [text["suggestion"]] + [s.strip() for s in suggestion.strip().splitlines()
                                                         if s.strip()]
            if index is None:
                lines[0] += " " + text["elsewhere"].format(n=e.paragraph + 1)
                top.append(lines)
            else:
                notes.setdefault(index, []).append("\n".join(lines))
    # Findings not about a listed provision (quality issues) go on their paragraph or the top.
    known = {p.id for p in file_report.provisions}
    for x in file_report.findings:
        if x.provision in known:
            continue
        lines = [f"clausegen: {x.severity}: {x.rule}: {x.message}"]
        if x.suggestion:
            lines += [text["suggestion"], x.suggestion.strip()]
        spot = _place(locate, x)
        if spot is not None:
            notes.setdefault(spot, []).append("\n".join(lines))
        else:
            top.append(lines)

    _renumber_comments(document)
    for lines in top:
        _add_comment(document, first, lines)
    for index in sorted(notes):
        for block in notes[index]:
            _add_comment(document, paragraphs[index], block.split("\n"))
    buffer = io.BytesIO()
    document.save(buffer)
    write_atomic(out_path, buffer.getvalue())
    return out_path
