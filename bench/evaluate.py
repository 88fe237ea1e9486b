"""Evaluate the checker on a labelled corpus: P/R/F1 per provision and language, macro-F1, disagreements.

Usage: python bench/evaluate.py [CORPUS_DIR] [--quiet]

CORPUS_DIR holds labels.yaml (documents in docs/<id>.txt) and optionally sub-folders such as
docx/ and pdf/ with their own labels.yaml (documents <id>.docx / <id>.pdf beside it). A provision
counts as detected when its status is present or weak. The same run scores a plain keyword-search
baseline (one keyword list per provision, matched anywhere in the text) so the gain is visible.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED = ("definition", "notification", "standards", "process", "deadlines", "disputes")

# The baseline a reviewer would get from Ctrl-F: one keyword list per provision, anywhere in the text.
BASELINE = {
    "definition": r"服务中断|不可用|停机|downtime|unavailab|outage|interruption",
    "notification": r"通知|notify|notice",
    "standards": r"赔偿标准|赔偿|service credit|compensation",
    "process": r"赔偿流程|申请赔偿|索赔|claim",
    "deadlines": r"期限|内提出|within \w+ days|deadline",
    "disputes": r"争议|仲裁|法院|dispute|arbitration|court",
}


@dataclass
class Item:
    """One labelled document."""

    id: str
    path: Path
    lang: str
    labels: dict
    evidence: dict = field(default_factory=dict)


def load_corpus(root: Path) -> list[Item]:
    """Load every labels.yaml under `root` (the root and its direct sub-folders) into Items."""
    import yaml

    items = []
    for labels in sorted([root / "labels.yaml", *root.glob("*/labels.yaml")]):
        if not labels.is_file():
            continue
        data = yaml.safe_load(labels.read_text(encoding="utf-8")) or {}
        for doc_id, entry in data.items():
            if not isinstance(entry, dict) or "provisions" not in entry:
                continue
            candidates = [p for folder in (labels.parent, labels.parent / "docs")
                          for p in sorted(folder.glob(f"{doc_id}.*")) if p.suffix != ".yaml"]
            if not candidates:
                print(f"warning: no file for {doc_id} beside {labels}", file=sys.stderr)
                continue
            items.append(Item(doc_id, candidates[0], entry.get("lang", "?"),
                              {k: bool(v) for k, v in entry["provisions"].items()},
                              dict(entry.get("evidence") or {})))
    return items


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(rows: list[tuple[Item, dict]]) -> dict:
    """Return {provision: (P, R, F1, tp, fp, fn)} and "macro" for rows of (item, {pid: detected})."""
    out = {}
    for pid in REQUIRED:
        tp = sum(1 for it, got in rows if got[pid] and it.labels.get(pid))
        fp = sum(1 for it, got in rows if got[pid] and not it.labels.get(pid))
        fn = sum(1 for it, got in rows if not got[pid] and it.labels.get(pid))
        out[pid] = (*_prf(tp, fp, fn), tp, fp, fn)
    out["macro"] = sum(out[p][2] for p in REQUIRED) / len(REQUIRED)
    return out


def evaluate(root: Path, verbose: bool = True) -> dict:
    """Run the checker and the baseline over the corpus at `root`; print and return the scores."""
    from clausegen.check import check_contract
    from clausegen.check.readers import read_contract

    items = load_corpus(root)
    ours, base, disagreements = [], [], []
    t0 = time.perf_counter()
    for it in items:
        contract = read_contract(it.path)
        report = check_contract(contract, suggest=False)
        got = {p.id: p.status != "missing" for p in report.provisions if p.id in REQUIRED}
        ours.append((it, got))
        text = contract.text
        base.append((it, {pid: bool(re.search(rx, text, re.I)) for pid, rx in BASELINE.items()}))
        for pid in REQUIRED:
            if got[pid] != it.labels.get(pid, False):
                res = report.provision(pid)
                disagreements.append((it, pid, res))
    elapsed = time.perf_counter() - t0
    result = {"ours": score(ours), "baseline": score(base), "n": len(items), "seconds": elapsed,
              "by_lang": {lang: score([r for r in ours if r[0].lang == lang]) for lang in ("zh", "en")},
              "disagreements": disagreements}
    if verbose:
        _print(result)
    return result


def _print(result: dict) -> None:
    ours, base = result["ours"], result["baseline"]
    print(f"{result['n']} documents checked in {result['seconds']:.2f} s")
    print(f"{'provision':<14}{'P':>6}{'R':>6}{'F1':>6}   tp fp fn   baseline F1")
    for pid in REQUIRED:
        p, r, f, tp, fp, fn = ours[pid]
        print(f"{pid:<14}{p:6.2f}{r:6.2f}{f:6.2f}  {tp:3d}{fp:3d}{fn:3d}   {base[pid][2]:6.2f}")
    for lang, sc in result["by_lang"].items():
        per = "  ".join(f"{pid[:5]} {sc[pid][0]:.2f}/{sc[pid][1]:.2f}/{sc[pid][2]:.2f}" for pid in REQUIRED)
        print(f"language {lang} (P/R/F1): macro-F1 {sc['macro']:.3f}   {per}")
    print(f"macro-F1 {ours['macro']:.3f}   (keyword baseline macro-F1 {base['macro']:.3f})")
    if result["disagreements"]:
        print("\ndisagreements:")
    for it, pid, res in result["disagreements"]:
        label = it.labels.get(pid, False)
        kind = "false positive" if not label else "missed"
        print(f"- {it.id} [{it.lang}] {pid}: {kind} (ours {res.status} {res.confidence:.2f}, label {label})")
        for ev in res.evidence[:2]:
            print(f"    ours : ¶{ev.paragraph} {ev.text[:160]}")
        if it.evidence.get(pid):
            print(f"    label: {str(it.evidence[pid])[:160]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "dev"))
    ap.add_argument("--quiet", action="store_true", help="print only the macro-F1 line")
    args = ap.parse_args(argv)
    root = Path(args.corpus)
    if not root.is_dir():
        print(f"error: {root}: no such corpus folder", file=sys.stderr)
        return 2
    result = evaluate(root, verbose=not args.quiet)
    if args.quiet:
        print(f"macro-F1 {result['ours']['macro']:.3f}   (keyword baseline macro-F1 {result['baseline']['macro']:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
