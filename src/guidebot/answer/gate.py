"""The refusal gate: before any answer is written, decide whether the passages answer the question.

It refuses, in this order, reading the evidence pass (analysis.py):
1. instructions aimed at the assistant (prompt injection), wherever they sit in the question;
2. questions about the member's own account (balance, payslip, one invoice's status): the guide cannot see it;
3. a figure or year the question names that the passages lack, a figure asked for a year that no unit gives for
   that year, a contact (phone, e-mail, opening hours) that no passage carries;
4. questions the retrieved passages do not answer, judged by the hand thresholds of Settings (best dense
   similarity, agreement of the legs, coverage of the question's key terms), each with the eval run that chose
   it; with ``gate_mode=learned``, also when the calibrated classifier of gate_model.py is sure.
Before the evidence is weighed, a question the scope router finds clearly closer to the out-of-scope bank than to
the questions the guide answers is refused as off-topic (SCOPE_MARGIN); a refusal for want of evidence is also
named off-topic when the question is closer to that bank.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from guidebot.answer.analysis import Evidence, TermWeights, carries_type, type_has_span_form
from guidebot.answer.gate_model import GateModel, ScopeRouter
from guidebot.answer.text import years_in
from guidebot.config import Settings
from guidebot.index.embedders import Embedder
from guidebot.retrieval.search import SearchResult

TYPE_WINDOW = 6
# A question this much closer to the out-of-scope bank than to the questions the guide answers is off-topic,
# whatever the passages (a joke, a poem, a gift idea that shares a word with the guide). The smallest margin with
# no answerable question refused on train (each question left out of the banks) and on dev: 0.01 refuses 6 more
# train questions; 0.0 refused one answerable dev question.
SCOPE_MARGIN = 0.01


_INJECTION = re.compile(
    r"\b(ignore[rsz]?|oublie[rsz]?|negeer|vergeet|disregard|forget)\b.{0,40}\b(instructions?|consignes?|r[èe]gles?"
    r"|instructies|regels|rules|prompt|above|pr[ée]c[ée]dent\w*|previous|vorige)\b"
    r"|\b(system ?prompt|prompt syst[èe]me|ton prompt|tes instructions|your instructions|je instructies|jouw prompt"
    r"|je prompt|your prompt|initial prompt)\b"
    r"|\b(tu es (maintenant|d[ée]sormais)|you are now|je bent nu|vanaf nu ben je|from now on you|à partir de maintenant"
    r" tu|act as|agis comme|fais comme si|pretend (to be|you)|doe alsof|jailbreak|developer mode|mode d[ée]veloppeur"
    r"|sans (aucune )?(r[èe]gles?|restrictions?|filtres?)|without (any )?(rules|restrictions|filters)"
    r"|zonder (regels|beperkingen))\b"
    r"|\b(r[ée]v[èe]le|affiche|montre|print|reveal|show|toon"
    r"|geef)\b.{0,30}\b(prompt|instructions|instructies|consignes)\b"
    r"|\b(r[ée]ponds?|answer|antwoord)\b.{0,25}\b(uniquement|only"
    r"|alleen)\b.{0,25}\b(pirate|piraat|emoji|rimes?|verse)\b"
    r"|\bnouvelles? instructions?\b|\bnew instructions?\b|\bnieuwe instructies\b|<\s*/?\s*(system|assistant)\s*>",
    re.IGNORECASE,
)
_MONTHS = (
    r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre|"
    r"januari|februari|maart|april|juni|juli|augustus|oktober|january|february|march|june|july|august|"
    r"october|december"
)
_ACCOUNT = re.compile(
    r"\b(mon|ma|mes|notre)\s+(solde|compte (smart|membre|bancaire)"
    r"|dossier|fiches? de (paie|salaire)|virement|mot de passe"
    r"|login|identifiant|num[ée]ro de (membre|dossier|facture)|attestation fiscale|fiche fiscale)\b"
    r"|\bsolde\b.{0,30}\b(mon|ma|mes|de mon|sur mon)\b|\b(il|combien) (me|m')\s?reste"
    r"|\b(ai-je|j'ai) (d[ée]j[àa] )?(travaill[ée]|gagn[ée]|per[çc]u|touch[ée]|d[ée]clar[ée]) combien\b"
    r"|\bcombien (de jours )?(ai-je|j'ai) (d[ée]j[àa] )?(travaill[ée]|gagn[ée]|per[çc]u|touch[ée])"
    r"|\bsuis-je (encore |toujours )?(couvert|en ordre|sociétaire)\b|\bben ik (nog |al )?(gedekt|in orde|vennoot)\b"
    r"|\bheb ik (al |nog )?(gewerkt|verdiend|ontvangen)\b|\bhave i (already )?(worked|earned|been paid|received)\b"
    r"|\bam i (still )?(covered|a (member|shareholder))\b"
    r"|\bo[ùu] en est\b.{0,20}\b(mon|ma|mes)\b|\b(mon|ma) (salaire|paie|facture|note de frais|paiement)\b.{0,20}"
    r"\b(n°|num[ée]ro|d[ue]s? (" + _MONTHS + r")|(" + _MONTHS + r")|d'hier|de la semaine)\b"
    r"|\b(ai-je|j'ai pas|je n'ai pas|n'ai toujours pas) (re[çc]u|[ée]t[ée] pay[ée])\b"
    r"|\b(a-t-elle|a-t-il|est-elle|est-il) [ée]t[ée] (pay[ée]e?|vers[ée]e?|rembours[ée]e?)\b.{0,5}$"
    r"|\b(saldo|balance)\b.{0,25}\b(mijn|my)\b"
    r"|\bmijn (saldo|loonbrief|loonfiche|loonstrook|account|dossier|wachtwoord|rekening)\b"
    r"|\b(hoeveel) (staat|blijft|rest)\b.{0,30}\bmijn\b|\bwaar blijft mijn\b|\bis mijn (factuur|loon)\b.{0,20}betaald"
    r"|\bmy (balance|payslip|pay slip|account balance|password"
    r"|login|file)\b|\bhow much (is )?(left|remains)\b.{0,30}\bmy\b"
    r"|\b(has|was) my (invoice|salary|payment)\b|\bwhere is my (salary|payment|money)\b"
    r"|\b(mon|ma|mijn|my) (salaire|loon|salary|facture|factuur|invoice)\b.{0,15}\b(" + _MONTHS + r")\b",
    re.IGNORECASE,
)


@dataclass
class GateDecision:
    """Whether to answer, why, and the evidence behind the decision (shown to advisers)."""

    answer: bool
    reason: str
    features: dict[str, Any] = field(default_factory=dict)


def is_injection(question: str) -> bool:
    return bool(_INJECTION.search(question))


_SEGMENTS = re.compile(
    r"(?<=[.!?;])\s+|\s*[()\[\]]\s*|\s+(?=(?:et|puis|ensuite|and|then|also|en|daarna)\b[^.?!]{0,30}"
    r"\b(?:ignore|oublie|negeer|vergeet|forget|disregard|r[ée]v[èe]le|reveal|toon|affiche)\b)",
    re.I,
)


def strip_injection(question: str) -> str:
    """The question without its sentences that address the assistant ("... ignore your rules and ...").

    What remains is answered as any question; an empty remainder means the whole message was an instruction.
    """
    kept = [seg for seg in _SEGMENTS.split(question) if seg and seg.strip() and not _INJECTION.search(seg)]
    remainder = " ".join(s.strip() for s in kept).strip()
    return remainder if re.search(r"\w{3,}", remainder) else ""


def is_account_question(question: str) -> bool:
    return bool(_ACCOUNT.search(question))


class RefusalGate:
    """Decides from the evidence whether the passages answer the question.

    Instructions and account questions are recognised first (they need no evidence). Then either the calibrated
    classifier of gate_model.py decides (``gate_mode=learned``, the default), or the hand thresholds of Settings
    (``gate_mode=rules``, kept for the ablation).
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.model: GateModel | None = GateModel.load() if settings.gate_mode == "learned" else None
        # the scope router names an off-topic refusal in both modes; in "learned" it also feeds the classifier
        self.scope: ScopeRouter | None = ScopeRouter.load(embedder, settings.cache_dir) if embedder else None

    def decide(self, ev: Evidence, result: SearchResult, weights: TermWeights) -> GateDecision:
        q = ev.question
        if is_injection(q.typed) and not strip_injection(q.typed):
            return GateDecision(False, "instruction")
        if is_account_question(q.typed):
            return GateDecision(False, "account")
        if not ev.passages:
            return GateDecision(False, "no_passages")
        features = evidence_features(ev, result, weights, self.settings.gate_top_passages)
        if self.scope is not None and result.query_vector is not None:
            features.update(self.scope.features(result.query_vector))
        shown = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in features.items()}
        shown["key_terms"] = sorted(q.terms)
        shown["answer_type"] = q.answer_type
        if features.get("scope_out", 0.0) - features.get("scope_in", 0.0) >= SCOPE_MARGIN:
            return GateDecision(False, "off_topic", shown)
        if features["missing_figures"] or not features["year_with_figure"]:
            return GateDecision(False, "figure_not_found", shown)
        if q.answer_type == "contact" and not features["type_found_any"]:
            return GateDecision(False, "type_not_found", shown)
        ruled = self._off_topic(self._rules(features, result, shown), features)
        if self.model is None or not result.dense:
            return ruled
        p = self.model.probability(features)
        shown["p_answerable"] = round(p, 4)
        shown["threshold"] = self.model.threshold
        if p >= self.model.threshold:
            return ruled
        # the classifier is sure the passages do not answer
        return self._off_topic(GateDecision(False, "low_similarity", shown), features)

    @staticmethod
    def _off_topic(decision: GateDecision, features: dict[str, Any]) -> GateDecision:
        """A refusal for want of evidence is off-topic when the question is closer to the out-of-scope bank than
        to the questions the guide answers."""
        if decision.answer or decision.reason not in ("low_similarity", "terms_not_covered"):
            return decision
        if features.get("scope_out", 0.0) > features.get("scope_in", 0.0):
            return GateDecision(False, "off_topic", decision.features)
        return decision

    def _rules(self, f: dict[str, Any], result: SearchResult, shown: dict[str, Any]) -> GateDecision:
        """The hand thresholds of Settings (the ablation baseline, and the BM25-only baseline)."""
        s = self.settings
        coverage = f["coverage"] if f["coverage_known"] else None
        if not result.dense:  # the BM25-only baseline: term coverage is the only evidence there is
            ok = coverage is not None and coverage >= s.gate_min_coverage
            return GateDecision(ok, "answered" if ok else "terms_not_covered", shown)
        top_dense = f["top_dense"]
        if top_dense < s.gate_min_dense:
            return GateDecision(False, "low_similarity", shown)
        if (
            coverage is not None
            and coverage < s.gate_min_coverage
            and not (f["agree"] and top_dense >= s.gate_dense_agree)
        ):
            return GateDecision(False, "terms_not_covered", shown)
        if coverage is None and top_dense < s.gate_min_dense_crosslingual:
            return GateDecision(False, "low_similarity", shown)
        return GateDecision(True, "answered", shown)


