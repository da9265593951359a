"""``guidebot train``: fit the unit ranker and the gate on the golden ``train`` split, choose settings on ``dev``.

The fit has no random state (lbfgs) and coefficients are written to 9 decimals, but two runs are not yet
bit-identical: their feature means differ by up to 4e-4, so something upstream of the fit (retrieval or
embedding of a few questions) varies between processes. The ``test`` split is never read here.

1. Every train and dev question is prepared by the engine (rewrite, retrieval, one evidence pass) with the
   hand-weighted ranker and the rule gate, so no artifact is needed to build the next one.
2. Unit ranker: each unit of the pool is labelled by the question's ``must_contain`` patterns (a unit that
   carries one of the facts is positive); a logistic regression over ranker.FEATURES, its regularisation chosen
   on dev by the share of questions whose lead carries every fact.
3. Scope banks: the train questions the guide answers (in scope) and evals/scope/out_of_scope.yaml with the
   train off-topic questions (out of scope).
4. Gate: the evidence features of every train question that reaches the classifier (not an instruction, an
   account question or a missing figure), labelled answerable or not; the threshold is the highest whose dev
   false refusals stay at or below MAX_FALSE_REFUSALS.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from guidebot.answer.engine import AnswerEngine, _Prepared
from guidebot.answer.gate import evidence_features, is_account_question, is_injection, strip_injection
from guidebot.answer.gate_model import GATE_FEATURES, GATE_PATH, SCOPE_NEIGHBOURS, SCOPE_PATH, gate_vector
from guidebot.answer.ranker import FEATURES, UNIT_RANKER_PATH, LearnedRanker, unit_features, unit_labels
from guidebot.answer.writers import ExtractiveWriter
from guidebot.documents import Turn
from guidebot.evals.golden import GoldenCase

log = logging.getLogger(__name__)
MAX_FALSE_REFUSALS = 0.03
RANKER_C = (0.03, 0.1, 0.3, 1.0, 3.0)
GATE_C = 1.0
Progress = Callable[[str, int, int], None]


@dataclass
class Sample:
    case: GoldenCase
    prepared: _Prepared


def prepare_cases(engine: AnswerEngine, cases: list[GoldenCase], progress: Progress | None = None) -> list[Sample]:
    out = []
    for i, case in enumerate(cases, start=1):
        history: list[Turn] = []
        for previous in case.history:
            r = engine.ask(previous, history)
            history.append(Turn(previous, r.query, r.language))
        out.append(Sample(case, engine.prepare(case.question, history, None, None)))
        if progress:
            progress(case.split, i, len(cases))
    return out


def _ranker_data(engine: AnswerEngine, samples: list[Sample]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs: list[np.ndarray] = []
    ys: list[int] = []
    groups: list[int] = []
    for g, s in enumerate(samples):
        if not s.case.answerable or not s.case.must_contain:
            continue
        ev = s.prepared.evidence
        x = unit_features(ev, engine.term_weights)
        labels = unit_labels(ev, s.case.must_contain)
        if not len(x) or not any(n for _u, n, _t in labels):
            continue  # retrieval missed every fact: nothing to learn about choosing units
        xs.append(x)
        # a unit is positive when it carries a fact the question needs: a two-part question whose facts sit in
        # two units teaches the ranker as much as one a single unit answers (dev split: lead 0.465 -> 0.496,
        # facts 0.654 -> 0.677 against "every fact in the unit", see evals/README.md)
        ys.extend(1 if n else 0 for _u, n, _t in labels)
        groups.extend([g] * len(labels))
    return np.vstack(xs), np.asarray(ys), np.asarray(groups)


def _lead_share(engine: AnswerEngine, samples: list[Sample]) -> dict[str, float]:
    """Share of answerable questions whose lead (as the writer chooses it) carries every fact, and the ceiling."""
    writer = ExtractiveWriter(engine.settings, engine.term_weights)
    lead_all = lead_any = ceiling = n = 0
    for s in samples:
        if not s.case.answerable or not s.case.must_contain:
            continue
        n += 1
        ev = s.prepared.evidence
        engine.ranker.score(ev, engine.term_weights)
        labels = {u.key: (k, t) for u, k, t in unit_labels(ev, s.case.must_contain)}
        if any(k == t for k, t in labels.values()):
            ceiling += 1
        choice = writer.choose(ev)
        if choice.lead:
            # the lead paragraph carries a fact when one of its units does (facts counted over the paragraph)
            patterns = [re.compile(p, re.IGNORECASE) for p in s.case.must_contain]
            text = " ".join(u.unit.text for u in choice.lead)
            found = sum(1 for p in patterns if p.search(text))
            lead_all += found == len(patterns)
            lead_any += found > 0
    return {"questions": n, "lead_all": lead_all / n, "lead_any": lead_any / n, "ceiling": ceiling / n}


def _fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit((x - scaler.mean_) / scale, y)
    return scaler.mean_, scale, model.coef_[0], float(model.intercept_[0])


def train_ranker(engine: AnswerEngine, train: list[Sample], dev: list[Sample], path: Path) -> dict[str, Any]:
    x, y, groups = _ranker_data(engine, train)
    baseline = {"train": _lead_share(engine, train), "dev": _lead_share(engine, dev)}
    tried = []
    best: tuple[float, LearnedRanker, float] | None = None
    for c in RANKER_C:
        mean, scale, coef, intercept = _fit(x, y, c)
        engine.ranker = LearnedRanker(mean, scale, coef, intercept, {})
        dev_share = _lead_share(engine, dev)
        tried.append({"C": c, "dev": dev_share})
        if best is None or dev_share["lead_all"] > best[0] + 1e-9:
            best = (dev_share["lead_all"], engine.ranker, c)
    assert best is not None
    ranker, c = best[1], best[2]
    engine.ranker = ranker
    meta = {
        "trained_on": "golden train split (guidebot train)",
        "questions": int(len(set(groups.tolist()))),
        "units": int(len(y)),
        "positive_units": int(y.sum()),
        "C": c,
        "model": "sklearn LogisticRegression(class_weight=balanced), StandardScaler",
        "lead_all_heuristic": baseline,
        "lead_all_learned": {"train": _lead_share(engine, train), "dev": _lead_share(engine, dev)},
        "C_tried_on_dev": tried,
    }
    ranker.meta = meta
    _write_json(
        path,
        {
            "features": list(FEATURES),
            "mean": ranker.mean.tolist(),
            "scale": ranker.scale.tolist(),
            "coef": ranker.coef.tolist(),
            "intercept": ranker.intercept,
            "meta": meta,
        },
    )
    return meta


def _reaches_classifier(s: Sample) -> bool:
    typed = s.prepared.evidence.question.typed
    if (is_injection(typed) and not strip_injection(typed)) or is_account_question(typed):
        return False
    hard = ("figure_not_found", "type_not_found")
    return bool(s.prepared.evidence.passages) and s.prepared.decision.reason not in hard


def write_scope(train: list[GoldenCase], out_of_scope_file: Path, path: Path) -> dict[str, list[str]]:
    bank = yaml.safe_load(out_of_scope_file.read_text(encoding="utf-8")) or {}
    inside = sorted({c.question for c in train if c.answerable and c.kind != "injection"})
    outside = sorted(set(bank.get("out_of_scope", [])) | {c.question for c in train if c.kind == "off_topic"})
    data = {"in_scope": inside, "out_of_scope": outside}
    _write_json(
        path,
        {
            **data,
            "meta": {
                "in_scope": "golden train questions the guide answers",
                "out_of_scope": f"{out_of_scope_file.as_posix()} and the train off-topic questions",
            },
        },
    )
    return data


def _scope_features(
    qvec: np.ndarray, banks: dict[str, np.ndarray], texts: dict[str, list[str]], own: str
) -> dict[str, float]:
    out = {}
    for key, name in (("scope_in", "in_scope"), ("scope_out", "out_of_scope")):
        sims = banks[name] @ qvec
        mask = np.array([t != own for t in texts[name]])  # a question is never its own neighbour
        kept = np.sort(sims[mask])[::-1][:SCOPE_NEIGHBOURS]
        out[key] = float(kept.mean()) if len(kept) else 0.0
    return out


def train_gate(
    engine: AnswerEngine, train: list[Sample], dev: list[Sample], scope: dict[str, list[str]], path: Path
) -> dict[str, Any]:
    from guidebot.answer.gate_model import bank_vectors

    banks = {k: bank_vectors(engine.searcher.embedder, v, engine.settings.cache_dir) for k, v in scope.items()}

    def rows(samples: list[Sample]) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = [], []
        for s in samples:
            if not _reaches_classifier(s):
                continue
            ev = s.prepared.evidence
            engine.ranker.score(ev, engine.term_weights)
            f = evidence_features(ev, s.prepared.result, engine.term_weights, engine.settings.gate_top_passages)
            qvec = s.prepared.result.query_vector
            if qvec is not None:
                f.update(_scope_features(qvec, banks, scope, s.case.question))
            xs.append(gate_vector(f))
            ys.append(1 if s.case.answerable else 0)
        return np.asarray(xs), np.asarray(ys)

    x, y = rows(train)
    mean, scale, coef, intercept = _fit(x, y, GATE_C)
    xd, yd = rows(dev)
    p = 1.0 / (1.0 + np.exp(-(((xd - mean) / scale) @ coef + intercept)))
    answerable = p[yd == 1]
    refusable = p[yd == 0]
    threshold = 0.5
    table = []
    for t in np.round(np.arange(0.05, 0.96, 0.05), 2):
        fr = float((answerable < t).mean()) if len(answerable) else 0.0
        rr = float((refusable < t).mean()) if len(refusable) else 0.0
        table.append({"threshold": float(t), "dev_false_refusals": round(fr, 4), "dev_refusal_recall": round(rr, 4)})
        if fr <= MAX_FALSE_REFUSALS:
            threshold = float(t)
    meta = {
        "trained_on": "golden train split (guidebot train)",
        "train_questions": int(len(y)),
        "train_answerable": int(y.sum()),
        "dev_questions": int(len(yd)),
        "threshold_rule": f"highest threshold with dev false refusals <= {MAX_FALSE_REFUSALS} (classifier alone)",
        "thresholds_on_dev": table,
        "C": GATE_C,
        "model": "sklearn LogisticRegression(class_weight=balanced), StandardScaler",
    }
    _write_json(
        path,
        {
            "features": list(GATE_FEATURES),
            "mean": mean.tolist(),
            "scale": scale.tolist(),
            "coef": coef.tolist(),
            "intercept": intercept,
            "threshold": threshold,
            "meta": meta,
        },
    )
    return {**meta, "threshold": threshold}


def train_all(
    engine: AnswerEngine,
    cases: list[GoldenCase],
    out_of_scope_file: Path,
    progress: Progress | None = None,
    ranker_path: Path = UNIT_RANKER_PATH,
    gate_path: Path = GATE_PATH,
    scope_path: Path = SCOPE_PATH,
) -> dict[str, Any]:
    """Fit both artifacts; ``engine`` must use the heuristic ranker and the rule gate."""
    train_cases = [c for c in cases if c.split == "train"]
    dev_cases = [c for c in cases if c.split == "dev"]
    if not train_cases:
        raise ValueError("no question in the train split")
    train = prepare_cases(engine, train_cases, progress)
    dev = prepare_cases(engine, dev_cases, progress)
    ranker = train_ranker(engine, train, dev, ranker_path)
    scope = write_scope(train_cases, out_of_scope_file, scope_path)
    gate = train_gate(engine, train, dev, scope, gate_path)
    return {"ranker": ranker, "gate": gate}


def _rounded(values: Any) -> list[float]:
    """Coefficients to 9 decimals: two runs whose sums differ in the last bit write the same file."""
    return [round(float(v), 9) for v in values]


def _write_json(path: Path, data: dict[str, Any]) -> None:
    for key in ("mean", "scale", "coef"):
        if key in data:
            data[key] = _rounded(data[key])
    if "intercept" in data:
        data["intercept"] = round(float(data["intercept"]), 9)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(path)
