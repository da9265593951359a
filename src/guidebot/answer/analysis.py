"""One evidence pass: the question and the retrieved passages analysed once, then passed down.

``analyse_question`` reads what the member asked (the genuine question, its languages, key terms, the figures it
names and the type of answer it expects); ``build_evidence`` splits every retrieved passage into its units once
(the index's splitter), with their tokens, their similarity to the query (the index's unit vectors) and the typed
spans they carry (years, dates, amounts, percentages, durations, counts, names, places). The unit ranker, the
gate, the writer, the "no information" check and the citation check all read this one result.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from guidebot.answer.text import YEAR, asks_abroad, figures_asked, is_foreign, key_terms, years_in
from guidebot.chunking.units import Unit, split_units
from guidebot.documents import Chunk
from guidebot.index.lexical import tokenize
from guidebot.retrieval.search import Passage

# --- expected answer type --------------------------------------------------------------------------------
ANSWER_TYPES = (
    "contact",
    "year",
    "duration",
    "amount",
    "percentage",
    "count",
    "person",
    "place",
    "yes_no",
    "definition",
    "procedure",
    "reason",
    "other",
)
# Checked in this order: the first that matches is the type. Patterns are lower-case, accents optional.
_TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(p, re.IGNORECASE))
    for name, p in (
        (
            "contact",
            r"\b(num[ée]ro de (t[ée]l[ée]phone|t[ée]l|gsm|contact)|t[ée]l[ée]phone|phone( number)?|telefoon\w*|bellen"
            r"|call (them|you|smart)|appeler|e-?mail (address|adres)|adresse (e-?)?mail|heures d'ouverture|horaires?"
            r"|opening (hours|times)|openingsuren|openingstijden)\b",
        ),
        (
            "percentage",
            r"\b(pourcentage|quel(le)? (taux|part|pourcentage)|quel % |what (percentage|share|rate)"
            r"|welk (percentage|deel)|hoeveel (procent|%)|how much percent|à combien s'élève le taux|taux de"
            r"|(tax|impos)\w* à combien|à quel taux|at what rate|tegen welk tarief)\b|%",
        ),
        (
            "year",
            r"\b(en quelle ann[ée]e|quelle ann[ée]e|depuis quand|depuis quelle|quand (a|est|fut|sera)\b.{0,40}"
            r"(cr[ée]{1,2}|fond[ée]|introduit|entr[ée]|lanc[ée]|chang[ée]|mis en place|en vigueur)|en quel ann"
            r"|what year|in which year|since when|when (was|were|did)\b|in welk jaar|welk jaar|sinds wanneer"
            r"|wanneer (werd|is|was)\b.{0,40}(opgericht|ingevoerd|gestart|veranderd))",
        ),
        (
            "duration",
            r"\b(combien de temps|quel(le)? (d[ée]lai|dur[ée]e|p[ée]riode)|dans quel d[ée]lai|d[ée]lai"
            r"|pendant combien|combien de (jours|mois|semaines|ans|ann[ée]es)|how long|within how many|how many "
            r"(days|months|weeks|years)|hoelang|hoe lang|binnen hoeveel|hoeveel (dagen|maanden|weken|jaar)|termijn"
            r"|deadline|valable combien|geldig)\b",
        ),
        (
            "amount",
            r"\b(combien (co[ûu]te|co[ûu]tent|vaut|valent|paye|pay|touche|re[çc]oit|gagne|rapporte|je re[çc]ois"
            r"|est (le|la)|sont les|d'euros|faut-il payer)"
            r"|quel(le)? (est le )?(montant|prix|co[ûu]t|tarif|plafond|salaire"
            r"|indemnit[ée]|allocation|seuil|minimum|maximum)|quels? (sont les )?(montants|plafonds|seuils)|how much"
            r"|what (is the )?(amount|price|cost|fee|ceiling|threshold|minimum|maximum)|hoeveel (kost|bedraagt|is het"
            r"|krijg|betaal|verdien)|welk(e)? (bedrag|prijs|plafond|drempel)|wat (kost|is het bedrag|is het plafond))\b"
            r"|€|\beuros?\b",
        ),
        ("count", r"\b(combien (de|d'|y a|sont|compte)|nombre de|how many|hoeveel)\b"),
        (
            "person",
            r"^(qui|who|wie)\b|\b(qui (est|sont|d[ée]cide|peut|g[èe]re|paie|envoie|signe|fixe|dirige|pr[ée]side)"
            r"|who (is|are|decides|pays|sends|signs|runs|can)|wie (is|zijn|beslist|betaalt|stuurt|kan))\b",
        ),
        (
            "place",
            r"^(o[ùu]|where|waar)\b|\b(o[ùu] (se trouve|sont|est|puis-je|trouver|aller)|quelle adresse|where (is|are"
            r"|can)|waar (is|zijn|kan|vind))\b",
        ),
        ("reason", r"^(pourquoi|why|waarom)\b|\b(pour quelle raison|pourquoi|why|waarom)\b"),
        (
            "procedure",
            r"^(comment|how (do|can|to|should)|hoe)\b|\b(comment (faire|puis-je|je|on|proc[ée]der|devenir"
            r"|obtenir|demander|facturer|encoder|quitter)|quelles? (sont les )?[ée]tapes|how (do|can|should) i|how to"
            r"|hoe (kan|moet|doe|vraag|word))\b",
        ),
        (
            # a figure's name alone ("c'est quoi le plafond ... ?"), after the procedures ("how do I issue a credit
            # note for a wrong amount?" asks how)
            "amount",
            r"\b(montant|amount|bedrag|prix|price|prijs|tarif|fee|plafond|seuil|ceiling|threshold|drempel)\b",
        ),
        (
            "definition",
            r"^(qu'est-ce qu|c'est quoi|what is|what are|wat is|wat zijn|que signifie|what does .* mean"
            r"|wat betekent)|\b(c'est quoi|qu'est-ce que)\b",
        ),
        (
            "yes_no",
            r"^(est-ce qu|puis-je|peut-on|dois-je|faut-il|suis-je|ai-je|est-il|est-elle|y a-t-il|peut-il"
            r"|peut-elle|doit-on|doit-il|sont-ils|can|could|do|does|did|is|are|am|must|should|may|will|kan|kun|mag|moet"
            r"|is|zijn|ben|heb|heeft|word|wordt)\b|\b\w+-(je|on|il|elle|ils|elles|tu|vous|nous)\b",
        ),
    )
)


_WH_WORD = re.compile(
    r"\b(quel\w*|quoi|comment|combien|o[ùu]|qui|pourquoi|quand|lequel|laquelle|what|which|how|who|where|when|why"
    r"|wat|welk\w*|hoe|wie|waar|wanneer|waarom|hoeveel)\b",
    re.IGNORECASE,
)


def answer_type(question: str) -> str:
    """The type of answer a question expects (one of ANSWER_TYPES)."""
    q = " ".join(question.lower().split())
    for name, pattern in _TYPE_PATTERNS:
        if pattern.search(q):
            return name
    if q.endswith("?") and not _WH_WORD.search(q):
        return "yes_no"  # "le vote est pondéré ?": a statement asked with a question mark
    return "other"


# --- typed spans in units --------------------------------------------------------------------------------
_MONTH = (
    r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre|"
    r"januari|februari|maart|april|mei|juni|juli|augustus|oktober|january|february|march|june|july|august|"
    r"september|october|november|december"
)
_SPANS: dict[str, re.Pattern[str]] = {
    "year": YEAR,
    "date": re.compile(r"\b(\d{1,2}(er)?|1st|\d{1,2}(th|nd|rd))\s+(" + _MONTH + r")\b", re.IGNORECASE),
    "amount": re.compile(r"\d[\d .,]*\s?(€|euros?\b|eur\b)|€\s?\d", re.IGNORECASE),
    "percentage": re.compile(r"\d\s?%|\b(pour ?cent|procent|percent)\b", re.IGNORECASE),
    "duration": re.compile(
        r"\b(\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|quinze|trente|soixante|een|twee|drie|vier"
        r"|vijf|zes|zeven|acht|tien|one|two|three|four|five|six|seven|ten|twelve)\s+(jours?|mois|semaines?|ans?"
        r"|ann[ée]es?|heures?|dagen|dag|maanden|maand|weken|week|jaar|jaren|uur|days?|months?|weeks?|years?|hours?"
        r"|werkdagen|jours ouvrables|working days)\b",
        re.IGNORECASE,
    ),
    "count": re.compile(r"\b\d[\d .]*\d\b|\b\d\b"),
    "contact": re.compile(
        r"(\+32|\b0)\d{1,2}[ ./]?\d{2,3}[ ./]?\d{2}[ ./]?\d{2}\b|[\w.+-]+@[\w-]+\.\w+"
        r"|\b\d{1,2}\s?h\s?\d{0,2}\s?(à|-|–)\s?\d{1,2}\s?h|\b\d{1,2}:\d{2}\b"
    ),
    "name": re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÉÈ][a-zéèêëàâîïôûüç]+(?:[ -][A-ZÉÈ][a-zéèêëàâîïôûüç]+)+\b"),
    "place": re.compile(
        r"\b(Bruxelles|Brussel|Brussels|Li[èe]ge|Luik|Gand|Gent|Ghent|Anvers|Antwerpen|Antwerp|Namur|Namen|Charleroi"
        r"|Mons|Bergen|Louvain|Leuven|Hasselt|Bruges|Brugge|Arlon|Tournai|Eupen|Wavre|Wallonie|Flandre|Vlaanderen"
        r"|rue|avenue|boulevard|straat|laan|adresse|address|adres)\b"
    ),
}
# Which unit spans answer which question type.
_TYPE_SPANS: dict[str, set[str]] = {
    "contact": {"contact"},
    "year": {"year", "date"},
    "duration": {"duration", "date"},
    "amount": {"amount"},
    "percentage": {"percentage"},
    "count": {"count"},
    "person": {"name"},
    "place": {"place"},
}


def typed_spans(text: str) -> frozenset[str]:
    """The kinds of typed value a text carries (year, date, amount, percentage, duration, count, name, place)."""
    found = {name for name, pattern in _SPANS.items() if pattern.search(text)}
    if "count" in found:
        # a count is a number that is not a year, an amount or a percentage
        bare = _SPANS["year"].sub(" ", _SPANS["amount"].sub(" ", _SPANS["percentage"].sub(" ", text)))
        if not _SPANS["count"].search(bare):
            found.discard("count")
    return frozenset(found)


def carries_type(spans: frozenset[str], expected: str) -> bool | None:
    """Does a unit with these spans carry the expected answer type? None when the type has no span form."""
    wanted = _TYPE_SPANS.get(expected)
    if wanted is None:
        return None
    return bool(spans & wanted)


def type_has_span_form(expected: str) -> bool:
    return expected in _TYPE_SPANS


# --- flags on units ----------------------------------------------------------------------------------------
_CROSS_REFERENCE = re.compile(
    r"^(pour\b.{0,100})?\b(voir|voyez|consultez|lisez|reportez-vous)\b"
    r".{0,40}[«\"“]|\b(trait[ée]e?s?|expliqu[ée]e?s?|d[ée]taill[ée]e?s?|abord[ée]e?s?) dans (l'article|la rubrique)\b"
    r"|\b(wordt|worden) (uitgelegd|behandeld|besproken) in (het artikel|de rubriek)\b"
    r"|\b(is|are) (explained|covered|detailed) in the (article|section)\b"
    r"|^(zie|lees|raadpleeg)\b.{0,40}[«\"“]|^(see|read)\b.{0,40}[«\"“]|\b(voir|zie|see) l'article\b"
    r"|^(voir|see|zie) (la|le|les|l'|the|de|het) ?(section|article|rubrique|page|artikel|rubriek)\b"
    r"|^(voici|cet article|dans cet article|ce guide|cette page"
    r"|here is|this article|this page|in dit artikel|hier lees)\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"^(ter vergelijking|ter info|for comparison|à titre (indicatif|de comparaison)|pour comparaison)\b"
    r"|\b(sources? (de|van|from) (19|20)\d{2}|à v[ée]rifier|te controleren|to be checked|peu(t|vent) avoir chang[ée]"
    r"|kan veranderd|kunnen veranderd|may have changed|sous r[ée]serve|onder voorbehoud|d[ée]crit par un article de"
    r"|n'est pas confirm[ée]e?|non confirm[ée]e?|niet bevestigd|not confirmed)\b",
    re.IGNORECASE,
)
_ANAPHOR = re.compile(
    r"^(ce|cet|cette|ces|cela|ça|il(?! (faut|y a|existe|est (possible|n[ée]cessaire|important|conseill[ée]|interdit)))"
    r"|elle|ils|elles|celui-ci|celle-ci|dans ce cas|toutefois|en revanche|"
    r"this|that|these|those|it|they|dit|dat|deze|die|het|hij|zij)\b",
    re.IGNORECASE,
)


# A sentence saying the guide has no information on something: when it is what matches the question best,
# the honest answer is a refusal with an adviser, not the sentences around it.
_INFO_NOUN = (
    r"(d'|de |des |la |le |les |l'|aucune? )?"
    r"(information|d[ée]tail|pr[ée]cision|chiffre|montant|taux|coordonn|num[ée]ro|proc[ée]dure|r[èe]gle|tarif)"
)
_NO_INFO = re.compile(
    r"\b(aucune (source|page|information|coordonn[ée]e|r[èe]gle)"
    r"|ne (d[ée]crit|pr[ée]cise|dit|d[ée]taille|mentionne|indique)n?t? (pas|rien|aucun|ni)"
    r"|ne (donne|contient|fournit)n?t? (pas|ni|aucune?) ?" + _INFO_NOUN + r"|ne donnent? ni|pas d'information"
    r"|ne dispose pas|n'existe pas de page|ne (reproduit|r[ée]sume) pas|ne peut (donc )?pas vous (dire|indiquer)"
    r"|geen (informatie|bron|antwoord|eigen tarief|gegevens)|heeft geen|vermeldt geen|beschrijft geen|beschrijven niet"
    r"|no (source|information|public (web )?page|rate|details)"
    r"|does not (describe|say|give|list)|do not (describe|say|give))\b",
    re.IGNORECASE,
)


def says_no_information(text: str) -> bool:
    """A sentence saying the guide has no information on something (credit notes, a mileage rate, office
    contacts, contract clauses)."""
    return bool(_NO_INFO.search(text))


def is_cross_reference(text: str) -> bool:
    """A unit that only sends the reader to another article."""
    return bool(_CROSS_REFERENCE.search(text))


def is_hedge(text: str) -> bool:
    """A caveat about the date or source of what follows ("D'après des sources de 2022...")."""
    return bool(_HEDGE.search(text))


def opens_with_anaphor(text: str) -> bool:
    return bool(_ANAPHOR.match(text))


# One line restates another when most of its content words are in the other, or when both carry the same run of
# three words of which two are content words ("sept jours ouvrables" said twice). The writer avoids it; the eval
# counts it (evals/metrics.py), by this one test.
RESTATE_CONTAINMENT = 0.6
RESTATE_RUN = 3
_TABLE_ROW = re.compile(r"^[^:;]{1,60}: [^;]*; ")


def word_runs(text: str) -> frozenset[tuple[str, ...]]:
    """Runs of RESTATE_RUN words of which at least two are content words (five letters or more)."""
    words = re.findall(r"\w+", text.lower())
    n = RESTATE_RUN
    runs = (tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    return frozenset(run for run in runs if sum(len(w) >= 5 for w in run) >= 2)


def is_table_row(text: str) -> bool:
    return bool(_TABLE_ROW.match(text))


def restates(
    a_tokens: frozenset[str],
    b_tokens: frozenset[str],
    a_runs: frozenset[tuple[str, ...]],
    b_runs: frozenset[tuple[str, ...]],
    topic: frozenset[str] = frozenset(),
    lang: str = "fr",
) -> bool:
    """Does one of two lines restate the other (by their stemmed tokens and word runs)?

    The question's own terms (``topic``: "droits d'auteur", "allocation du travail des arts") name what was
    asked about: they are left out of both tests, since saying them twice is not saying a fact twice."""
    a_tokens, b_tokens = a_tokens - topic, b_tokens - topic
    if not a_tokens or not b_tokens:
        return False
    short, long_ = (a_tokens, b_tokens) if len(a_tokens) <= len(b_tokens) else (b_tokens, a_tokens)
    if len(short) >= 3 and len(short & long_) / len(short) >= RESTATE_CONTAINMENT:
        return True
    return any(set(tokenize(" ".join(run), lang)) - topic for run in a_runs & b_runs)


# --- the question --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    """What the member asked, analysed once."""

    typed: str  # what the member typed, whitespace normalised
    text: str  # the genuine question: instructions aimed at the assistant removed
    query: str  # the standalone query retrieval uses (a follow-up rewritten)
    lang: str  # the language of the answer
    retrieval_lang: str  # the language retrieval and key terms use
    terms: frozenset[str]  # stemmed key terms of the query, in retrieval_lang
    figures: frozenset[str]  # years and decimal amounts named (an answer must contain them)
    years: frozenset[str]
    answer_type: str
    abroad: bool  # asks about another country or Smart abroad


def analyse_question(typed: str, text: str, query: str, lang: str, retrieval_lang: str) -> Question:
    both = f"{text} {query}"
    return Question(
        typed=typed,
        text=text,
        query=query,
        lang=lang,
        retrieval_lang=retrieval_lang,
        terms=frozenset(key_terms(query, retrieval_lang)),
        figures=frozenset(figures_asked(both)),
        years=years_in(both),
        answer_type=answer_type(text if len(text) >= len(query) // 2 else query),
        abroad=asks_abroad(both),
    )


# --- the evidence ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UnitEvidence:
    """One quotable unit of a retrieved passage, analysed once."""

    passage: int  # 0-based index in the passages
    unit: Unit
    tokens: frozenset[str]  # stemmed in the passage's language
    sim: float  # cosine to the query (index unit vector); the passage's dense score when there is none
    spans: frozenset[str]
    years: frozenset[str]
    words: int
    runs: frozenset[tuple[str, ...]]
    cross_reference: bool
    no_info: bool
    hedge: bool
    foreign: bool
    anaphor: bool
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[int, int]:
        return (self.passage, self.unit.position)

    @property
    def row(self) -> bool:
        return self.unit.kind == "row"


@dataclass
class Evidence:
    """The question and its passages, analysed once for the ranker, gate, writer and citation check."""

    question: Question
    passages: list[Passage]
    units: list[UnitEvidence]
    by_passage: list[list[UnitEvidence]]
    passage_tokens: list[frozenset[str]]  # each passage's embedded text (title, section, body), stemmed
    section_tokens: list[frozenset[str]]
    scores: dict[tuple[int, int], float] = field(default_factory=dict)  # the unit ranker's (set_scores)
    _ranked: list[UnitEvidence] | None = field(default=None, repr=False)

    def set_scores(self, scores: dict[tuple[int, int], float]) -> None:
        """The unit ranker's scores; the ranking they make is sorted once, for the gate and the writer."""
        self.scores = scores
        self._ranked = None

    def ranked(self) -> list[UnitEvidence]:
        """Units by the ranker's score, best first (ties: passage order, then position)."""
        if self._ranked is None:
            self._ranked = sorted(self.units, key=lambda u: (-self.scores.get(u.key, 0.0), u.passage, u.unit.position))
        return self._ranked


