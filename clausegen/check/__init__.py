"""The checker: which required provisions a contract has, has only vaguely, or lacks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from clausegen.check.model import Evidence, FileReport, Finding, ProvisionResult, Report  # noqa: F401



def load_playbook(path: str | Path | None) -> dict:
    """Load a playbook: {rules: {id: {enabled, level}}, provisions: {id: {required}}}.

    A rule may also be given as `id: off` or `id: warning`. Raises InputError if unreadable.
    """
    if path is None:
        return {}
    if isinstance(path, dict):
        return path
    from clausegen.errors import InputError
    from clausegen.yamlsource import load_yaml_file

    data = load_yaml_file(path).data or {}
    if not isinstance(data, dict):
        raise InputError("a playbook must be a mapping with 'rules' and/or 'provisions'", path=str(path))
    rules = {}
    for rid, value in (data.get("rules") or {}).items():
        if value in ("off", False, "disabled"):
            rules[rid] = {"enabled": False}
        elif value in ("error", "warning", "info"):
            rules[rid] = {"level": value}
        elif isinstance(value, dict):
            rules[rid] = dict(value)
        else:
            raise InputError(f"playbook rule {rid!r}: expected off, error, warning, info or a mapping, "
                             f"got {value!r}", path=str(path))
    provisions = {pid: (dict(v) if isinstance(v, dict) else {"required": bool(v)})
                  for pid, v in (data.get("provisions") or {}).items()}
    if "positions" in data or "side" in data:  # the firm's positions (clausegen.playbook)
        from clausegen.playbook import validate_playbook

        validate_playbook(data, str(path))
        return {"rules": rules, "provisions": provisions, "positions": data.get("positions") or {},
                "side": data.get("side")}
    return {"rules": rules, "provisions": provisions}


def check_contract(contract, lang: str = "auto", library=None, playbook=None, suggest: bool = True) -> FileReport:
    """Return the FileReport of an already read `contract` (readers.Contract).

    The verdict is on the text as it stands; text hidden from the reader and pending tracked
    changes (recorded by the reader in `contract.meta`) add `hidden-text` and `tracked-changes`
    findings that say how the verdict would differ (clausegen.check.revisions).
    """
    from clausegen.check.engine import report
    from clausegen.check.rules import load_ruleset

    from clausegen.check.revisions import with_revision_findings

    ruleset = load_ruleset(library)
    forced = None if lang in (None, "auto") else lang
    book = load_playbook(playbook)
    result = report(contract, ruleset, forced, book, library, suggest)

    def check_version(paragraphs) -> FileReport:
        # The same contract read otherwise (hidden text shown, changes accepted), in its language.
        version = replace(contract, paragraphs=tuple(paragraphs), meta={"format": contract.meta.get("format")})
        return report(version, ruleset, forced or result.language, book, library, False)

    from clausegen.check.model import with_locations
    from clausegen.playbook import with_positions

    result = with_positions(contract, with_revision_findings(contract, result, check_version, ruleset), book)
    return with_locations(with_finding_levels(result, book.get("rules") or {}), contract.paragraphs)


def with_finding_levels(file_report: FileReport, overrides: dict) -> FileReport:
    """Return `file_report` with findings re-levelled (or dropped, "off") by finding id.

    Users name findings as reports show them (``missing-deadlines``, ``weak-notification``);
    the engine applies a playbook's levels by rule id, this applies the same settings by finding id.
    """
    if not overrides or not any(x.rule in overrides for x in file_report.findings):
        return file_report
    findings = []
    for x in file_report.findings:
        setting = overrides.get(x.rule) or {}
        if setting.get("enabled", True) is False:
            continue
        findings.append(replace(x, severity=setting["level"]) if setting.get("level") else x)
    return replace(file_report, findings=tuple(findings))


def check_file(path: str | Path, lang: str = "auto", library=None, playbook=None) -> FileReport:
    """Return the FileReport of the contract at `path` (.docx, .pdf, .txt, .md).

    Raises InputError for a missing, unreadable or unsupported file, LibraryError for broken rules.
    """
    return read_and_check(path, lang, library, playbook)[1]


def read_and_check(path: str | Path, lang: str = "auto", library=None, playbook=None):
    """Return (the contract as read, its FileReport) for the file at `path`: one reading serves
    both the check and whoever shows the contract beside its report (the web page).

    Raises as `check_file`.
    """
    from clausegen.check.readers import read_contract
    from clausegen.check.workers import untimed

    contract = read_contract(path, lang)
    with untimed():  # loading the rules and a language pipeline is start-up, not work on this contract
        _warm_up(contract, lang, library)
    report = check_contract(contract, lang, library, playbook)
    if str(path).lower().endswith(".docx"):  # a document clausegen generated says what produced it
        from dataclasses import replace

        from clausegen.library import read_provenance

        generated_by = read_provenance(path)
        if generated_by:
            report = replace(report, meta={**report.meta, "generated_by": generated_by})
    return contract, report


_WARMED: set = set()


def _warm_up(contract, lang: str, library) -> None:
    """Make ready, once per process, what checking `contract` needs whatever it says: the rules, the
    language pipeline, and whatever else the engine loads or compiles on first use (suggestion
    templates, models), by checking a one-line contract in the same language."""
    from clausegen.check.readers import contract_from_text

    code = "zh" if (lang if lang in ("zh", "en") else contract.language) == "zh" else "en"
    key = (code, str(library))
    if key not in _WARMED:
        check_contract(contract_from_text("服务中断。" if code == "zh" else "Service interruption.", code), code, library)
        _WARMED.add(key)


def check_text(text: str, lang: str = "auto", library=None, playbook=None, name: str = "<text>",
               suggest: bool = True) -> FileReport:
    """Return the FileReport of contract `text` (one paragraph per line)."""
    from clausegen.check.readers import contract_from_text

    return check_contract(contract_from_text(text, lang, name), lang, library, playbook, suggest)


#: Suffix of the file a contract's bytes are checked as, from their first bytes (see `check_source`).
_MAGIC = ((b"PK\x03\x04", ".docx"), (b"%PDF", ".pdf"))


def check_source(source, *, name: str | None = None, lang: str = "auto", library=None, playbook=None) -> FileReport:
    """Return the FileReport of a contract file or of its bytes: `clausegen.check`.

    For bytes, `name` (e.g. "contract.docx") tells the format and names the report, else the
    format is told from the bytes (Word, PDF, else text). Raises InputError for an unreadable contract.
    """
    from clausegen.errors import ClausegenError

    if not isinstance(source, (bytes, bytearray, memoryview)):
        return check_file(source, lang=lang, library=library, playbook=playbook)
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
    return replace(report, path=shown)


# `clausegen.check` is this package, and calling it calls `check_source` (the public API).
from clausegen.callable import make_callable  # noqa: E402

make_callable(__name__, check_source)
