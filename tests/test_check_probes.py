"""The checker on contracts from other industries, written for the project (bench/probes).

The dev corpus is mostly cloud SLAs; these sets hold utilities, telecom, logistics, venues,
payments, outsourcing and cloud contracts with distractors. Sets 1-5 are fits (the rules were
revised while reading their errors); set 6 is held out. The floors below are regression guards, a
little under what the shipped checker measured (docs/model.md, "Other industries").
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REQUIRED = ("definition", "notification", "standards", "process", "deadlines", "disputes")
FLOORS = {"set1": 0.92, "set2": 0.94, "set3": 0.93, "set4": 0.90, "set5": 0.91, "set6": 0.88}  # macro-F1; measured 2026-12-03: see docs/model.md
# Precision per provision, the lowest any provision may reach. Set 6, held out, measured process
# at 0.81 (Chinese 0.71): a known weakness, guarded here so that it does not get worse, listed in
# docs/model.md under "Where it fails".
PRECISION_FLOORS = {"set6": 0.78}
PRECISION_FLOOR = 0.85


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_every_probe_is_labelled_for_the_six_provisions(repo_root: Path, name: str) -> None:
    folder = repo_root / "bench" / "probes" / name
    labels = yaml.safe_load((folder / "labels.yaml").read_text(encoding="utf-8"))
    docs = {p.stem for p in (folder / "docs").glob("*.txt")}
    assert docs == set(labels) and len(docs) >= 30
    for doc_id, entry in labels.items():
        assert entry["lang"] in ("zh", "en"), doc_id
        assert set(entry["provisions"]) == set(REQUIRED), doc_id
        # every true label quotes its evidence
        assert all(entry["evidence"].get(pid) for pid, v in entry["provisions"].items() if v), doc_id


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_checker_holds_its_score_on_other_industries(repo_root: Path, bench_evaluate, name: str) -> None:
    result = bench_evaluate.evaluate(repo_root / "bench" / "probes" / name, verbose=False)
    assert result["n"] >= 30
    assert result["ours"]["macro"] >= FLOORS[name], result["ours"]["macro"]
    # what the rules and model add over a keyword search, on contracts they were not written for
    assert result["ours"]["macro"] > result["baseline"]["macro"] + 0.10
    # precision is what a reviewer trusts in "present"
    for pid in REQUIRED:
        assert result["ours"][pid][0] >= PRECISION_FLOORS.get(name, PRECISION_FLOOR), pid
