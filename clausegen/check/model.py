"""Values the checker returns: provisions found, findings, one report per file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

STATUSES = ("present", "weak", "missing")
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Evidence:
    """A passage that shows a provision: its text, paragraph index (0-based) and offsets in it.

    `location` is the reader's place of the paragraph as a person reads it ("line 12", "table 2
    row 3", "page 4"); `part` its address in the file's own structure (for .docx: ["p", n], the
    n-th body paragraph, or ["tbl", t, row], a row of the t-th body table), so that a reporter
    finds the passage without reading the contract again.
    """

    text: str
    paragraph: int
    start: int
    end: int
    location: str | None = None
    part: tuple | None = None


@dataclass(frozen=True)
class ProvisionResult:
    """What the checker concluded about one provision of the family."""

    id: str
    status: str  # present | weak | missing
    confidence: float
    evidence: tuple[Evidence, ...] = ()
    required: bool = True
    values: tuple = ()  # clausegen.values.Value: the figures and names the provision states


@dataclass(frozen=True)
class Finding:
    """A problem in the contract: a missing or weak provision or another quality issue."""

    rule: str
    severity: str  # error | warning | info
    provision: str | None
    message: str
    paragraph: int | None = None
    suggestion: str | None = None
    location: str | None = None  # the paragraph's place, as in Evidence (None: the whole document)
    part: tuple | None = None


@dataclass(frozen=True)
class FileReport:
    """The checker's result for one contract file."""

    path: str
    language: str
    provisions: tuple[ProvisionResult, ...]
    findings: tuple[Finding, ...]
    paragraphs: int = 0
    # Facts about the document, e.g. {"generated_by": {"library": ..., "version": ...}}.
    meta: dict = field(default_factory=dict)
    # clausegen.playbook.PositionResult per term of the playbook's positions (none without positions).
    positions: tuple = ()

    def provision(self, pid: str) -> ProvisionResult:
        """Return the result for provision `pid` (KeyError if the family has no such provision)."""
        for p in self.provisions:
            if p.id == pid:
                return p
        raise KeyError(pid)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


@dataclass(frozen=True)
class Report:
    """The checker's result for a run over one or more files."""

    files: tuple[FileReport, ...]
    version: int = 1

    @property
    def has_errors(self) -> bool:
        return any(f.has_errors for f in self.files)

    def to_dict(self) -> dict:
        """Return the design's JSON shape (version, files[path, language, provisions, findings])."""
        files = []
        for f in self.files:
            entry = {
                "path": f.path,
                "language": f.language,
                "provisions": [
                    {
                        "id": p.id,
                        "status": p.status,
                        "confidence": round(p.confidence, 3),
                        "evidence": [asdict(e) for e in p.evidence],
                        "values": [v.to_dict() for v in p.values],
                    }
                    for p in f.provisions
                ],
                "findings": [asdict(x) for x in f.findings],
            }
            if f.positions:
                entry["positions"] = [r.to_dict() for r in f.positions]
            if f.meta:
                entry["meta"] = f.meta
            files.append(entry)
        return {"version": self.version, "files": files}


def with_locations(report: FileReport, paragraphs) -> FileReport:
    """Return `report` with the place of every evidence and finding filled in from the reader's
    `paragraphs` (their `location` and `ref`), the one time the contract's structure is at hand."""

    def place(index: int | None) -> dict:
        if index is None or not 0 <= index < len(paragraphs):
            return {}
        para = paragraphs[index]
        return {"location": para.location, "part": tuple(para.ref) or None}

    provisions = tuple(replace(p, evidence=tuple(replace(e, **place(e.paragraph)) for e in p.evidence))
                       for p in report.provisions)
    findings = tuple(replace(f, **place(f.paragraph)) for f in report.findings)
    return replace(report, provisions=provisions, findings=findings)
