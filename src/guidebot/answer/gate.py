"""The refusal gate: before any answer is written, decide whether the passages answer the question.

It refuses, in this order:
1. instructions aimed at the assistant (prompt injection), wherever they sit in the question;
2. questions about the member's own account (balance, payslip, one invoice's status): the guide cannot see it;
3. questions the retrieved passages do not answer, judged from the retrieval evidence: the best dense
   similarity, whether both legs agree on the best passage, how many of the question's key terms the top
   passages contain, and whether a figure or year the question names appears in them.
Thresholds live in Settings, each with the eval run that chose it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from guidebot.answer.text import figures_asked, key_terms
from guidebot.config import Settings
from guidebot.index.lexical import tokenize
from guidebot.retrieval.search import SearchResult

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
    """Decides from the retrieval evidence whether the passages answer the question."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def decide(self, question: str, result: SearchResult, *, raw_question: str | None = None) -> GateDecision:
        """``question`` is the standalone query retrieval used; ``raw_question`` what the member typed."""
        s = self.settings
        typed = raw_question or question
        if is_injection(typed) and not strip_injection(typed):
            return GateDecision(False, "instruction")
        if is_account_question(typed):
            return GateDecision(False, "account")
        passages = result.passages[: s.gate_top_passages]
        if not passages:
            return GateDecision(False, "no_passages")
        top_dense = max((sc for _cid, sc in result.dense[:1]), default=0.0)
        top_ids = {p.chunk.id for p in passages[:1]}
        lexical_top = {cid for cid, _ in result.lexical[:5]}
        dense_top = {cid for cid, _ in result.dense[:5]}
        agree = bool(top_ids & lexical_top and top_ids & dense_top)
        # Key-term coverage only means something when the best passage is in the question's language.
        same_lang = [p for p in passages if p.chunk.lang == result.lang]
        if passages[0].chunk.lang != result.lang:
            same_lang = []
        terms = key_terms(question, result.lang)
        coverage: float | None = None
        if terms and same_lang:
            found: set[str] = set()
            for p in same_lang:
                found |= set(tokenize(p.chunk.embed_text, result.lang))
            coverage = len(terms & found) / len(terms)
        figures = figures_asked(question)
        text = " ".join(p.chunk.embed_text for p in passages).replace(",", ".")
        missing_figures = sorted(f for f in figures if f not in text)
        features = {
            "top_dense": round(top_dense, 4),
            "agree": agree,
            "coverage": None if coverage is None else round(coverage, 3),
            "key_terms": sorted(terms),
            "missing_figures": missing_figures,
            "passage_lang": passages[0].chunk.lang,
        }
        if missing_figures:
            return GateDecision(False, "figure_not_found", features)
        if not result.dense:  # the BM25-only baseline: term coverage is the only evidence there is
            ok = coverage is not None and coverage >= s.gate_min_coverage
            return GateDecision(ok, "answered" if ok else "terms_not_covered", features)
        if top_dense < s.gate_min_dense:
            return GateDecision(False, "low_similarity", features)
        if coverage is not None and coverage < s.gate_min_coverage and not (agree and top_dense >= s.gate_dense_agree):
            return GateDecision(False, "terms_not_covered", features)
        if coverage is None and top_dense < s.gate_min_dense_crosslingual:
            return GateDecision(False, "low_similarity", features)
        return GateDecision(True, "answered", features)