class PassageAnalyser:
    """Each chunk's units analysed once per index snapshot: what does not depend on the question (tokens, typed
    spans, flags) is kept, so a question only adds its similarities."""

    def __init__(self) -> None:
        self._done: dict[str, tuple[tuple[UnitEvidence, ...], frozenset[str], frozenset[str]]] = {}

    def analyse(self, chunk: Chunk) -> tuple[tuple[UnitEvidence, ...], frozenset[str], frozenset[str]]:
        """The chunk's units (similarity 0, no vector), its embedded text's tokens, its section's tokens."""
        got = self._done.get(chunk.id)
        if got is None:
            units = tuple(_unit_evidence(0, u, chunk, 0.0, None) for u in split_units(chunk.text))
            got = (
                units,
                frozenset(tokenize(chunk.embed_text, chunk.lang)),
                frozenset(tokenize(chunk.section, chunk.lang)),
            )
            self._done[chunk.id] = got
        return got


def build_evidence(
    question: Question,
    passages: list[Passage],
    unit_vectors: dict[str, np.ndarray | None],
    analyser: PassageAnalyser | None = None,
) -> Evidence:
    """Every passage's units with their similarity to the query. ``unit_vectors`` maps a chunk id to its units'
    vectors (or None); ``analyser`` keeps each chunk's analysis between questions."""
    analyser = analyser or PassageAnalyser()
    units: list[UnitEvidence] = []
    by_passage: list[list[UnitEvidence]] = []
    passage_tokens: list[frozenset[str]] = []
    section_tokens: list[frozenset[str]] = []
    for i, p in enumerate(passages):
        chunk = p.chunk
        vectors = unit_vectors.get(chunk.id)
        fallback = p.dense_score if p.dense_score is not None else 0.0
        analysed, body, section = analyser.analyse(chunk)
        mine = []
        for u in analysed:
            pos = u.unit.position
            sim = p.unit_sims[pos] if pos < len(p.unit_sims) else fallback
            vec = vectors[pos] if vectors is not None and pos < len(vectors) else None
            mine.append(replace(u, passage=i, sim=float(sim), vector=vec))
        by_passage.append(mine)
        units.extend(mine)
        passage_tokens.append(body)
        section_tokens.append(section)
    return Evidence(question, passages, units, by_passage, passage_tokens, section_tokens)


