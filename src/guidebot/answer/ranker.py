"""The unit ranker: which sentence, list item or table row of the passages answers the question.

Every unit of the evidence gets a feature vector (``FEATURES``: dense similarity and its margins, IDF-weighted
key-term and section overlap, the question's years found or contradicted, answer-type match, passage rank and
leg agreement, position, novelty, language, kind, and cross-reference / hedge / question flags). A logistic
regression (scikit-learn, fitted by ``guidebot train`` on the golden ``train`` split) turns it into the
probability that the unit carries a fact the question needs. The model is a small JSON file of coefficients
(``models/unit_ranker.json``), with the data and metrics it was trained with; nothing is unpickled.

``HeuristicRanker`` is the hand-weighted score this replaced, kept for the ablation in evals/README.md.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from guidebot.answer.analysis import Evidence, TermWeights, UnitEvidence, carries_type, type_has_span_form
from guidebot.answer.text import has_digit

MODELS_DIR = Path(__file__).parent / "models"
UNIT_RANKER_PATH = MODELS_DIR / "unit_ranker.json"
NOVEL_WORDS = 6  # content words beyond the question's that make a unit fully informative
_RULE_WORDS = re.compile(
    r"\b(ne\b.{0,30}\bpas|n'est pas|pas de|jamais|aucun\w*|obligatoire\w*|doi[st]|doivent|peu[tx]|peuvent|possible"
    r"|interdit\w*|oblig\w+|niet|geen|nooit|moet\w*|mag|mogen|kan|kunnen|verplicht\w*|not|no|never|must|can|cannot"
    r"|may|required|only|uniquement|seulement|alleen)\b",
    re.IGNORECASE,
)

FEATURES = (
    "sim",
    "sim_margin",
    "sim_rank_inv",
    "sim_margin_in_passage",
    "passage_dense",
    "passage_rank_inv",
    "legs_agree",
    "lexical_rank_inv",
    "terms_idf",
    "terms_plain",
    "section_idf",
    "year_match",
    "year_contradicts",
    "type_match",
    "type_missing",
    "has_digit",
    "position_inv",
    "first_unit",
    "novelty",
    "same_language",
    "kind_item",
    "kind_row",
    "cross_reference",
    "hedge",
    "is_question",
    "anaphor",
    "list_intro",
    "short",
    "log_words",
    "foreign_unasked",
    "yes_no_rule",
    "procedure_item",
    "type_match_x_margin",
)


def unit_features(ev: Evidence, weights: TermWeights) -> np.ndarray:
    """One row of FEATURES per unit of the evidence, in ``ev.units`` order."""
    q = ev.question
    if not ev.units:
        return np.zeros((0, len(FEATURES)), dtype=np.float64)
    sims = np.array([u.sim for u in ev.units])
    best = float(sims.max())
    order = np.argsort(-sims, kind="stable")
    rank = np.empty(len(sims), dtype=np.int64)
    rank[order] = np.arange(len(sims))
    best_in = [max((u.sim for u in units), default=0.0) for units in ev.by_passage]
    span_form = type_has_span_form(q.answer_type)
    rows = []
    for j, u in enumerate(ev.units):
        p = ev.passages[u.passage]
        lang = p.chunk.lang
        same = lang == q.retrieval_lang
        match = carries_type(u.spans, q.answer_type)
        margin = u.sim - best
        year_match = bool(q.years and u.years & q.years)
        rows.append(
            [
                u.sim,
                margin,
                1.0 / (1 + rank[j]),
                u.sim - best_in[u.passage],
                p.dense_score or 0.0,
                1.0 / (1 + u.passage),
                1.0 if p.dense_rank is not None and p.lexical_rank is not None else 0.0,
                1.0 / (1 + p.lexical_rank) if p.lexical_rank is not None else 0.0,
                weights.weighted_overlap(q.terms, u.tokens, lang) if same else 0.0,
                len(q.terms & u.tokens) / len(q.terms) if same and q.terms else 0.0,
                weights.weighted_overlap(q.terms, ev.section_tokens[u.passage], lang) if same else 0.0,
                1.0 if year_match else 0.0,
                1.0 if q.years and u.years and not year_match else 0.0,
                1.0 if match else 0.0,
                1.0 if span_form and not match else 0.0,
                1.0 if has_digit(u.unit.text) else 0.0,
                1.0 / (1 + u.unit.position),
                1.0 if u.unit.position == 0 else 0.0,
                min(1.0, len(u.tokens - q.terms) / NOVEL_WORDS),
                1.0 if lang == q.lang else 0.0,
                1.0 if u.unit.kind == "item" else 0.0,
                1.0 if u.unit.kind == "row" else 0.0,
                1.0 if u.cross_reference else 0.0,
                1.0 if u.hedge else 0.0,
                1.0 if u.unit.text.rstrip().endswith("?") else 0.0,
                1.0 if u.anaphor else 0.0,
                1.0 if u.unit.text.rstrip().endswith(":") else 0.0,
                1.0 if u.words < 4 else 0.0,
                math.log1p(u.words),
                1.0 if u.foreign and not q.abroad else 0.0,
                1.0 if q.answer_type == "yes_no" and _RULE_WORDS.search(u.unit.text) else 0.0,
                1.0 if q.answer_type == "procedure" and u.unit.kind == "item" else 0.0,
                (1.0 if match else 0.0) * margin,
            ]
        )
    return np.asarray(rows, dtype=np.float64)


def read_logistic(
    path: Path, features: tuple[str, ...]
) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.ndarray, float]:
    """A logistic regression's JSON artifact: (the whole file, scaler mean, scaler scale, coefficients, intercept).
    Refused when it was trained on other features than ``features``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if list(data["features"]) != list(features):
        raise ValueError(f"{path}: trained on other features; rebuild it with `guidebot train`")
    arrays = [np.asarray(data[key], dtype=np.float64) for key in ("mean", "scale", "coef")]
    return data, arrays[0], arrays[1], arrays[2], float(data["intercept"])


