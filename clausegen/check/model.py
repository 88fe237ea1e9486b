"""Values the checker returns: provisions found, findings, one report per file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

STATUSES = ("present", "weak", "missing")
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Region:
    """Where a passage is in a text file (.txt, .md): 1-based lines and columns (counted in
    characters), the end column one past the passage's last character (as SARIF counts)."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class RunRange:
    """Where a passage is in one Word paragraph: from character `start` of run `first` to character
    `end` (exclusive) of run `last`.

    `path` is the paragraph's address (("body", "tbl", 0, "tr", 0, "tc", 1, "p", 0): the first
    paragraph of the second cell of the first row of the first table; readers.word_paragraph
    finds it), `where` the same in words ("table 1 row 1 cell 2"). Runs are numbered as
    readers.paragraph_runs lists them, offsets count a run's text as readers.run_text gives it.
    """

    path: tuple
    where: str
    first: int
    start: int
    last: int
    end: int


@dataclass(frozen=True)
class Evidence:
    """A passage that shows a provision: its text, paragraph index (0-based) and offsets in it.

    `location` is the reader's place of the paragraph as a person reads it ("line 12", "table 2
    row 3", "page 4"); `part` its address in the file's own structure (for .docx: ["p", n], the
    n-th body paragraph, or ["tbl", t, row], a row of the t-th body table), so that a reporter
    finds the passage without reading the contract again. `region` (text files) and `runs`
    (Word files, one RunRange per Word paragraph the passage touches: a table row's passage may
    span cells) say exactly where its characters are.
    """

    text: str
    paragraph: int
    start: int
    end: int
    location: str | None = None
    part: tuple | None = None
    region: Region | None = None
    runs: tuple[RunRange, ...] = ()


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
    region: Region | None = None  # the whole paragraph's, as in Evidence
    runs: tuple[RunRange, ...] = ()


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
    """Return `report` with the place of every evidence, finding and value filled in from the
    reader's `paragraphs` (their `location`, `ref` and `spans`), the one time the contract's
    structure is at hand: reporters then need the report alone."""
    from clausegen.check.readers import source_range

    def place(index: int | None, start: int | None = None, end: int | None = None) -> dict:
        if index is None or not 0 <= index < len(paragraphs):
            return {}
        para = paragraphs[index]
        if start is None:
            start, end = 0, len(para.text)
        region, ranges = source_range(para, start, end)
        return {"location": para.location, "part": tuple(para.ref) or None,
                "region": Region(*region) if region else None, "runs": tuple(RunRange(*r) for r in ranges)}

    def value_place(v):
        where = place(v.paragraph, v.start, v.end)
        return replace(v, region=where.get("region"), runs=where.get("runs", ())) if where else v

    provisions = tuple(replace(p, evidence=tuple(replace(e, **place(e.paragraph, e.start, e.end)) for e in p.evidence),
                               values=tuple(value_place(v) for v in p.values))
                       for p in report.provisions)
    findings = tuple(replace(f, **place(f.paragraph)) for f in report.findings)
    positions = tuple(replace(r, value=value_place(r.value)) if getattr(r, "value", None) is not None else r
                      for r in report.positions)
    return replace(report, provisions=provisions, findings=findings, positions=positions)
