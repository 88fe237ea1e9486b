"""The trained provision classifier: what ships, what it was trained on, and that it can be retrained."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from clausegen.check.corpus import REQUIRED, anchor, load_annotations, load_corpus, publisher, read_item
from clausegen.check.train import folds_by_publisher, model_dir, reliability, verify


@pytest.fixture(scope="module")
def model_root() -> Path:
    return model_dir()


def test_shipped_model_matches_its_configs_annotations_and_corpus(corpus_dir: Path) -> None:
    assert verify(corpus=corpus_dir) == []


def test_shipped_pipelines_are_inspectable_spacy_pipelines_within_size(model_root: Path) -> None:
    import spacy

    total = sum(p.stat().st_size for p in model_root.rglob("*") if p.is_file())
    assert total <= 30 * 1024 * 1024, f"{total / 1e6:.1f} MB"
    for lang in ("zh", "en"):
        nlp = spacy.load(model_root / lang)
        assert nlp.pipe_names == ["textcat_multilabel"]
        assert tuple(nlp.get_pipe("textcat_multilabel").labels) == tuple(sorted(REQUIRED)) or \
            set(nlp.get_pipe("textcat_multilabel").labels) == set(REQUIRED)


def test_checker_pipeline_tokenises_and_scores_like_the_saved_pipeline(model_root: Path, corpus_dir: Path) -> None:
    """The checker skips reading the saved tokenizer (it rebuilds it from the config); nothing may change."""
    import spacy

    from clausegen.check.classifier import load_model, unit_text

    model = load_model(str(model_root))
    for lang, name in (("en", "en-giantswarm-sla"), ("zh", "zh-tencent-cvm-sla-legacy")):
        path = corpus_dir / "docs" / f"{name}.txt"
        lines = [unit_text(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        saved, loaded = spacy.load(model_root / lang), model.nlp(lang)
        assert getattr(loaded.tokenizer, "rules", None) == getattr(saved.tokenizer, "rules", None)
        for a, b in zip(saved.pipe(lines), loaded.pipe(lines)):
            assert [t.text for t in a] == [t.text for t in b]
            assert a.cats == b.cats


@pytest.mark.parametrize("lang,sentence,provision", [
    ("en", "Any dispute arising out of this Agreement shall be finally resolved by arbitration administered "
           "by the Singapore International Arbitration Centre.", "disputes"),
    ("en", "Customer must submit a claim for a Service Credit within thirty (30) days after the end of the "
           "month in which the Downtime occurred.", "deadlines"),
    ("zh", "因本合同引起的争议，双方应协商解决；协商不成的，提交上海国际仲裁中心仲裁。", "disputes"),
    ("zh", "服务不可用时间是指服务发生故障开始至恢复正常使用的时间，计划内维护时间不计入服务不可用时间。", "definition"),
], ids=["en-disputes", "en-deadlines", "zh-disputes", "zh-definition"])
def test_model_recognises_a_plain_statement_of_each_kind(model_root: Path, lang, sentence, provision) -> None:
    from clausegen.check.classifier import load_model

    model = load_model(str(model_root))
    cats = model.score([sentence], lang)[0]
    assert cats[provision] >= 0.5, cats
    assert max(cats, key=cats.get) == provision


def test_annotations_anchor_to_the_corpus_and_agree_with_document_labels(corpus_dir: Path, model_root: Path) -> None:
    annotations = load_annotations(model_root / "annotations.jsonl")
    items = load_corpus(corpus_dir)
    assert {it.id for it in items} == set(annotations)
    for it in items:
        spans, problems = anchor(annotations[it.id], read_item(str(it.path)).text)
        assert problems == [], problems
        marked = {p for _, _, p in spans}
        for pid in REQUIRED:
            # a document labelled as having a provision has at least one sentence stating it, and v.v.
            assert (pid in marked) == it.labels[pid], (it.id, pid)


def test_annotations_store_offsets_and_hashes_never_the_publishers_text(model_root: Path) -> None:
    for line in (model_root / "annotations.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        assert set(rec) == {"doc", "sha256", "reviewed", "spans"}
        for span in rec["spans"]:
            start, end, pid, h = span
            assert isinstance(start, int) and isinstance(end, int) and pid in REQUIRED and len(h) == 12


def test_cross_validation_folds_keep_each_publisher_in_one_fold(corpus_dir: Path) -> None:
    folds = folds_by_publisher(load_corpus(corpus_dir))
    seen: dict[str, int] = {}
    for i, fold in enumerate(folds):
        for it in fold:
            assert seen.setdefault(publisher(it.id), i) == i, it.id
    assert publisher("zh-tencent-cvm-sla-legacy") == publisher("en-tencent-privatedns-sla") == "tencent"
    assert publisher("common-paper-csa-with-sla") == publisher("en-commonpaper-sla") == "commonpaper"
    sizes = [len(f) for f in folds]
    assert max(sizes) - min(sizes) <= max(3, max(sizes) // 3)


def test_reliability_table_counts_verdicts_by_confidence() -> None:
    from clausegen.check.corpus import Item

    it = Item("x", Path("x"), "en", {p: p == "disputes" for p in REQUIRED})
    rows = reliability([(it, {p: (0.95 if p == "disputes" else 0.1) for p in REQUIRED})])
    # six verdicts: disputes present at 0.95 (right), five missing at 0.9 (right)
    assert sum(r[2] for r in rows) == 6
    assert all(r[4] == 1.0 for r in rows)


def _synthetic_rows(n_publishers: int, noise: float):
    """Rows of (item, features) where the rule feature tells the label, blurred by `noise`."""
    import random

    from clausegen.check.classifier import FEATURES
    from clausegen.check.corpus import Item

    rng = random.Random(7)
    rows = []
    for i in range(n_publishers * 3):
        labels = {p: rng.random() < 0.5 for p in REQUIRED}
        it = Item(f"en-pub{i % n_publishers}-doc{i}", Path("x"), "en", labels)
        feats = {p: {f: 0.0 for f in FEATURES} for p in REQUIRED}
        for p in REQUIRED:
            truth = labels[p] != (rng.random() < noise)
            feats[p]["rule"] = 1.0 if truth else 0.0
            feats[p]["max"] = rng.gauss(2.0 if labels[p] else -2.0, 3.0)
        rows.append((it, feats))
    return rows


def test_decision_regularisation_is_chosen_by_inner_cross_validation() -> None:
    from clausegen.check.train import L2_GRID, choose_l2, fit_decision, stacked_cv

    rows = _synthetic_rows(12, noise=0.1)
    chosen = choose_l2(rows)
    assert chosen in L2_GRID
    params = fit_decision(rows)
    assert {params[p]["l2"] for p in REQUIRED} == {chosen}
    # the nested evaluation fits each fold on the others and still finds the signal
    detected, _ = stacked_cv(rows)
    right = sum(got[p] == it.labels[p] for it, got in detected for p in REQUIRED)
    assert right / (len(rows) * len(REQUIRED)) > 0.8
    # too few publishers to cross-validate (the subset smoke test): the fixed default
    assert choose_l2(_synthetic_rows(3, noise=0.1)) == 1.0


def test_training_path_retrains_a_small_subset(tmp_path: Path, corpus_dir: Path) -> None:
    out = tmp_path / "model"
    proc = subprocess.run([sys.executable, "-m", "clausegen.check.train", "--corpus", str(corpus_dir), "train",
                           "--subset", "8", "--epochs", "2", "--output", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    import spacy

    for lang in ("zh", "en"):
        nlp = spacy.load(out / lang)
        doc = nlp("服务中断" if lang == "zh" else "service interruption")
        assert set(doc.cats) == set(REQUIRED)
    assert set(json.loads((out / "decision.json").read_text())["provisions"]) == set(REQUIRED)


@pytest.mark.parametrize("lang, text", [
    ("en", "Any dispute arising out of this Agreement shall be finally resolved by arbitration administered "
           "by the Singapore International Arbitration Centre."),
    ("zh", "双方因本合同发生争议的，应先协商解决；协商不成的，提交中国国际经济贸易仲裁委员会仲裁。"),
])
def test_a_dispute_clause_standing_alone_is_found(lang, text) -> None:
    # The decision reads the second-best sentence too; a document with one such sentence must not
    # be penalised for the nothing beside it (classifier.PROB_FLOOR).
    from clausegen.check import check_text

    report = check_text(text, lang, suggest=False)
    assert {p.id: p.status for p in report.provisions}["disputes"] == "present"


def test_verify_notices_an_edited_vocabulary(tmp_path: Path, corpus_dir: Path) -> None:
    # The rules read the vocabularies and the decision layer is fitted on the rules' output: a
    # model trained before a vocabulary changed no longer matches its inputs.
    import shutil

    family = model_dir().parent
    copy = tmp_path / "clauses" / family.name
    shutil.copytree(family, copy)
    assert verify(library=tmp_path / "clauses", corpus=corpus_dir) == []
    vocab = copy / "vocabularies.yml"
    vocab.write_text(vocab.read_text(encoding="utf-8").replace("宕机, ", "宕机, 瘫痪, ", 1), encoding="utf-8")
    assert any(p.startswith("library:") for p in verify(library=tmp_path / "clauses", corpus=corpus_dir))
