"""Follow-up questions rewritten into standalone queries before retrieval.

"et pour l'outil Activité ?", "elle est valable combien de temps ?", "en in het Nederlands?" mean nothing
alone. With an LLM configured, the engine asks it to rewrite (see answer/llm.py); otherwise this
deterministic rewrite carries the previous question's subject into the follow-up:

- a request to answer in another language repeats the previous query, answered in that language;
- a follow-up that names another value of something the previous question named (the other tool, another
  type of attestation, another year, students instead of artists...) swaps that value in the previous query;
- any other elliptical ("et pour ...", "what about ...", "en voor ...") or anaphoric ("elle", "it", "die",
  "combien de temps ?") follow-up keeps its own words and gains the previous question's subject.
A question that stands on its own is left as it is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_LANG_SWITCH = [
    (re.compile(r"\b(in het |en |in )?(nederlands|néerlandais|neerlandais|dutch|vlaams)\b", re.I), "nl"),
    (re.compile(r"\b(in |en )?(english|anglais|engels)\b", re.I), "en"),
    (re.compile(r"\b(in het |en |in )?(français|francais|french|frans)\b", re.I), "fr"),
]
_SWITCH_SHAPE = re.compile(
    r"^\W*(and |et |en |maar |but |peux-tu |pouvez-vous |kan je |kun je |kunt u |can you |could you )?"
    r"(r[ée]pondre |answer |antwoorden |repeat |dat |that |it |ça |cela |le dire |say it |zeggen )?"
    r"(in het |en |in )?\w+\s*(graag|please|svp|s'il te pla[iî]t|alstublieft|aub)?\W*$",
    re.I,
)
_ELLIPSIS = re.compile(
    r"^\W*(et|mais|ou|and|but|or|what about|how about|en|maar|of|ook)\b"
    r"|^\W*(pour|dans|avec|sans|chez|for|in|with|without|voor|bij|met|zonder|als)\b\s+\S+(\s+\S+){0,4}\W*$",
    re.I,
)
_ANAPHORA = re.compile(
    r"^\W*(elle|il|ils|elles|ça|ca|cela|celle-ci|celui-ci|ceux-ci|ce montant|cette|ce délai|ce document|la même"
    r"|le même|it|they|that|this|those|these|its|die|dat|deze|het|hij|zij|ze)\b"
    r"|\b(combien de temps|how long|hoelang|hoe lang|c'est combien|et alors|pourquoi|why|waarom)\W*$",
    re.I,
)
# Values that replace one another in a follow-up: the follow-up names one, the previous question another.
_SLOTS: list[list[str]] = [
    [r"\b3\s?en\s?1\b|\b3in1\b|\bthree[- ]in[- ]one\b", r"\bactivit[ée]s?\b|\bactivity\b"],
    [
        r"\bordinaires?\b|\bordinary\b|\bgewone?\b|\bgewoon\b",
        r"\bplus\b",
        r"\bd[ée]butants?\b|\bstarters?\b|\bbeginners?\b",
    ],
    [r"\b2022\b", r"\b2023\b", r"\b2024\b", r"\b2025\b"],
    [
        r"\b[ée]tudiants?\b|\bstudents?\b|\bstudenten\b",
        r"\bdemandeurs? d'emploi\b|\bch[ôo]meurs?\b|\bjob ?seekers?\b|\bwerkzoekenden?\b",
        r"\bind[ée]pendants?\b|\bself-employed\b|\bzelfstandigen?\b",
        r"\bartistes?\b|\bartists?\b|\bkunstenaars?\b",
    ],
    [
        r"\bparticuliers?\b|\bprivate (client|person)s?\b|\bparticulieren?\b",
        r"\bentreprises?\b|\bcompan(y|ies)\b|\bbedrij(f|ven)\b",
        r"\bpouvoirs? publics?\b|\bpublic (body|bodies|authorit(y|ies))\b|\boverheid\b",
    ],
]
_FILLER = re.compile(
    r"\b(et|mais|and|but|en|maar|what about|how about|pour|dans|avec|for|in|with|voor|bij|met|l|le|la|les|un|une"
    r"|des|du|the|a|an|de|het|een|outil|tool)\b|'",
    re.I,
)
_PRONOUN = re.compile(r"\b(ça|ca|cela|it|that|this|dat|die|dit)\b", re.I)
_LEADING_QUESTION = re.compile(
    r"^\W*(qu'est-ce que|qu'est ce que|c'est quoi|que|quel(le)?s?|comment|combien|quand|où|pourquoi|est-ce que"
    r"|what is|what are|what|how (do|does|much|many|long)?|when|where|why|is|are|do|does|can"
    r"|wat is|wat zijn|wat|hoe|hoeveel|wanneer|waar|waarom|kan|moet)\b\s*",
    re.I,
)
MAX_FOLLOWUP_WORDS = 9  # longer questions are taken as standing on their own


@dataclass(frozen=True)
class Rewrite:
    """The query to retrieve with, and the language to answer in."""

    query: str
    language: str | None  # set when the follow-up asks for another language
    followup: bool
    reason: str = ""


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def rewrite_followup(question: str, previous_query: str | None) -> Rewrite:
    """Deterministic standalone query for ``question`` given the previous standalone query."""
    q = _norm(question)
    if not previous_query:
        return Rewrite(q, None, False)
    prev = _norm(previous_query)
    words = q.split()
    if len(words) <= 6 and _SWITCH_SHAPE.match(q):
        for pattern, lang in _LANG_SWITCH:
            if pattern.search(q):
                return Rewrite(prev, lang, True, "language switch")
    if len(words) > MAX_FOLLOWUP_WORDS:
        return Rewrite(q, None, False)
    swapped = _swap_slot(q, prev)
    if swapped is not None:
        return Rewrite(swapped, None, True, "value swapped into the previous question")
    if _ELLIPSIS.search(q) or _ANAPHORA.search(q) or (len(words) <= 5 and _PRONOUN.search(q)):
        subject = _LEADING_QUESTION.sub("", prev).strip(" ?!.")
        own = re.sub(r"^\W*(et|mais|and|but|en|maar)\b\s*", "", q, flags=re.I).strip()
        return Rewrite(f"{own} ({subject})", None, True, "subject carried over")
    return Rewrite(q, None, False)


def _swap_slot(question: str, previous: str) -> str | None:
    """Put the value the follow-up names in place of the one of the same kind the previous query named."""
    for slot in _SLOTS:
        now = [m for pat in slot if (m := re.search(pat, question, re.I))]
        before = [pat for pat in slot if re.search(pat, previous, re.I)]
        if len(now) != 1 or not before:
            continue
        new_value = now[0].group(0)
        if any(re.fullmatch(pat, new_value, re.I) for pat in before):
            continue
        result = previous
        for pat in before:
            result = re.sub(pat, new_value, result, flags=re.I)
        # the follow-up's other words ("et pour un particulier débutant ?") still matter
        extra = _FILLER.sub(" ", question.replace(new_value, " "))
        extra = " ".join(extra.split()).strip(" ?!.,")
        return f"{result} {extra}".strip() if extra else result
    return None