class Ranker(Protocol):
    name: str

    def score(self, ev: Evidence, weights: TermWeights) -> None:
        """Fill ``ev.scores`` with one score per unit (higher is better)."""


@dataclass
class LearnedRanker:
    """Logistic regression over FEATURES, read from its JSON artifact."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    meta: dict[str, Any]
    name: str = "learned"

    @classmethod
    def load(cls, path: Path = UNIT_RANKER_PATH) -> LearnedRanker:
        data, mean, scale, coef, intercept = read_logistic(path, FEATURES)
        return cls(mean, scale, coef, intercept, data.get("meta", {}))

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def score(self, ev: Evidence, weights: TermWeights) -> None:
        probs = self.probabilities(unit_features(ev, weights))
        ev.set_scores({u.key: float(s) for u, s in zip(ev.units, probs, strict=True)})


# The hand weights the learned ranker replaced (set by reading dev answers), over the same features.
_HAND = {
    "sim_margin": 0.45 / 0.08,
    "terms_plain": 0.3,
    "section_idf": 0.1,
    "passage_rank_inv": 0.15,
    "position_inv": 0.05,
    "novelty": 0.2,
    "cross_reference": -1.0,
    "foreign_unasked": -0.4,
}


class HeuristicRanker:
    """Today's hand-weighted sentence score, for the ablation."""

    name = "heuristic"

    def score(self, ev: Evidence, weights: TermWeights) -> None:
        x = unit_features(ev, weights)
        idx = {f: i for i, f in enumerate(FEATURES)}
        scores = np.zeros(len(ev.units))
        for f, w in _HAND.items():
            col = x[:, idx[f]] if len(x) else np.zeros(0)
            if f == "sim_margin":
                col = np.maximum(0.0, col + 0.08)
            scores += w * col
        if len(x):
            scores += 0.1 * x[:, idx["has_digit"]] * (1.0 if ev.question.answer_type != "other" else 0.0)
        ev.set_scores({u.key: float(s) for u, s in zip(ev.units, scores, strict=True)})


def load_ranker(kind: str, path: Path | None = None) -> Ranker:
    """The ranker a setting names: 'learned' (the trained artifact) or 'heuristic'."""
    if kind == "heuristic":
        return HeuristicRanker()
    return LearnedRanker.load(path or UNIT_RANKER_PATH)


def unit_labels(ev: Evidence, patterns: list[str]) -> list[tuple[UnitEvidence, int, int]]:
    """(unit, facts it carries, facts asked) for training: a fact is one ``must_contain`` pattern."""
    compiled = [re.compile(p, re.IGNORECASE) for p in patterns]
    out = []
    for u in ev.units:
        text = u.unit.text if u.unit.intro is None else f"{u.unit.intro} {u.unit.text}"
        out.append((u, sum(1 for c in compiled if c.search(text)), len(compiled)))
    return out
