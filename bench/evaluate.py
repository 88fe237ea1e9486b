"""Evaluate the checker on a labelled corpus: P/R/F1 per provision and language, macro-F1, disagreements.

Usage: python bench/evaluate.py [CORPUS_DIR] [--quiet]
       python bench/evaluate.py [CORPUS_DIR] --cv [--cached] [--later N]

Without --cv it scores the shipped checker on the corpus it was trained on: a fit, not a
forecast. --cv runs grouped k-fold cross-validation by publisher: for each fold the model is
trained and the decision layer fitted on the other publishers' documents, and the held-out
publishers' documents are checked (model and rules) and scored. The cross-validated figure is the
one that predicts unseen contracts. --cached reuses the out-of-fold model scores that the last
`make train` saved in build/cv-features.json instead of training five more times. --cv also
prints a reliability table: of the verdicts reported at a confidence, how many were right.
--later N also scores, apart, the last N documents of CORPUS_DIR/labels.yaml against the others.
Cross-validation retrains the model and the decision layer per fold, but the hand-written rules
were written once, with the whole corpus in view: documents added after the rules were written
(the 27 at the end of the dev labels.yaml) show how much of the figure is the rules' fit.

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
from pathlib import Path

from clausegen.check.corpus import score  # one scoring for the fit and the cross-validation

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


def load_corpus(root: Path):
    """Load every labelled document under `root` (clausegen.check.corpus does the reading)."""
    from clausegen.check.corpus import load_corpus as load

    return load(root)


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


def later_ids(root: Path, n: int) -> set[str]:
    """Return the ids of the last `n` documents of `root`/labels.yaml (file order: the newest last)."""
    import yaml

    data = yaml.safe_load((root / "labels.yaml").read_text(encoding="utf-8")) or {}
    ids = [k for k, v in data.items() if isinstance(v, dict) and "provisions" in v]
    return set(ids[-n:]) if n > 0 else set()


def cross_validate(root: Path, cached: bool = False, later: int = 0) -> int:
    """Print the publisher-grouped cross-validated scores and the reliability table."""
    from clausegen.check.corpus import load_corpus
    from clausegen.check.train import (load_annotations, load_rows, model_dir, out_of_fold_features,
                                       reliability, stacked_cv)

    items = load_corpus(root)
    t0 = time.perf_counter()
    if cached:
        rows = load_rows(items)
        if len(rows) != len(items):
            print("error: build/cv-features.json does not cover the corpus; run without --cached", file=sys.stderr)
            return 2
    else:
        rows = out_of_fold_features(items, load_annotations(model_dir() / "annotations.jsonl"),
                                    log=lambda m: print(m, file=sys.stderr))
    detected, probs = stacked_cv(rows)
    alone, _ = stacked_cv(rows, feature_names=("max", "second", "count", "lang_zh"))
    print(f"grouped {len({it.publisher for it in items})}-publisher, 5-fold cross-validation over "
          f"{len(items)} documents ({time.perf_counter() - t0:.0f} s)")
    for title, rows_ in (("model + rules", detected), ("model alone", alone)):
        sc = score(rows_)
        print(f"\n{title}: macro-F1 {sc['macro']:.3f}")
        print(f"{'provision':<14}{'P':>6}{'R':>6}{'F1':>6}   tp fp fn")
        for pid in REQUIRED:
            p, r, f, tp, fp, fn = sc[pid]
            print(f"{pid:<14}{p:6.2f}{r:6.2f}{f:6.2f}  {tp:3d}{fp:3d}{fn:3d}")
        for lang in ("zh", "en"):
            sl = score([x for x in rows_ if x[0].lang == lang])
            per = "  ".join(f"{pid[:5]} {sl[pid][0]:.2f}/{sl[pid][1]:.2f}/{sl[pid][2]:.2f}" for pid in REQUIRED)
            print(f"language {lang} (P/R/F1): macro-F1 {sl['macro']:.3f}   {per}")
    if later:
        newer = later_ids(root, later)
        print(f"\nmodel + rules, split by when the documents joined the corpus (--later {later}):")
        for name, sel in ((f"the last {len(newer)} documents", lambda it: it.id in newer),
                          (f"the other {len(items) - len(newer)}", lambda it: it.id not in newer)):
            part = [x for x in detected if sel(x[0])]
            by = "  ".join(f"{lang} {score([x for x in part if x[0].lang == lang])['macro']:.3f}" for lang in ("zh", "en"))
            print(f"  {name:<24} macro-F1 {score(part)['macro']:.3f}   {by}")
    print("\nreliability of the reported confidence (cross-validated):")
    print(f"{'confidence':<14}{'verdicts':>9}{'mean conf':>11}{'right':>8}")
    for lo, hi, n, mean, right in reliability(probs):
        print(f"{lo:.1f}–{hi:.1f}{'':<7}{n:9d}{mean:11.3f}{right:8.3f}")
    wrong = [(it, pid, p) for it, ps in probs for pid, p in ps.items() if (p >= 0.5) != it.labels.get(pid, False)]
    if wrong:
        print("\ncross-validated errors:")
        for it, pid, p in sorted(wrong, key=lambda w: (w[0].lang, w[1], w[0].id)):
            kind = "missed" if it.labels.get(pid) else "false positive"
            print(f"- {it.id} [{it.lang}] {pid}: {kind} (p={p:.2f})")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv", action="store_true", help="grouped cross-validation by publisher (retrains the model)")
    ap.add_argument("--cached", action="store_true", help="with --cv: reuse the scores saved by the last `make train`")
    ap.add_argument("--later", type=int, default=0, metavar="N",
                    help="with --cv: also score the last N documents of labels.yaml apart from the others")
    ap.add_argument("corpus", nargs="?", default=str(Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "dev"))
    ap.add_argument("--quiet", action="store_true", help="print only the macro-F1 line")
    args = ap.parse_args(argv)
    root = Path(args.corpus)
    if not root.is_dir():
        print(f"error: {root}: no such corpus folder", file=sys.stderr)
        return 2
    if args.cv:
        return cross_validate(root, args.cached, args.later)
    result = evaluate(root, verbose=not args.quiet)
    if args.quiet:
        print(f"macro-F1 {result['ours']['macro']:.3f}   (keyword baseline macro-F1 {result['baseline']['macro']:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