# A key term cut short ("presta", "attest") is found in a longer token of the passages ("prestat", "attestation"):
# members type abbreviations and truncated words. Shorter terms must match exactly (train split: false refusals
# 35 -> 33 of 343, refusal recall unchanged; dev: false refusals 0.055 -> 0.039).
PREFIX_MIN = 5


def covered_terms(terms: frozenset[str], found: frozenset[str]) -> frozenset[str]:
    """The key terms found in the passages' tokens, exactly or as the start of a longer token."""
    exact = terms & found
    rest = [t for t in terms - exact if len(t) >= PREFIX_MIN]
    if not rest:
        return exact
    ordered = sorted(found)
    hits = set()
    for t in rest:
        i = bisect.bisect_left(ordered, t)
        if i < len(ordered) and ordered[i].startswith(t):
            hits.add(t)
    return exact | hits


def evidence_features(ev: Evidence, result: SearchResult, weights: TermWeights, top: int) -> dict[str, Any]:
    """What the gate reads: similarity and its margin, leg agreement, key-term coverage, answer type found,
    the unit ranker's confidence, figures named but absent. Shown to advisers as they are."""
    q = ev.question
    passages = ev.passages[:top]
    dense = [sc for _cid, sc in result.dense[:2]]
    top_dense = dense[0] if dense else 0.0
    top_id = passages[0].chunk.id
    agree = any(cid == top_id for cid, _ in result.lexical[:5]) and any(cid == top_id for cid, _ in result.dense[:5])
    same = [i for i, p in enumerate(passages) if p.chunk.lang == q.retrieval_lang]
    coverage_known = bool(q.terms) and passages[0].chunk.lang == q.retrieval_lang and bool(same)
    found: frozenset[str] = frozenset().union(*(ev.passage_tokens[i] for i in same)) if same else frozenset()
    coverage = len(covered_terms(q.terms, found)) / len(q.terms) if coverage_known else 0.0
    idf_coverage = weights.weighted_overlap(q.terms, found, q.retrieval_lang) if coverage_known else 0.0
    # a figure the question names is looked for in every passage the writer may quote, not only the top ones (dev
    # false refusals 0.039 -> 0.024: "the ceiling for 2022 income" is in the sixth passage)
    text = " ".join(p.chunk.embed_text for p in ev.passages).replace(",", ".")
    missing = sorted(f for f in q.figures if f not in text)
    ranked = ev.ranked()
    best = ev.scores.get(ranked[0].key, 0.0) if ranked else 0.0
    typed = [u for u in ranked[:TYPE_WINDOW] if carries_type(u.spans, q.answer_type)]
    best_sim = max((u.sim for u in ev.units), default=0.0)
    # a year asked with a figure ("le chiffre d'affaires en 2025") needs a unit giving that kind of figure for
    # one of the years asked (in the unit, its list or table title, or its section)
    year_with_figure = True
    if q.years and type_has_span_form(q.answer_type) and q.answer_type not in ("year", "duration"):
        year_with_figure = any(
            carries_type(u.spans, q.answer_type)
            and q.years & years_in(f"{u.unit.text} {u.unit.intro or ''} {ev.passages[u.passage].chunk.section}")
            for u in ev.units
        )
    return {
        "top_dense": float(top_dense),
        "dense_margin": float(top_dense - dense[1]) if len(dense) > 1 else 0.0,
        "best_unit_sim": float(best_sim),
        "agree": agree,
        "coverage_known": coverage_known,
        "coverage": float(coverage),
        "idf_coverage": float(idf_coverage),
        "ranker_best": float(best),
        "type_has_form": type_has_span_form(q.answer_type),
        "type_found": bool(typed),
        "type_found_any": any(carries_type(u.spans, q.answer_type) for u in ev.units),
        "year_with_figure": year_with_figure,
        "same_language_passage": passages[0].chunk.lang == q.lang,
        "missing_figures": missing,
        "passage_lang": passages[0].chunk.lang,
    }
