"""Render a spec into clauses: templates → clause model → writers (docx, md, txt, html)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
from pathlib import Path

from clausegen.errors import InputError, LibraryError, UsageError
from clausegen.render.model import Clause, Document, Part, parse_blocks

FORMATS = ("docx", "pdf", "md", "txt", "html")
SUFFIXES = {".docx": "docx", ".pdf": "pdf", ".md": "md", ".markdown": "md", ".txt": "txt", ".html": "html", ".htm": "html"}
PREAMBLE = "_preamble"
# Clauses the library drafts beside the provisions, when it has their templates: the definitions
# first, the general provisions (order of precedence, signature) last. Unnumbered closing sections
# follow the clauses: execution blocks, and the open points of a draft.
EXTRA_CLAUSES = {"_definitions": {"zh": "定义", "en": "Definitions"},
                 "_general": {"zh": "其他约定", "en": "General"}}
CLOSING = {"execution": {"zh": "签署页", "en": "Execution"}, "open": {"zh": "待定事项", "en": "Open points"}}


# Writers by format: (module, function). Imported on demand: python-docx only for Word output.
WRITERS = {
    "docx": ("clausegen.render.docx", "write_docx"),
    "pdf": ("clausegen.render.pdf", "write_pdf"),  # the Word document, through LibreOffice
    "md": ("clausegen.render.markdown", "write_markdown"),
    "txt": ("clausegen.render.text", "write_text"),
    "html": ("clausegen.render.html", "write_html"),
}


def _writer(fmt: str):
    import importlib

    try:
        module, name = WRITERS[fmt]
    except KeyError:
        raise UsageError(f"unknown output format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}") from None
    return getattr(importlib.import_module(module), name)


def _family(data: dict, library):
    from clausegen.library import DEFAULT_FAMILY, Library, load_library

    lib = library if isinstance(library, Library) else load_library(library)
    return lib.family(data.get("family") or DEFAULT_FAMILY)


def _spec_parts(spec_or_data) -> tuple[dict, str | None, str]:
    """Return (data, sha256, source name) of a Spec, a mapping, or a spec path."""
    if isinstance(spec_or_data, (str, Path)):
        spec_or_data = load(Path(spec_or_data))
    if isinstance(spec_or_data, dict):
        return spec_or_data, None, "<spec>"
    return spec_or_data.data, getattr(spec_or_data, "sha256", None), str(getattr(spec_or_data, "path", "<spec>"))


def load(path: Path):
    """Load and validate the spec at `path` (clausegen.spec.load_spec); raises SpecError or InvalidSpec."""
    from clausegen.spec import load_spec

    return load_spec(path)


def document_date(data: dict) -> _dt.datetime:
    """Return the date stamped into the output: the spec's document.date, else SOURCE_DATE_EPOCH.

    Falls back to 2000-01-01 so that output never depends on the clock.
    """
    from clausegen.render.filters import to_date

    raw = (data.get("document") or {}).get("date")
    if raw:
        try:
            d = to_date(raw)
            return _dt.datetime(d.year, d.month, d.day, tzinfo=_dt.timezone.utc)
        except ValueError:
            pass
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc)
    return _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)


def _provisions(family, data: dict, only: str | None):
    for prov in family.provisions:
        if only is not None:
            if prov.id == only:
                yield prov
        elif prov.required or data.get(prov.id):
            # Optional provisions are drafted only when the spec has their section.
            yield prov


def _template_name(family, pid: str, lang: str, position: str) -> str | None:
    path = family.template(pid, lang, position)
    return None if path is None else family.relpath(path)


def _check_variables(env, family, names: list[str], context: dict) -> None:
    from clausegen.render.environment import undeclared

    missing = undeclared(env, names, context)
    if not missing:
        return
    first_file, first_line, _ = missing[0]
    lines = [f"{f}:{line}: `{var}`" for f, line, var in missing]
    noun = "variable" if len(missing) == 1 else "variables"
    raise LibraryError(
        f"the templates use {len(missing)} {noun} that the spec does not provide:\n  " + "\n  ".join(lines),
        path=first_file, line=first_line,
        hint="add the missing sections to the spec (clausegen new prints every section), "
             "or fix the template",
    )


def _render_part(env, family, data: dict, lang: str, position: str, only: str | None,
                 document_lang: str | None = None, open_points: tuple = ()) -> Part:
    from clausegen.render.environment import build_context, render_template
    from clausegen.render.filters import localized

    context = build_context(data, lang, document_lang)
    context["open_points"] = open_points
    plan = []
    for prov in _provisions(family, data, only):
        name = _template_name(family, prov.id, lang, position)
        if name is None:
            raise LibraryError(f"the library has no {lang} template for provision {prov.id!r}",
                               path=str(family.layers[0] / lang / f"{prov.id}.j2"),
                               hint=f"add {lang}/{prov.id}.j2 to the clause family")
        plan.append((prov, name))
    preamble_name = f"{lang}/{PREAMBLE}.j2" if only is None and family.find(f"{lang}/{PREAMBLE}.j2") else None
    wanted = [k for k in EXTRA_CLAUSES
              if not (k == "_definitions" and (data.get("document") or {}).get("definitions_clause") is False)]
    extras = {key: f"{lang}/{key}.j2" for key in wanted if only is None and family.find(f"{lang}/{key}.j2")}
    names = [n for _, n in plan] + ([preamble_name] if preamble_name else []) + list(extras.values())
    _check_variables(env, family, names, context)

    clauses = []
    for prov, name in plan:
        blocks = parse_blocks(render_template(env, name, context), lang)
        heading = localized(prov.title, lang) or prov.id
        clauses.append(Clause(id=prov.id, heading=heading, blocks=blocks))
    for key, name in extras.items():
        # An extra clause with nothing to say (no precedence, not signed alone) is left out.
        blocks = parse_blocks(render_template(env, name, context), lang)
        if blocks:
            clause = Clause(id=key.lstrip("_"), heading=EXTRA_CLAUSES[key][lang], blocks=blocks)
            clauses.insert(0, clause) if key == "_definitions" else clauses.append(clause)
    preamble = parse_blocks(render_template(env, preamble_name, context), lang) if preamble_name else ()
    title = localized((data.get("document") or {}).get("title"), lang) or localized(family.title, lang)
    closing = _closing(data, lang, context) if only is None else ()
    return Part(lang=lang, title=title, preamble=preamble, clauses=tuple(clauses), closing=closing)


def _execution(data: dict, lang: str, context: dict):
    """Return the execution block: a column per party, in the spec's order of parties.

    A bilingual document is signed once: its block (in the Chinese part) names each party in both
    languages.
    """
    from clausegen.render.environment import party_term
    from clausegen.render.filters import localized
    from clausegen.render.model import Paragraph, Table

    parties = data.get("parties") or {}
    headers, rows = [], None
    for who in context["party_order"]:
        party = parties.get(who) or {}
        zh = f"{party_term(parties, who, 'zh')}：{localized(party.get('name'), 'zh')}（盖章）"
        en = f"Signed for and on behalf of {localized(party.get('name'), 'en')} (the {party_term(parties, who, 'en')})"
        if context["bilingual"]:
            headers.append(f"{zh}\n{en}")
            rows = ("法定代表人或授权代表（签字）\nSignature of authorised representative: ______________",
                    "姓名 Name:", "职务 Title:", "日期 Date:")
        elif lang == "zh":
            headers.append(zh)
            rows = ("法定代表人或授权代表（签字）：", "日期：\u3000\u3000年\u3000\u3000月\u3000\u3000日")
        else:
            headers.append(en)
            rows = ("Signature: ______________________", "Name:", "Title:", "Date:")
    # Chinese practice: a signature page with the seal and signature lines, no recital.
    intro = () if lang == "zh" else (Paragraph(
        f"Signed by the duly authorised representatives of the Parties on the date stated at the beginning "
        f"of {context['this']}.", level=0),)
    heading = "签署页 / Execution" if context["bilingual"] else CLOSING["execution"][lang]
    return Clause(id="execution", heading=heading,
                  blocks=intro + (Table(header=tuple(headers), rows=tuple((r,) * len(headers) for r in rows),
                                        kind="signature"),))


def _closing(data: dict, lang: str, context: dict) -> tuple:
    """Return the unnumbered sections after the clauses: execution blocks where the document is signed
    on its own, and the open points of a draft."""
    from clausegen.render.model import Paragraph

    out = []
    document = data.get("document") or {}
    if document.get("standalone") and not (context["bilingual"] and lang == "en"):
        out.append(_execution(data, lang, context))
    open_points = context.get("open_points") or ()
    if open_points:
        intro = ("本草稿中以【　】标示的下列事项尚待双方商定：" if lang == "zh" else
                 "The following points, shown as [●] in this draft, are still to be agreed:")
        out.append(Clause(id="open-points", heading=CLOSING["open"][lang],
                          blocks=(Paragraph(intro, level=0),) + tuple(Paragraph(p, level=1) for p in open_points)))
    return tuple(out)


def render(spec_or_data, lang: str | None = None, library=None, only: str | None = None,
           draft: bool = False) -> Document:
    """Return the clause model of `spec_or_data` (a Spec, its data, or a spec path) in `lang`.

    `lang` is zh, en or bilingual (default: the spec's language); `library` a Library, a firm
    folder or None (built-in). `only` renders a single provision. Raises LibraryError when a
    template uses a variable the spec lacks (every one is listed, with template file and line)
    or fails while rendering. `draft` renders the values the spec leaves open (TBD, 待定) as blanks
    (【　】, [●]) and lists them in a closing section. The library wording used is the spec's
    `position` seen from the side it acts for (`wording_position`).
    """
    from clausegen.render.environment import environment
    from clausegen.spec import visible

    original, sha, _ = _spec_parts(spec_or_data)
    data = visible(original)  # no invisible character or bidirectional control reaches a document
    lang = lang or data.get("language") or "en"
    if lang not in ("zh", "en", "bilingual"):
        raise UsageError(f"unknown language {lang!r}", hint="use zh, en or bilingual")
    family = _family(data, library)
    position = wording_position(data)
    env = environment(tuple(family.layers))
    langs = ("zh", "en") if lang == "bilingual" else (lang,)
    if draft:
        from clausegen.draft import blank_parts

        parts = tuple(_render_part(env, family, blanked, code, position, only, lang, open_points)
                      for code, (blanked, open_points) in zip(langs, blank_parts(data, langs)))
    else:
        parts = tuple(_render_part(env, family, data, code, position, only, lang) for code in langs)
    provenance = family.provenance(lang, position) if hasattr(family, "provenance") else {}
    meta = {
        "library": provenance.get("library", "clausegen-builtin"),
        "family": family.id,
        "family_version": family.version,
        "templates": provenance.get("templates", {}),
        "spec_sha256": sha or hashlib.sha256(repr(sorted(original.items())).encode()).hexdigest(),
        "date": document_date(data),
        "position": position,
    }
    numbering = (data.get("document") or {}).get("numbering") or {}
    start = numbering.get("start") if isinstance(numbering.get("start"), int) else 1
    document = Document(lang=lang, parts=parts, meta=meta, start=start if only is None else 1)
    from clausegen.render.filters import localized
    from clausegen.render.model import resolve_references

    prefix = {code: localized(numbering.get("prefix"), code) for code in langs if numbering.get("prefix")}
    headings = None
    if only is not None:  # cite the other clauses by their headings (the library's anchors live in known clauses)
        from clausegen.render.filters import localized as _loc
        from clausegen.render.model import ANCHOR_HOMES

        titles = {p.id: p.title for p in family.provisions}
        headings = {code: {a: _loc(titles[home], code) for a, home in ANCHOR_HOMES.items() if home in titles}
                    for code in langs}
    try:
        return resolve_references(document, prefix, headings)
    except ValueError:
        if only is None:
            raise LibraryError("a template refers to a paragraph no template anchors",
                               hint="anchor the paragraph with `- [#name] ...`") from None
    # A firm's own anchor: find its clause in the whole document.
    from clausegen.render.model import headings_by_anchor

    whole = render(spec_or_data if isinstance(spec_or_data, dict) else original, lang=lang, library=library,
                   draft=draft)
    try:
        return resolve_references(document, prefix, headings_by_anchor(whole))
    except ValueError as exc:
        raise LibraryError(f"a template {exc}", hint="anchor the paragraph with `- [#name] ...`") from None


def wording_position(data: dict) -> str:
    """Return the library wording to use: the spec's `position`, seen from the side the drafter acts for.

    The library's preferred wording favours the customer; a drafter acting for the provider who
    asks for the preferred position gets the provider-friendly (fallback) wording, and vice versa.
    """
    position = data.get("position") or "preferred"
    if data.get("acting_for") == "provider":
        return {"preferred": "fallback", "fallback": "preferred"}.get(position, position)
    return position


def write(document: Document, fmt: str, reference_docx=None) -> bytes:
    """Return `document` written as `fmt` (docx, md, txt, html); `reference_docx` styles Word output."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown output format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
    if fmt in ("docx", "pdf"):
        return _writer(fmt)(document, reference_docx=reference_docx)
    return _writer(fmt)(document)


def format_for(out: Path, fmt: str | None) -> str:
    """Return the output format: `fmt` if given, else the one the suffix of `out` names."""
    if fmt:
        return fmt
    suffix = Path(out).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    raise UsageError(f"cannot tell the output format from {str(out)!r}", path=str(out),
                     hint="name the file .docx, .pdf, .md, .txt or .html, or pass --format")


def render_file(spec_path, out, fmt=None, lang=None, reference_docx=None, library=None,
                warnings: list | None = None, draft: bool = False) -> Path:
    """Render the spec at `spec_path` into `out` and return the path written.

    Nothing is written unless the spec is valid and every template renders; the file is written
    atomically and never over the spec or the reference document. Warnings (the spec's own, and
    texts that would appear in the other language in `lang` clauses) are appended to `warnings`
    when a list is given. Raises SpecError, InvalidSpec, LibraryError, UsageError or InputError.
    """
    from clausegen.outputs import ensure_not_input, write_atomic

    spec_path, out = Path(spec_path), Path(out)
    fmt = format_for(out, fmt)
    inputs = [spec_path] + ([Path(reference_docx)] if reference_docx else [])
    ensure_not_input(out, inputs)
    if reference_docx is not None:
        if fmt not in ("docx", "pdf"):
            raise UsageError("--reference-docx only applies to Word and PDF output",
                             hint="write a .docx or .pdf, or drop the option")
        if not Path(reference_docx).is_file():
            raise InputError(f"reference document {str(reference_docx)!r} not found", path=str(reference_docx))
    if draft:
        from clausegen.draft import load_draft

        spec = load_draft(spec_path)
    else:
        spec = load(spec_path)
    if warnings is not None:
        from clausegen.spec import language_problems

        warnings.extend(spec.warnings)
        warnings.extend(language_problems(spec.data, lang or spec.data.get("language") or "en", spec.marks, spec.path))
    document = render(spec, lang=lang, library=library, draft=draft)
    write_atomic(out, write(document, fmt, reference_docx=reference_docx))
    return out


def render_provision_text(pid: str, lang: str, data: dict | None = None, library=None) -> str:
    """Return one provision's clause as plain text (heading, then numbered paragraphs).

    Rendered from `data`, or from `spec.starter_data(lang)` when None; used for the checker's
    suggestions. Raises LibraryError for an unknown provision or a broken template.
    """
    from clausegen.render.text import clause_text

    if data is None:
        from clausegen.spec import starter_data

        data = starter_data(lang, library)
    family = _family(data, library)
    if pid not in {p.id for p in family.provisions}:
        raise LibraryError(f"no provision {pid!r} in clause family {family.id!r}",
                           hint="known: " + ", ".join(p.id for p in family.provisions))
    code = "zh" if lang == "bilingual" else lang
    document = render(data, lang=code, library=library, only=pid)
    clause = document.parts[0].clauses[0]
    number = next(i for i, p in enumerate(family.provisions, 1) if p.id == pid)
    return clause_text(clause, number, code)


__all__ = ["FORMATS", "WRITERS", "render", "write", "render_file", "render_provision_text", "format_for"]


def render_bytes(spec, format: str = "docx", *, lang: str | None = None, library=None, reference_docx=None) -> bytes:
    """Return the clauses of `spec` written as `format` (docx, md, txt or html): `clausegen.render`.

    `spec` is a loaded `Spec`, a spec file (path), its YAML text or its data (dict); it is
    validated first. `lang` is zh, en or bilingual (default: the spec's); `library` a firm's
    folder; `reference_docx` a Word document whose styles Word output takes. Raises InvalidSpec
    (every problem in `.problems`), SpecError, LibraryError, UsageError or InputError.
    """
    from clausegen.spec import spec_from_source

    if reference_docx is not None and not Path(reference_docx).is_file():
        raise InputError(f"reference document {str(reference_docx)!r} not found", path=str(reference_docx))
    document = render(spec_from_source(spec, lang, library), lang=lang, library=library)
    return write(document, format, reference_docx=reference_docx)


# `clausegen.render` is this package, and calling it calls `render_bytes` (the public API).
from clausegen.callable import make_callable  # noqa: E402

make_callable(__name__, render_bytes)
