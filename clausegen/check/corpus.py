"""The labelled development corpus: documents, their labels, publishers, and sentence annotations.

The corpus lives outside the project (`../shared/corpus/dev`): it belongs to its publishers. The
project keeps only what it adds to it — sentence-level annotations stored as character offsets
into the text the checker reads, with a hash of that text, never the text itself
(`clause_templates/<family>/model/annotations.jsonl`, see docs/annotation.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REQUIRED = ("definition", "notification", "standards", "process", "deadlines", "disputes")

# Publishers whose documents appear under more than one id prefix.
_PUBLISHER_ALIASES = {"common-paper": "commonpaper"}


def default_corpus_dir() -> Path:
    """Return the dev corpus folder: $CLAUSEGEN_CORPUS, else ../shared/corpus/dev beside the repository."""
    env = os.environ.get("CLAUSEGEN_CORPUS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "dev"


@dataclass(frozen=True)
class Item:
    """One labelled document of the corpus."""

    id: str
    path: Path
    lang: str
    labels: dict
    evidence: dict = field(default_factory=dict)
    kind: str = ""

    @property
    def publisher(self) -> str:
        return publisher(self.id)


def publisher(doc_id: str) -> str:
    """Return the publisher of corpus document `doc_id` (the grouping key of cross-validation).

    `zh-tencent-cvm-sla-legacy` and `en-tencent-privatedns-sla` are both `tencent`: documents of
    one publisher share drafting habits, so they must fall in the same fold.
    """
    rest = re.sub(r"^(?:zh|en)-", "", doc_id)
    for prefix, name in _PUBLISHER_ALIASES.items():
        if rest.startswith(prefix):
            return name
    return rest.split("-", 1)[0]


def load_corpus(root: Path | None = None) -> list[Item]:
    """Return every labelled document under `root` (labels.yaml there and in direct sub-folders).

    Raises FileNotFoundError when `root` has no labels.yaml.
    """
    import yaml

    root = Path(root) if root is not None else default_corpus_dir()
    files = sorted(p for p in [root / "labels.yaml", *root.glob("*/labels.yaml")] if p.is_file())
    if not files:
        raise FileNotFoundError(f"{root}: no labels.yaml (the dev corpus is expected at ../shared/corpus/dev)")
    items = []
    for labels in files:
        data = yaml.safe_load(labels.read_text(encoding="utf-8")) or {}
        for doc_id, entry in data.items():
            if not isinstance(entry, dict) or "provisions" not in entry:
                continue
            candidates = [p for folder in (labels.parent, labels.parent / "docs")
                          for p in sorted(folder.glob(f"{doc_id}.*")) if p.suffix != ".yaml"]
            if not candidates:
                continue
            items.append(Item(doc_id, candidates[0], entry.get("lang", "?"),
                              {k: bool(v) for k, v in entry["provisions"].items()},
                              dict(entry.get("evidence") or {}), entry.get("kind", "")))
    return items


def text_hash(text: str) -> str:
    """Return the hash that anchors annotations to the text the checker reads."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def span_hash(text: str) -> str:
    """Return a short hash of an annotated span's whitespace-folded text (for re-anchoring)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Unit:
    """A sentence of a contract as annotated and classified: paragraph, offsets, text, heading."""

    paragraph: int
    start: int  # in the paragraph
    end: int
    text: str
    heading: str  # the innermost section title around it ("" when none)
    offset: int  # start in the contract's joined text ("\n" between paragraphs)


def units(contract) -> list[Unit]:
    """Return the sentences of `contract` (readers.Contract) with their section headings.

    Uses the checker's own splitter (engine.split_paragraph), so annotation, training and
    checking see the same units.
    """
    from clausegen.check import sections as sect
    from clausegen.check.engine import mask_other_language, split_paragraph

    texts = [p.text for p in contract.paragraphs]
    secs = sect.split_sections(texts, [p.heading_level for p in contract.paragraphs])
    titles = sect.section_titles(secs, len(texts))
    out, base = [], 0
    lang = "zh" if contract.language == "zh" else "en"
    for pi, ptext in enumerate(texts):
        heading = titles[pi][-1] if titles[pi] else ""
        for a, b, text in split_paragraph(mask_other_language(ptext, lang), lang):
            out.append(Unit(pi, a, b, text, heading if heading != text else "", base + a))
        base += len(ptext) + 1
    return out


# ---------------------------------------------------------------- annotations


@dataclass(frozen=True)
class Annotation:
    """The annotated spans of one document: (start, end, provision) in its joined text."""

    doc: str
    sha256: str
    spans: tuple[tuple[int, int, str, str], ...]  # start, end, provision, span hash
    reviewed: bool = True


def load_annotations(path: Path) -> dict[str, Annotation]:
    """Load an annotations.jsonl file into {doc id: Annotation}."""
    out = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        out[rec["doc"]] = Annotation(rec["doc"], rec["sha256"],
                                     tuple((s[0], s[1], s[2], s[3]) for s in rec["spans"]),
                                     rec.get("reviewed", True))
    return out


def dump_annotations(annotations: dict[str, Annotation]) -> str:
    """Return annotations as JSON lines, one document per line, sorted by id (stable diffs)."""
    lines = []
    for doc in sorted(annotations):
        a = annotations[doc]
        lines.append(json.dumps({"doc": a.doc, "sha256": a.sha256, "reviewed": a.reviewed,
                                 "spans": [list(s) for s in sorted(a.spans)]}, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def anchor(annotation: Annotation, text: str) -> tuple[list[tuple[int, int, str]], list[str]]:
    """Return the spans of `annotation` located in `text`, and the problems met.

    When `text` is exactly the annotated text the offsets are used as they are; otherwise (a
    reader changed) each span is looked up again by its text hash among the sentences, and spans
    that cannot be found are reported.
    """
    if text_hash(text) == annotation.sha256:
        return [(s, e, p) for s, e, p, _ in annotation.spans], []
    problems = [f"{annotation.doc}: the text differs from the annotated one; spans re-anchored by hash"]
    out = []
    for s, e, p, h in annotation.spans:
        if 0 <= s < e <= len(text) and span_hash(text[s:e]) == h:
            out.append((s, e, p))
            continue
        found = _find_by_hash(text, h, e - s)
        if found is None:
            problems.append(f"{annotation.doc}: span {s}-{e} ({p}) not found")
        else:
            out.append((*found, p))
    return out, problems


def _find_by_hash(text: str, h: str, length: int) -> tuple[int, int] | None:
    # Candidates: every line's sentences, and windows of the same length around them.
    for m in re.finditer(r"[^\n]+", text):
        line = m.group(0)
        for a in range(len(line)):
            if a and not (line[a - 1] in "。；;.!?！？ " or line[a - 1].isspace()):
                continue
            for b in (a + length - 2, a + length - 1, a + length, a + length + 1, a + length + 2):
                if 0 < b <= len(line) and span_hash(line[a:b]) == h:
                    return m.start() + a, m.start() + b
    return None


def unit_labels(us: list[Unit], spans: list[tuple[int, int, str]]) -> list[set[str]]:
    """Return, per unit, the provisions whose annotated spans cover most of it (or it most of them)."""
    out = []
    for u in us:
        a, b = u.offset, u.offset + len(u.text)
        got = set()
        for s, e, p in spans:
            ov = min(b, e) - max(a, s)
            if ov > 0 and (ov >= 0.5 * (b - a) or ov >= 0.5 * (e - s)):
                got.add(p)
        out.append(got)
    return out


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Return precision, recall and F1 (1.0 where nothing was there to find or to get wrong)."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(rows: list[tuple[Item, dict]]) -> dict:
    """Return {provision: (P, R, F1, tp, fp, fn)} plus "macro" for rows of (item, {pid: detected})."""
    out = {}
    for pid in REQUIRED:
        tp = sum(1 for it, got in rows if got[pid] and it.labels.get(pid))
        fp = sum(1 for it, got in rows if got[pid] and not it.labels.get(pid))
        fn = sum(1 for it, got in rows if not got[pid] and it.labels.get(pid))
        out[pid] = (*prf(tp, fp, fn), tp, fp, fn)
    out["macro"] = sum(out[p][2] for p in REQUIRED) / len(REQUIRED)
    return out


@lru_cache(maxsize=128)  # the whole corpus: cross-validation reads every document once per fold
def read_item(path: str):
    """Return the Contract of a corpus document (cached: training and evaluation read each many times)."""
    from clausegen.check.readers import read_contract

    return read_contract(path)
