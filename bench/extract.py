"""How much of a spec `clausegen extract` reads from real contracts, and how much of it is right.

Usage: python bench/extract.py [CORPUS_DIR]   (default ../shared/corpus/dev)

Prints, over every document of the corpus, the share of the extractable spec fields that were
filled; then, on the hand-checked sample in bench/extract_gold.yaml (see its header for how it was
checked), the share of filled fields that are right (precision), the share of the values the
contracts state that were read right (recall), and the same precision for a baseline measured in
the same run: the starter spec (`clausegen new`), i.e. a lawyer who fills nothing from the contract.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from clausegen.check.readers import read_contract
from clausegen.extract import FIELDS, extract_contract
from clausegen.spec import starter_data
from clausegen.values import LAWS, institution_code


def _get(data: dict, dotted: str):
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def same(field: str, got, want) -> bool:
    """Return whether extracted `got` is the hand-checked `want` for `field`."""
    if want is None or got is None:
        return got is None and want is None
    if field == "disputes.arbitration.institution":
        return (institution_code(str(got)) or got) == want
    if field == "disputes.governing_law":
        import re

        return any(re.search(p, str(got)) for name, p in LAWS.items() if name == want)
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return abs(float(got) - float(want)) < 1e-9
    return got == want


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "shared" / "corpus" / "dev"
    files = sorted((corpus / "docs").glob("*.txt")) + sorted((corpus / "docx").glob("*.docx")) + sorted(
        (corpus / "pdf").glob("*.pdf"))
    if not files:
        print(f"error: no contracts under {corpus}", file=sys.stderr)
        return 2
    gold = yaml.safe_load((HERE / "extract_gold.yaml").read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    extracted = {}
    for f in files:
        extracted[f.stem] = extract_contract(read_contract(f))
    seconds = time.perf_counter() - t0
    filled = [len(ex.filled) / len(FIELDS) for ex in extracted.values()]
    slas = [len(ex.filled) / len(FIELDS) for ex in extracted.values() if "sla" in ex.path.lower()]
    print(f"corpus: {corpus} ({len(files)} contracts, {seconds:.1f} s)")
    print(f"fields filled: {sum(filled) / len(filled):.1%} of {len(FIELDS)} extractable fields on average; "
          f"{sum(slas) / max(1, len(slas)):.1%} on the {len(slas)} SLAs (names containing 'sla')")
    by_field = {f: sum(f in ex.values for ex in extracted.values()) for f in FIELDS}
    print("filled per field: " + ", ".join(f"{f.split('.')[-1]} {n}" for f, n in by_field.items()))

    right = wrong = missed = stated = checked = 0
    base_right = base_filled = 0
    starters = {"zh": starter_data("zh"), "en": starter_data("en")}
    print(f"\nhand-checked sample ({len(gold)} documents, bench/extract_gold.yaml):")
    for doc, fields in gold.items():
        ex = extracted.get(doc)
        if ex is None:
            print(f"  {doc}: not in the corpus")
            continue
        marks = []
        for field, want in fields.items():
            got = ex.values.get(field)
            checked += 1
            stated += want is not None
            if got is not None:
                ok = same(field, got, want)
                right += ok
                wrong += not ok
                marks.append(("✓ " if ok else "✗ ") + field.split(".")[-1])
            elif want is not None:
                missed += 1
                marks.append("– " + field.split(".")[-1])
            base = _get(starters[ex.language], field)
            if base is not None:
                base_filled += 1
                base_right += same(field, base, want)
        print(f"  {doc}: " + ", ".join(marks))
    precision = right / max(1, right + wrong)
    recall = right / max(1, stated)
    base_precision = base_right / max(1, base_filled)
    print(f"\nchecked fields: {checked}; stated by the contracts: {stated}")
    print(f"filled and right: {right}, filled and wrong: {wrong}, stated but not read: {missed}")
    print(f"precision (filled fields that are right): {precision:.1%}")
    print(f"recall (stated values read right): {recall:.1%}")
    print(f"baseline, the starter spec unchanged: precision {base_precision:.1%} "
          f"({base_right}/{base_filled}); extract is {precision / max(base_precision, 1e-9):.1f}x as often right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