def _unit_evidence(i: int, u: Unit, chunk: Chunk, sim: float, vec: np.ndarray | None) -> UnitEvidence:
    return UnitEvidence(
        passage=i,
        unit=u,
        tokens=frozenset(tokenize(u.text, chunk.lang)),
        sim=float(sim),
        spans=typed_spans(u.text),
        years=years_in(u.text),
        words=len(u.text.split()),
        runs=word_runs(u.text),
        cross_reference=is_cross_reference(u.text),
        no_info=says_no_information(u.text),
        hedge=is_hedge(u.text),
        foreign=is_foreign(u.text),
        anaphor=opens_with_anaphor(u.text),
        vector=vec,
    )


# --- inverse document frequency over the index's chunks ---------------------------------------------------------
class TermWeights:
    """IDF of stemmed terms per language, from the served index's chunks (computed once per snapshot)."""

    def __init__(self, chunks: Iterable[Chunk]) -> None:
        df: dict[str, Counter[str]] = {}
        n: Counter[str] = Counter()
        for c in chunks:
            df.setdefault(c.lang, Counter()).update(set(tokenize(c.embed_text, c.lang)))
            n[c.lang] += 1
        self._idf = {
            lang: {t: math.log(1 + (n[lang] - d + 0.5) / (d + 0.5)) for t, d in counts.items()}
            for lang, counts in df.items()
        }
        self._default = {lang: math.log(1 + (n[lang] + 0.5) / 0.5) for lang in n}

    def idf(self, term: str, lang: str) -> float:
        table = self._idf.get(lang)
        if table is None:
            return 1.0
        return table.get(term, self._default.get(lang, 1.0))

    def weighted_overlap(self, terms: frozenset[str], tokens: frozenset[str], lang: str) -> float:
        """Share of the terms' IDF mass found in tokens (0 when there are no terms)."""
        if not terms:
            return 0.0
        total = sum(self.idf(t, lang) for t in terms)
        return sum(self.idf(t, lang) for t in terms & tokens) / total if total else 0.0
