"""Which require rules earn their place: cross-validated macro-F1 without each one.

Usage: python bench/ablate_rules.py [--corpus DIR]

Reads the out-of-fold model features saved by `make train` (build/cv-features.json), runs every
require rule over every dev document once, then re-runs the stacked, publisher-grouped
cross-validation with each rule left out. A rule whose removal does not lower the cross-validated
macro-F1 adds nothing the model does not already know, and goes (issue 10: no pattern shaped by
one document). Prints one row per rule: its provision, the documents it fires on, and the change.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from clausegen.check.corpus import REQUIRED, default_corpus_dir, load_corpus, read_item
    from clausegen.check.engine import analyse
    from clausegen.check.kinds import KINDS
    from clausegen.check.rules import load_ruleset
    from clausegen.check.train import load_rows, score, stacked_cv

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=default_corpus_dir())
    ap.add_argument("--without", nargs="*", default=[], metavar="RULE",
                    help="also print the figure with all these rules left out together")
    args = ap.parse_args(argv)
    items = load_corpus(args.corpus)
    try:
        rows = load_rows(items)
    except FileNotFoundError:
        print("error: build/cv-features.json not found; run `make train` first", file=sys.stderr)
        return 2
    ruleset = load_ruleset()
    require = [r for r in ruleset.rules if r.kind == "require" and r.provision in REQUIRED]
    # per document: {rule id: strongest hit}
    fired: dict[str, dict[str, float]] = {}
    for it, _ in rows:
        doc = analyse(read_item(str(it.path)), ruleset)
        fired[it.id] = {r.id: max((h.strength for h in KINDS["require"](r, doc, doc.lang)), default=0.0)
                        for r in require}

    def with_rules(active: set[str]) -> list:
        out = []
        for it, feats in rows:
            new = {}
            for pid in REQUIRED:
                f = dict(feats[pid])
                f["rule"] = max((fired[it.id][r.id] for r in require if r.provision == pid and r.id in active),
                                default=0.0)
                new[pid] = f
            out.append((it, new))
        return out

    everything = {r.id for r in require}

    def macro(active: set[str]) -> tuple[float, float, float]:
        detected, _ = stacked_cv(with_rules(active))
        return (score(detected)["macro"], score([d for d in detected if d[0].lang == "zh"])["macro"],
                score([d for d in detected if d[0].lang == "en"])["macro"])

    base = macro(everything)
    none = macro(set())
    print(f"all {len(require)} require rules: CV macro-F1 {base[0]:.3f} (zh {base[1]:.3f}, en {base[2]:.3f})")
    print(f"no rules (model alone):   CV macro-F1 {none[0]:.3f} (zh {none[1]:.3f}, en {none[2]:.3f})")
    if args.without:
        m = macro(everything - set(args.without))
        print(f"without {len(args.without)} rules together: CV macro-F1 {m[0]:.3f} (zh {m[1]:.3f}, en {m[2]:.3f})")
    print(f"\n{'rule':<28}{'provision':<14}{'docs':>5}{'Δ macro':>9}{'Δ zh':>8}{'Δ en':>8}")
    for r in sorted(require, key=lambda r: (r.provision, r.id)):
        m = macro(everything - {r.id})
        n = sum(1 for d in fired.values() if d[r.id] > 0)
        print(f"{r.id:<28}{r.provision:<14}{n:5d}{base[0] - m[0]:+9.3f}{base[1] - m[1]:+8.3f}{base[2] - m[2]:+8.3f}")
    print("\nΔ is what the rule adds: macro-F1 with all rules minus macro-F1 without it (≤ 0: it adds nothing).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
