"""The trained provision classifier: a spaCy textcat_multilabel pipeline per language, scoring sentences.

The pipelines are trained by `make train` (clausegen.check.train) from the sentence annotations
of the development corpus and ship in the library beside the rules
(`clause_templates/<family>/model/{zh,en}`). A library without a model folder is checked by its
rules alone.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# How a sentence is shown to the model: its section title, a separator, the sentence. The title
# says what a sentence is about ("Service Credits" → "10% of the monthly fee").
HEADING_SEPARATOR = " ¦ "
MAX_HEADING = 60
MAX_SENTENCE = 600


_DIGIT = re.compile(r"[0-9０-９]")


def unit_text(sentence: str, heading: str = "") -> str:
    """Return the text the model reads for `sentence` under section title `heading`.

    Lower case, and every digit a 0: "Within 30 Days" and "within 14 days" are the same
    feature to a bag of n-grams (cross-validation preferred this, 0.816 vs 0.799 on English).
    """
    sentence = sentence[:MAX_SENTENCE]
    heading = heading[:MAX_HEADING].strip()
    text = f"{heading}{HEADING_SEPARATOR}{sentence}" if heading else sentence
    return _DIGIT.sub("0", text.lower())


@dataclass(frozen=True)
class ProvisionModel:
    """A loaded model folder: per-language pipelines and the per-provision decision parameters."""

    root: Path
    labels: tuple[str, ...]
    decision: dict  # provision -> {"w": [...], "b": float, "features": [...]}
    info: dict

    def nlp(self, lang: str):
        """Return the spaCy pipeline for `lang` (loaded once per process)."""
        return _load_pipeline(str(self.root / lang))

    def has(self, lang: str) -> bool:
        return (self.root / lang / "config.cfg").is_file()

    def score(self, texts: list[str], lang: str) -> list[dict[str, float]]:
        """Return, per text, {provision: probability} from the pipeline of `lang`."""
        if not texts or not self.has(lang):
            return [{} for _ in texts]
        nlp = self.nlp(lang)
        return [dict(doc.cats) for doc in nlp.pipe(texts, batch_size=512)]


@lru_cache(maxsize=4)
def _load_pipeline(path: str):
    import spacy

    # The tokenizer is built from the pipeline's config ([nlp.tokenizer] and the language's
    # defaults); reading its saved copy back adds every English special case a second time
    # (a fifth of the load) to the same result, since training never changes the tokenizer.
    return spacy.load(path, exclude=["tokenizer"])


def model_root(family) -> Path:
    """Return the model folder of `family`: the first layer (firm, then built-in) that has one."""
    found = family.find("model/decision.json")
    return found.parent if found is not None else family.layers[-1] / "model"


def model_for(family) -> ProvisionModel | None:
    """Return the trained model of `family` (loaded once per process), or None when it has none."""
    return load_model(str(model_root(family)))


@lru_cache(maxsize=8)
def load_model(root: str | None) -> ProvisionModel | None:
    """Return the model in folder `root` (None when there is none)."""
    if root is None:
        return None
    base = Path(root)
    if not (base / "decision.json").is_file():
        return None
    decision = json.loads((base / "decision.json").read_text(encoding="utf-8"))
    info = json.loads((base / "manifest.json").read_text(encoding="utf-8")) if (base / "manifest.json").is_file() else {}
    return ProvisionModel(base, tuple(decision.get("labels", ())), decision.get("provisions", {}), info)


# ---------------------------------------------------------------- document-level features

FEATURES = ("max", "second", "count", "rule", "lang_zh")


def features(probs: list[float], rule_strength: float, lang: str) -> dict[str, float]:
    """Return the document-level features of one provision.

    `probs` are the model's sentence probabilities, `rule_strength` the strongest rule hit
    (0 when no rule fired). Probabilities enter as log-odds, so the decision is linear in them.
    """
    top = sorted(probs, reverse=True)[:2] + [0.0, 0.0]
    return {
        "max": _logit(top[0]),
        "second": _logit(top[1]),
        "count": math.log1p(sum(1 for p in probs if p >= 0.5)),
        "rule": float(rule_strength),
        "lang_zh": 1.0 if lang == "zh" else 0.0,
    }


# A sentence score below 1 % (or above 99 %) tells nothing more: without this floor a document whose
# one arbitration sentence stands alone had its "second best" at the log-odds of 0.0001 (-9.2),
# and a clear dispute clause was reported missing.
PROB_FLOOR = 0.01
LOGIT_BOUND = math.log((1 - PROB_FLOOR) / PROB_FLOOR)


def _logit(p: float) -> float:
    p = min(max(p, PROB_FLOOR), 1 - PROB_FLOOR)
    return math.log(p / (1 - p))


def decide(params: dict, feats: dict[str, float]) -> float:
    """Return the calibrated probability that the provision is present (logistic decision)."""
    z = params.get("b", 0.0) + sum(w * feats.get(name, 0.0) for name, w in zip(params["features"], params["w"]))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
