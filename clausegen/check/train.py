"""Train the provision classifier from the annotated corpus, cross-validate it, and verify what ships.

    python -m clausegen.check.train list DOC_ID            units of a corpus document, numbered
    python -m clausegen.check.train annotate FILE.json     unit numbers -> spans in annotations.jsonl
    python -m clausegen.check.train train [--subset N]     CV by publisher, decision layer, final models
    python -m clausegen.check.train verify                 the shipped model matches config and data

Training reads only `../shared/corpus/dev` (or $CLAUSEGEN_CORPUS) and the library's own files
(annotations, rule examples, clauses rendered from its templates), so anyone can rebuild the model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from clausegen.check.classifier import FEATURES, LOGIT_BOUND, decide, features, unit_text
from clausegen.check.corpus import (REQUIRED, Annotation, Item, anchor, default_corpus_dir, dump_annotations,
                                    load_annotations, load_corpus, publisher, read_item, score, span_hash,
                                    text_hash, unit_labels, units)

LANGS = ("zh", "en")
FOLDS = 5
SEED = 1234


def model_dir(library=None) -> Path:
    """Return the model folder of the built-in family (or of `library`'s family)."""
    from clausegen.check.classifier import model_root
    from clausegen.library import DEFAULT_FAMILY, load_library

    return model_root(load_library(library).family(DEFAULT_FAMILY))


# ---------------------------------------------------------------- examples


@dataclass(frozen=True)
class Example:
    """One training sentence: the text the model reads and its provisions."""

    text: str
    labels: frozenset
    doc: str  # corpus document id, or "library:" for the library's own material


def corpus_examples(items: list[Item], annotations: dict[str, Annotation]) -> tuple[list[Example], list[str]]:
    """Return the annotated sentences of `items` as examples, and the problems met (lost spans)."""
    out, problems = [], []
    for it in items:
        ann = annotations.get(it.id)
        if ann is None:
            problems.append(f"{it.id}: not annotated")
            continue
        contract = read_item(str(it.path))
        spans, probs = anchor(ann, contract.text)
        problems.extend(probs)
        us = units(contract)
        for u, labs in zip(us, unit_labels(us, spans)):
            out.append(Example(unit_text(u.text, u.heading), frozenset(labs), it.id))
    return out, problems


def library_examples(lang: str, library=None) -> list[Example]:
    """Return sentences from the library itself: rule examples and the clauses its templates render.

    A require rule's `pass` examples state its provision and its `fail` examples do not; every
    sentence of a rendered required clause states that clause's provision.
    """
    from clausegen.check.engine import join_enumerations, light_sentences
    from clausegen.check.rules import load_ruleset

    out = []
    ruleset = load_ruleset(library)
    for rule in ruleset.rules:
        if rule.kind != "require" or rule.provision not in REQUIRED:
            continue
        for verdict, ex_lang, _, ex in rule.example_cases():
            if ex_lang != lang:
                continue
            lines = [ln.strip() for ln in ex.splitlines() if ln.strip()]
            heading = lines[0] if len(lines) > 1 else ""
            for line in lines[1:] if heading else lines:
                labs = frozenset({rule.provision}) if verdict == "pass" else frozenset()
                out.append(Example(unit_text(line, heading), labs, "library:rules"))
    # Sentences the library's authors wrote for the model (model/examples-<lang>.yml): varied
    # domains and registers, and hard negatives under the key `none`.
    family_examples = model_dir(library) / f"examples-{lang}.yml"
    if family_examples.is_file():
        from clausegen.yamlsource import load_yaml_file

        for key, entries in (load_yaml_file(family_examples).data or {}).items():
            labs = frozenset() if key == "none" else frozenset({key})
            for entry in entries or []:
                out.append(Example(unit_text(entry["text"], entry.get("heading") or ""), labs, "library:examples"))
    try:
        from clausegen.render import render_provision_text
    except ImportError:  # pragma: no cover
        return out
    for pid in REQUIRED:
        text = render_provision_text(pid, lang, library=library) or ""
        for para in text.splitlines():
            for a, b in join_enumerations(para, light_sentences(para, lang)):
                sent = para[a:b].strip()
                if len(sent) >= 8:
                    out.append(Example(unit_text(sent), frozenset({pid}), "library:templates"))
    return out


def _docbin(examples: list[Example], nlp, path: Path) -> None:
    from spacy.tokens import DocBin

    db = DocBin(store_user_data=False)
    seen = set()
    for ex in examples:
        key = (ex.text, ex.labels)
        if key in seen:
            continue
        seen.add(key)
        doc = nlp.make_doc(ex.text)
        doc.cats = {p: (1.0 if p in ex.labels else 0.0) for p in REQUIRED}
        db.add(doc)
    db.to_disk(path)


def train_pipeline(lang: str, examples: list[Example], out: Path, config: Path, seed: int = SEED,
                   epochs: int | None = None) -> Path:
    """Train the `lang` pipeline on `examples` with spaCy's own training loop; return its folder."""
    import spacy
    from spacy.cli.train import train as spacy_train

    with tempfile.TemporaryDirectory(prefix="clausegen-train-") as tmp:
        tmp = Path(tmp)
        nlp = spacy.blank(lang, config={"nlp": {"tokenizer": {"segmenter": "char"}}} if lang == "zh" else {})
        rng = random.Random(seed)
        shuffled = examples[:]
        rng.shuffle(shuffled)
        _docbin(shuffled, nlp, tmp / "train.spacy")
        # spaCy's loop wants a dev set; scores on it are not used (the number of epochs is fixed).
        _docbin(shuffled[:200], nlp, tmp / "dev.spacy")
        spacy_train(config, tmp / "out", use_gpu=-1, overrides={
            "paths.train": str(tmp / "train.spacy"), "paths.dev": str(tmp / "dev.spacy"),
            "system.seed": seed, "training.seed": seed,
            **({"training.max_epochs": epochs} if epochs else {})})
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(tmp / "out" / "model-last", out)
    return out


# ---------------------------------------------------------------- folds and scoring


def folds_by_publisher(items: list[Item], k: int = FOLDS) -> list[list[Item]]:
    """Return `k` folds with every publisher's documents in one fold, balanced by document count."""
    groups: dict[str, list[Item]] = {}
    for it in items:
        groups.setdefault(publisher(it.id), []).append(it)
    folds: list[list[Item]] = [[] for _ in range(k)]
    for name in sorted(groups, key=lambda g: (-len(groups[g]), g)):
        min(folds, key=len).extend(groups[name])
    return folds


# ---------------------------------------------------------------- document features


def document_features(item: Item, models: dict, ruleset) -> dict[str, dict[str, float]]:
    """Return {provision: features} of corpus document `item`, from the `models` ({lang: nlp}) and rules."""
    from clausegen.check.engine import analyse, rule_strengths

    contract = read_item(str(item.path))
    lang = "zh" if contract.language == "zh" else "en"
    us = units(contract)
    nlp = models.get(lang)
    texts = [unit_text(u.text, u.heading) for u in us]
    cats = [dict(d.cats) for d in nlp.pipe(texts, batch_size=512)] if nlp is not None else [{} for _ in texts]
    strengths = rule_strengths(analyse(contract, ruleset), ruleset)
    return {pid: features([c.get(pid, 0.0) for c in cats], strengths.get(pid, 0.0), lang) for pid in REQUIRED}


def fit_logistic(xs: list[list[float]], ys: list[int], l2: float = 1.0, iters: int = 300) -> tuple[list[float], float]:
    """Return (weights, bias) of an L2-regularised logistic regression fitted by Newton's method."""
    import numpy as np

    X = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    n, d = X.shape
    Xb = np.hstack([X, np.ones((n, 1))])
    w = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 1e-6  # the bias is not shrunk
    for _ in range(iters):
        z = np.clip(Xb @ w, -30, 30)
        p = 1 / (1 + np.exp(-z))
        grad = Xb.T @ (p - y) + reg * w
        hess = (Xb * (p * (1 - p))[:, None]).T @ Xb + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return [float(v) for v in w[:-1]], float(w[-1])


MONOTONE = ("max", "second", "count", "rule")  # more evidence never lowers the probability


def fit_decision(rows: list[tuple[Item, dict]], feature_names=FEATURES, l2: float | None = None) -> dict:
    """Return {provision: {"features", "w", "b"}} fitted on rows of (item, {pid: features}).

    Evidence features may only raise the probability: a feature that gets a negative weight
    (an artefact of 70 documents) is dropped and the rest refitted, so more sentences or a rule
    hit never turn "present" into "missing". The L2 strength, when not given, is chosen by an
    inner cross-validation grouped by publisher over `rows` alone (`choose_l2`).
    """
    if l2 is None:
        l2 = choose_l2(rows, feature_names)
    out = {}
    for pid in REQUIRED:
        names = list(feature_names)
        ys = [int(it.labels.get(pid, False)) for it, _ in rows]
        while True:
            xs = [[feats[pid][f] for f in names] for _, feats in rows]
            w, b = fit_logistic(xs, ys, l2=l2)
            negative = [n for n, v in zip(names, w) if n in MONOTONE and v < 0]
            if not negative:
                break
            names.remove(min(negative, key=lambda n: w[names.index(n)]))
        out[pid] = {"features": names, "w": w, "b": b, "l2": l2}
    return out


# Candidate L2 strengths of the decision layer. Cross-validation, not a default, picks one: on the
# 70 dev documents a strength of 1.0 cost 0.03 macro-F1 against the strengths below 0.5.
L2_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


def choose_l2(rows: list[tuple[Item, dict]], feature_names=FEATURES, grid=L2_GRID, k: int = FOLDS) -> float:
    """Return the L2 strength of `grid` with the best grouped-CV macro-F1 over `rows` (ties: the larger)."""
    if len({publisher(it.id) for it, _ in rows}) < k:
        return 1.0  # too few publishers to cross-validate (the subset smoke test)
    best, best_f1 = grid[0], -1.0
    for l2 in grid:
        detected, _ = stacked_cv(rows, k, feature_names, l2=l2)
        f1 = score(detected)["macro"]
        if f1 >= best_f1:
            best, best_f1 = l2, f1
    return best


# ---------------------------------------------------------------- cross-validation


def out_of_fold_features(items: list[Item], annotations: dict, k: int = FOLDS, library=None,
                         log=print) -> list[tuple[Item, dict]]:
    """Return (item, features) for every item, each scored by models trained without its publisher."""
    import spacy

    from clausegen.check.rules import load_ruleset

    root = model_dir(library)
    ruleset = load_ruleset(library)
    lib = {lang: library_examples(lang, library) for lang in LANGS}
    rows = []
    for i, held in enumerate(folds_by_publisher(items, k)):
        held_ids = {it.id for it in held}
        models = {}
        for lang in LANGS:
            train_items = [it for it in items if it.id not in held_ids and it.lang == lang]
            examples, _ = corpus_examples(train_items, annotations)
            with tempfile.TemporaryDirectory(prefix="clausegen-cv-") as tmp:
                t0 = time.perf_counter()
                out = train_pipeline(lang, examples + lib[lang], Path(tmp) / lang, root / f"config-{lang}.cfg")
                models[lang] = spacy.load(out)
                log(f"fold {i + 1}/{k} {lang}: trained on {len(examples)} sentences of "
                    f"{len(train_items)} documents in {time.perf_counter() - t0:.1f} s")
        for it in held:
            rows.append((it, document_features(it, models, ruleset)))
    return rows


def stacked_cv(rows: list[tuple[Item, dict]], k: int = FOLDS, feature_names=FEATURES,
               l2: float | None = None) -> tuple[list, list]:
    """Return (detections, probabilities) of the decision layer, each fold's fitted on the other folds.

    With `l2` None, each fold chooses its own L2 strength by an inner CV on its training folds
    (nested cross-validation: the held-out fold takes no part in any choice).
    """
    folds = folds_by_publisher([it for it, _ in rows], k)
    feats_of = {it.id: f for it, f in rows}
    detected, probs = [], []
    for held in folds:
        held_ids = {it.id for it in held}
        params = fit_decision([r for r in rows if r[0].id not in held_ids], feature_names, l2=l2)
        for it in held:
            ps = {pid: decide(params[pid], feats_of[it.id][pid]) for pid in REQUIRED}
            detected.append((it, {pid: ps[pid] >= 0.5 for pid in REQUIRED}))
            probs.append((it, ps))
    return detected, probs


def reliability(probs: list[tuple[Item, dict]], bins=(0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0001)) -> list[tuple]:
    """Return rows (low, high, n, mean confidence, share correct) of the reported confidences.

    The reported confidence is the probability of the reported verdict: p for "present", 1-p
    for "missing"; a verdict is correct when it agrees with the label.
    """
    pairs = []
    for it, ps in probs:
        for pid, p in ps.items():
            present = p >= 0.5
            pairs.append((p if present else 1 - p, present == bool(it.labels.get(pid))))
    out = []
    for lo, hi in zip(bins, bins[1:]):
        sel = [(c, ok) for c, ok in pairs if lo <= c < hi]
        if sel:
            out.append((lo, min(hi, 1.0), len(sel), sum(c for c, _ in sel) / len(sel),
                        sum(ok for _, ok in sel) / len(sel)))
    return out


CV_CACHE = Path(__file__).resolve().parents[2] / "build" / "cv-features.json"


def save_rows(rows: list[tuple[Item, dict]], path: Path) -> None:
    """Save out-of-fold features (for bench/ablate_rules.py and bench/evaluate.py --cv --cached)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({it.id: feats for it, feats in rows}, indent=0), encoding="utf-8")


def load_rows(items: list[Item], path: Path = None) -> list[tuple[Item, dict]]:
    """Return the saved out-of-fold features of `items` (FileNotFoundError if never saved)."""
    data = json.loads((path or CV_CACHE).read_text(encoding="utf-8"))
    for feats in data.values():  # scores saved before the floor of classifier.PROB_FLOOR
        for f in feats.values():
            for key in ("max", "second"):
                f[key] = max(-LOGIT_BOUND, min(LOGIT_BOUND, f[key]))
    return [(it, data[it.id]) for it in items if it.id in data]


# ---------------------------------------------------------------- manifest


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(items: list[Item], root: Path) -> dict:
    """Return what a trained model depends on: configs, annotations, corpus texts, library examples."""
    import spacy

    # the vocabularies too: the rules read them, and the decision layer is fitted on the rules' output
    rule_files = sorted((root.parent / "rules").glob("*.yml")) + sorted(root.parent.glob("vocabularies.yml"))
    templates = sorted((root.parent / "zh").glob("*.j2")) + sorted((root.parent / "en").glob("*.j2"))
    return {
        "spacy": spacy.__version__,
        "seed": SEED,
        "configs": {lang: _sha(root / f"config-{lang}.cfg") for lang in LANGS},
        "annotations": _sha(root / "annotations.jsonl"),
        "corpus": {it.id: text_hash(read_item(str(it.path)).text) for it in items},
        "library": hashlib.sha256("".join(_sha(p) for p in rule_files + templates).encode()).hexdigest(),
    }


def verify(library=None, corpus: Path | None = None) -> list[str]:
    """Return the differences between the shipped model's manifest and the files it was trained from."""
    root = model_dir(library)
    shipped = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    now = manifest(load_corpus(corpus), root)
    problems = []
    for key in ("configs", "annotations", "corpus", "library", "seed"):
        if shipped.get("inputs", {}).get(key) != now[key]:
            problems.append(f"{key}: the shipped model was trained on other {key} (run `make train`)")
    for lang in LANGS:
        if not (root / lang / "config.cfg").is_file():
            problems.append(f"{lang}: no trained pipeline in {root / lang}")
    return problems


# ---------------------------------------------------------------- commands


def cmd_list(args) -> int:
    items = {it.id: it for it in load_corpus(args.corpus)}
    it = items.get(args.doc)
    if it is None:
        print(f"error: {args.doc}: not in the corpus labels", file=sys.stderr)
        return 2
    for i, u in enumerate(units(read_item(str(it.path)))):
        heading = f" «{u.heading[:60]}»" if u.heading else ""
        print(f"S{i}{heading} | {u.text}")
    return 0


def cmd_annotate(args) -> int:
    root = model_dir()
    path = root / "annotations.jsonl"
    annotations = load_annotations(path) if path.is_file() else {}
    items = {it.id: it for it in load_corpus(args.corpus)}
    marked = json.loads(Path(args.file).read_text(encoding="utf-8"))
    for doc, entry in marked.items():
        if doc not in items:
            print(f"error: {args.file}: {doc}: not in the corpus labels", file=sys.stderr)
            return 2
        contract = read_item(str(items[doc].path))
        text = contract.text
        us = units(contract)
        spans = []
        for pid, ids in (entry.get("spans") or {}).items():
            if pid not in REQUIRED:
                print(f"error: {args.file}: {doc}: unknown provision {pid!r}", file=sys.stderr)
                return 2
            for k in ids:
                if not 0 <= int(k) < len(us):
                    print(f"error: {args.file}: {doc}: no unit S{k} (the document has {len(us)})", file=sys.stderr)
                    return 2
                u = us[int(k)]
                s, e = u.offset, u.offset + len(u.text)
                spans.append((s, e, pid, span_hash(text[s:e])))
        annotations[doc] = Annotation(doc, text_hash(text), tuple(sorted(set(spans))))
    from clausegen.outputs import write_atomic

    write_atomic(path, dump_annotations(annotations).encode("utf-8"))
    print(f"{len(marked)} document(s) annotated; {len(annotations)} in {path}")
    return 0


def _print_scores(title: str, rows, log=print) -> dict:
    sc = score(rows)
    log(f"{title}: macro-F1 {sc['macro']:.3f}  " + "  ".join(
        f"{pid[:5]} {sc[pid][0]:.2f}/{sc[pid][1]:.2f}/{sc[pid][2]:.2f}" for pid in REQUIRED))
    for lang in LANGS:
        sl = score([r for r in rows if r[0].lang == lang])
        log(f"  {lang}: macro-F1 {sl['macro']:.3f}  " + "  ".join(
            f"{pid[:5]} {sl[pid][0]:.2f}/{sl[pid][1]:.2f}/{sl[pid][2]:.2f}" for pid in REQUIRED))
    return sc


def cmd_train(args) -> int:
    root = model_dir()
    items = load_corpus(args.corpus)
    annotations = load_annotations(root / "annotations.jsonl")
    if args.subset:
        # A quick proof that the training path works (CI): a few documents, one fold, a scratch folder.
        rng = random.Random(SEED)
        items = sorted(rng.sample(items, min(args.subset, len(items))), key=lambda it: it.id)
    out_root = Path(args.output) if args.output else root
    t0 = time.perf_counter()
    cv = {}
    if not args.subset:
        rows = load_rows(items) if args.decision_only else out_of_fold_features(items, annotations, FOLDS)
        save_rows(rows, CV_CACHE)
        detected, probs = stacked_cv(rows)
        sc = _print_scores("cross-validated (model + rules)", detected)
        model_only, _ = stacked_cv(rows, feature_names=("max", "second", "count", "lang_zh"))
        sm = _print_scores("cross-validated (model alone)", model_only)
        decision = fit_decision(rows)
        cv = {"macro_f1": round(sc["macro"], 4), "model_alone_macro_f1": round(sm["macro"], 4),
              "by_lang": {lang: round(score([r for r in detected if r[0].lang == lang])["macro"], 4) for lang in LANGS},
              "per_provision": {pid: [round(v, 3) for v in sc[pid][:3]] for pid in REQUIRED},
              "reliability": [[round(v, 3) for v in row] for row in reliability(probs)]}
    else:
        decision = {pid: {"features": list(FEATURES), "w": [1.0, 0.0, 0.0, 2.0, 0.0], "b": -1.0} for pid in REQUIRED}
    out_root.mkdir(parents=True, exist_ok=True)
    for lang in (() if args.decision_only else LANGS):
        lang_items = [it for it in items if it.lang == lang]
        examples, problems = corpus_examples(lang_items, annotations)
        lost = [p for p in problems if "not found" in p or "not annotated" in p]
        if lost and not args.subset:
            print("error: annotations do not match the corpus:\n  " + "\n  ".join(lost), file=sys.stderr)
            return 2
        train_pipeline(lang, examples + library_examples(lang), out_root / lang, root / f"config-{lang}.cfg",
                       epochs=args.epochs)
        print(f"{lang}: trained on {len(examples)} corpus sentences of {len(lang_items)} documents")
    (out_root / "decision.json").write_text(json.dumps(
        {"labels": list(REQUIRED), "provisions": decision}, indent=1) + "\n", encoding="utf-8")
    if not args.subset:
        info = {"inputs": manifest(items, root), "cross_validation": cv, "folds": FOLDS,
                "documents": {lang: sum(1 for it in items if it.lang == lang) for lang in LANGS},
                "seconds": round(time.perf_counter() - t0, 1)}
        (out_root / "manifest.json").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n",
                                                encoding="utf-8")
    print(f"model written to {out_root} in {time.perf_counter() - t0:.0f} s")
    return 0


