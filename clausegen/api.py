"""The public Python API: validate a spec, render clauses, check a contract (docs/api.md).

Each function is what the command line and the web form call, and returns the same values:
`Problem`s, the bytes of a document, a `FileReport`. Errors (clausegen could not do its job)
raise `ClausegenError`s; what is wrong with a spec or a contract is returned, never raised.
The functions live with their owners (spec, render, check); this module names them.
"""

from __future__ import annotations


def validate(source, *, lang: str | None = None, library=None) -> list:
    """Return every problem of a spec, sorted by line; see clausegen.spec.validate_source."""
    from clausegen.spec import validate_source

    return validate_source(source, lang=lang, library=library)


def render(spec, format: str = "docx", *, lang: str | None = None, library=None, reference_docx=None) -> bytes:
    """Return the clauses of `spec` written as `format`; see clausegen.render.render_bytes."""
    from clausegen.render import render_bytes

    return render_bytes(spec, format, lang=lang, library=library, reference_docx=reference_docx)


def check(source, *, name: str | None = None, lang: str = "auto", library=None, playbook=None):
    """Return the FileReport of a contract file or its bytes; see clausegen.check.check_source."""
    from clausegen.check import check_source

    return check_source(source, name=name, lang=lang, library=library, playbook=playbook)
