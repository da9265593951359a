"""The gate's calibrated classifier and its scope router.

``GateModel`` is a logistic regression over the evidence features the gate computes (gate.evidence_features)
and the scope router's two similarities; it gives the probability that the passages answer the question.
``guidebot train`` fits it on the golden ``train`` split and chooses its threshold on ``dev`` for at most 3 %
false refusals; the coefficients, the threshold and the figures they were chosen with are stored as JSON in
``models/gate.json``.

``ScopeRouter`` compares the question (its query vector, already computed by retrieval) with a bank of
in-scope questions (the golden ``train`` questions that the guide answers) and a bank of out-of-scope ones
(small talk, recipes, travel, general knowledge, creative writing, other companies, a named person's private
data, instructions however politely put: ``evals/scope/out_of_scope.yaml``). Both banks' texts are stored in
``models/scope.json``; their vectors are embedded once per embedder and cached in ``cache_dir``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from guidebot.answer.ranker import read_logistic
from guidebot.index.embedders import Embedder

log = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).parent / "models"
GATE_PATH = MODELS_DIR / "gate.json"
SCOPE_PATH = MODELS_DIR / "scope.json"
SCOPE_NEIGHBOURS = 3  # the scope similarities are the mean of the closest few of each bank

GATE_FEATURES = (
    "top_dense",
    "dense_margin",
    "best_unit_sim",
    "agree",
    "coverage_known",
    "coverage",
    "idf_coverage",
    "ranker_best",
    "type_has_form",
    "type_found",
    "type_missing",
    "same_language_passage",
    "scope_in",
    "scope_out",
    "scope_margin",
)


def gate_vector(features: dict[str, Any]) -> np.ndarray:
    """The classifier's input, in GATE_FEATURES order, from the gate's feature dict."""
    f = dict(features)
    f["type_missing"] = bool(f.get("type_has_form")) and not f.get("type_found")
    f["scope_margin"] = float(f.get("scope_in", 0.0)) - float(f.get("scope_out", 0.0))
    return np.asarray([float(f.get(name, 0.0) or 0.0) for name in GATE_FEATURES], dtype=np.float64)


@dataclass
class GateModel:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    meta: dict[str, Any]

    @classmethod
    def load(cls, path: Path = GATE_PATH) -> GateModel:
        data, mean, scale, coef, intercept = read_logistic(path, GATE_FEATURES)
        return cls(mean, scale, coef, intercept, float(data["threshold"]), data.get("meta", {}))

    def probability(self, features: dict[str, Any]) -> float:
        z = float(((gate_vector(features) - self.mean) / self.scale) @ self.coef + self.intercept)
        return 1.0 / (1.0 + float(np.exp(-z)))


class ScopeRouter:
    """Nearest in-scope and out-of-scope questions to the query vector."""

    def __init__(self, inside: np.ndarray, outside: np.ndarray) -> None:
        self.inside = inside
        self.outside = outside

    @classmethod
    def load(cls, embedder: Embedder, cache_dir: Path, path: Path = SCOPE_PATH) -> ScopeRouter | None:
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            bank_vectors(embedder, data["in_scope"], cache_dir), bank_vectors(embedder, data["out_of_scope"], cache_dir)
        )

    def features(self, qvec: np.ndarray) -> dict[str, float]:
        return {"scope_in": _closest(self.inside, qvec), "scope_out": _closest(self.outside, qvec)}


def _closest(bank: np.ndarray, qvec: np.ndarray) -> float:
    if not len(bank):
        return 0.0
    sims = np.sort(bank @ qvec)[::-1][:SCOPE_NEIGHBOURS]
    return float(sims.mean())


def bank_vectors(embedder: Embedder, texts: list[str], cache_dir: Path) -> np.ndarray:
    """Query-side vectors of a bank of questions, cached by embedder and texts."""
    digest = hashlib.sha256(json.dumps([embedder.name, texts], ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    path = cache_dir / "scope" / f"{digest}.npy"
    if path.is_file():
        try:
            return np.asarray(np.load(path, allow_pickle=False))
        except (OSError, ValueError):
            log.warning("scope bank cache %s unreadable; embedding again", path)
    vectors = np.asarray([embedder.embed_query(t) for t in texts], dtype=np.float32).reshape(len(texts), -1)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, vectors, allow_pickle=False)
    tmp.replace(path)
    return vectors