def cmd_verify(args) -> int:
    problems = verify(corpus=args.corpus)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if not problems:
        print("the shipped model matches its configs, annotations, corpus and library")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m clausegen.check.train", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=None, help="the dev corpus (default ../shared/corpus/dev)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("list", help="print the numbered units of a corpus document")
    p.add_argument("doc")
    p = sub.add_parser("annotate", help="merge {doc: {spans: {provision: [unit numbers]}}} into annotations.jsonl")
    p.add_argument("file")
    p = sub.add_parser("train", help="cross-validate, fit the decision layer and train the shipped pipelines")
    p.add_argument("--subset", type=int, default=0, help="train on N documents only, without CV (a smoke test)")
    p.add_argument("--output", default=None, help="write the model here instead of the library's model folder")
    p.add_argument("--epochs", type=int, default=None, help="override the configs' max_epochs (a smoke test)")
    p.add_argument("--decision-only", action="store_true",
                   help="refit the decision layer on the scores saved by the last full run (build/cv-features.json)")
    sub.add_parser("verify", help="check that the shipped model matches its inputs")
    args = ap.parse_args(argv)
    if args.corpus is None:
        args.corpus = default_corpus_dir()
    return {"list": cmd_list, "annotate": cmd_annotate, "train": cmd_train, "verify": cmd_verify}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
