"""The public Python API: validate a spec, render clauses, check a contract (docs/api.md).

Each function is what the command line and the web form call, and returns the same values:
`Problem`s, the bytes of a document, a `FileReport`. Errors (clausegen could not do its job)
raise `ClausegenError`s; what is wrong with a spec or a contract is returned, never raised.
"""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

#: Suffix of the file a contract's bytes are checked as, from their first bytes (see `check`).
_MAGIC = ((b"PK\x03\x04", ".docx"), (b"%PDF", ".pdf"))


def _is_path(source) -> bool:
    """Return whether `source` names a file rather than holding YAML text (see `validate`)."""
    if isinstance(source, os.PathLike):
        return True
    return isinstance(source, str) and "\n" not in source and source.strip() != "" and Path(source).is_file()


def validate(source, *, lang: str | None = None, library=None) -> list:
    """Return every problem of a spec, sorted by line (an empty list: the spec is valid).

    `source` is a spec file (a path), the spec's YAML text, or its data (a dict). A str is a path
    when it names an existing file and holds no line break, else YAML text. Problems are worded
    in `lang` (zh or en; default: the spec's own). With `library` (a firm's folder) the spec's
    family must be one that library has. Raises SpecError when a spec file cannot be read.
    """
    from clausegen import spec
    from clausegen.yamlsource import load_yaml_file, load_yaml_text

    if isinstance(source, dict):
        found = spec.validate(source, lang=lang)
        if library is not None:
            found += spec.family_problems(source, None, "<spec>", lang, library)
        return sorted(found, key=lambda p: (p.line or 0, p.col or 0))
    if _is_path(source):
        doc, name = load_yaml_file(source), str(source)  # unreadable: SpecError, raised
    else:
        from clausegen.errors import MalformedYaml

        name = "<text>"
        try:
            doc = load_yaml_text(str(source), name)
        except MalformedYaml as exc:  # read, but not a usable YAML spec: a problem, as the CLI shows
            return [spec.load_problem(exc, name, lang)]
    return spec.document_problems(doc, name, lang, library)


def _spec_data(spec_source, lang: str | None, library):
    """Return the valid spec `spec_source` (Spec, dict, path or YAML text) ready to render.

    Raises InvalidSpec with every problem when it is not valid, SpecError when it cannot be read.
    """
    from clausegen.errors import InvalidSpec
    from clausegen.spec import Spec, load_spec

    if isinstance(spec_source, Spec):
        return spec_source
    if _is_path(spec_source):
        return load_spec(spec_source, lang=lang if lang in ("zh", "en") else None)
    problems = validate(spec_source, lang=lang if lang in ("zh", "en") else None, library=library)
    if any(p.severity == "error" for p in problems):
        raise InvalidSpec(problems, path="<spec>" if isinstance(spec_source, dict) else "<text>")
    if isinstance(spec_source, dict):
        return spec_source
    from clausegen.yamlsource import load_yaml_text

    return load_yaml_text(str(spec_source), "<text>").data


def render(spec, format: str = "docx", *, lang: str | None = None, library=None, reference_docx=None) -> bytes:
    """Return the clauses of `spec` written as `format` (docx, md, txt or html).

    `spec` is a loaded `Spec`, a spec file (path), its YAML text or its data (dict); it is
    validated first. `lang` is zh, en or bilingual (default: the spec's); `library` a firm's
    folder; `reference_docx` a Word document whose styles Word output takes. Raises InvalidSpec
    (every problem in `.problems`), SpecError, LibraryError or UsageError.
    """
    from clausegen.errors import InputError
    from clausegen.render import render as render_document
    from clausegen.render import write

    if reference_docx is not None and not Path(reference_docx).is_file():
        raise InputError(f"reference document {str(reference_docx)!r} not found", path=str(reference_docx))
    document = render_document(_spec_data(spec, lang, library), lang=lang, library=library)
    return write(document, format, reference_docx=reference_docx)


def check(source, *, name: str | None = None, lang: str = "auto", library=None, playbook=None):
    """Return the `FileReport` of a contract: its provisions (present, weak, missing) and findings.

    `source` is a contract file (.docx, .pdf, .txt, .md) or its bytes; for bytes, `name` (e.g.
    "contract.docx") tells the format and names the report, else the format is told from the
    bytes (Word, PDF, else text). `lang` is auto, zh or en; `library` a firm's folder;
    `playbook` a playbook file or mapping. Raises InputError for an unreadable contract.
    """
    from clausegen.check import check_file
    from clausegen.errors import ClausegenError

    if not isinstance(source, (bytes, bytearray, memoryview)):
        return check_file(source, lang=lang, library=library, playbook=playbook)
    import dataclasses
    import tempfile

    data = bytes(source)
    suffix = Path(name).suffix.lower() if name else next((s for m, s in _MAGIC if data.startswith(m)), ".txt")
    shown = name or f"<bytes>{suffix}"
    with tempfile.TemporaryDirectory(prefix="clausegen-") as tmp:
        path = Path(tmp) / f"contract{suffix}"
        path.write_bytes(data)
        try:
            report = check_file(path, lang=lang, library=library, playbook=playbook)
        except ClausegenError as exc:  # name the caller's contract, not the temporary file
            if exc.path and str(exc.path) == str(path):
                exc.path = shown
            raise
    return dataclasses.replace(report, path=shown)


class CallableModule(types.ModuleType):
    """A module that can also be called: `clausegen.render` and `clausegen.check` are both the
    public function and, once `import clausegen.render` has run, the package of that name."""

    def __call__(self, *args, **kwargs):
        return getattr(sys.modules[__name__], self.__name__.rsplit(".", 1)[-1])(*args, **kwargs)


def make_callable(module_name: str) -> None:
    """Make the module `module_name` (clausegen.render or clausegen.check) call the API function of its name."""
    sys.modules[module_name].__class__ = CallableModule
