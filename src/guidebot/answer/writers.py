"""The answer-writer interface, and the offline default: an extractive writer that answers first.

A writer gets the evidence (the analysed question and its numbered passages) and returns Markdown in which
every sentence ends with the ``[n]`` of the passage it comes from. Whatever the writer, the citation check
(citations.py) then verifies those markers.

The extractive writer quotes the guide instead of paraphrasing it, so it cannot say what the sources do not
say. The unit ranker (ranker.py) has already scored every unit of the evidence; the writer composes:

- the **lead** is the best unit that carries the answer type the question expects (a year, an amount, a
  delay...), names the year the question names rather than another one, and is neither a question, a bare
  cross-reference, a date or source caveat, nor another country's rule the member did not ask about; among
  those, one in the member's language wins;
- the lead paragraph goes on with the next best units that add a fact (``answer_lead_units``, at most 45 words);
- then at most ``answer_max_points`` points, each a fact not said yet (near-duplicates judged by the units'
  vectors), from the lead's section first; the second part of a two-part question brings the unit that answers
  it; a procedure keeps its steps in their order; a list item comes with the line that introduces it; a point
  is in the member's language or the lead's, never a third one;
- a caveat about dates or sources is said once, after the answer, never as its lead; a unit that opens with one
  but gives a figure or delay of the kind asked for may follow the lead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from guidebot.answer.analysis import Evidence, TermWeights, UnitEvidence, carries_type, restates
from guidebot.answer.text import has_digit
from guidebot.config import Settings
from guidebot.index.lexical import tokenize
from guidebot.retrieval.search import jaccard


class AnswerWriter(Protocol):
    """Writes an answer from the evidence; markers ``[n]`` refer to ``evidence.passages[n-1]``."""

    name: str
    # True when stream() yields text as it is generated; False when the whole text is composed first (the engine
    # then streams the checked answer).
    incremental: bool

    def write(self, evidence: Evidence) -> str: ...

    def stream(self, evidence: Evidence) -> Iterator[str]: ...


# Two units whose vectors are this close say the same thing (dev split, see evals/README.md).
DUPLICATE_COSINE = 0.93
DUPLICATE_JACCARD = 0.6  # the same judged on words, for a unit without a vector
# A point must score at least this share of the lead's score.
KEEP_RATIO = 0.35
# The lead must carry the expected answer type when one of this many best units does.
TYPE_WINDOW = 6
MIN_WORDS = 4
# A unit joins the lead paragraph when it is among the SUPPORT_WINDOW best, scores at least SUPPORT_RATIO of the
# lead, and the paragraph is still under LEAD_WORDS words (dev split, see evals/README.md).
SUPPORT_WINDOW = 4
SUPPORT_RATIO = 0.5
LEAD_WORDS = 45
_PARTS = re.compile(r"\s*(?:\?|;|\bet\b|\bainsi que\b|\band\b|\ben\b|\bplus\b)\s*", re.IGNORECASE)


def text_pieces(text: str) -> Iterator[str]:
    """A composed text streamed word by word (each piece keeps the whitespace after it)."""
    for piece in re.split(r"(?<=\s)", text):
        if piece:
            yield piece


@dataclass
class Choice:
    """What the extractive writer quotes: the lead paragraph (the lead, the sentence that continues it, the unit
    that answers a question's second part), the points after it, and at most one caveat."""

    lead: list[UnitEvidence]
    points: list[UnitEvidence]
    caveat: UnitEvidence | None


class ExtractiveWriter:
    """Quotes the units of the passages that answer the question, each with its ``[n]``, answer first."""

    name = "extractive"
    incremental = False

    def __init__(self, settings: Settings, weights: TermWeights | None = None) -> None:
        self.settings = settings
        self.weights = weights

    def stream(self, evidence: Evidence) -> Iterator[str]:
        yield from text_pieces(self.write(evidence))

    def write(self, evidence: Evidence) -> str:
        choice = self.choose(evidence)
        if not choice.lead:
            return ""
        blocks = _render(evidence, choice)
        lines = [blocks[0]]
        points = blocks[1:] + ([_quote(evidence, choice.caveat, set())] if choice.caveat is not None else [])
        if points:
            lines.append("")
            lines.extend(f"- {b}" for b in points)
        return "\n".join(lines)

    # --- choosing ----------------------------------------------------------------------------------------
    def choose(self, ev: Evidence) -> Choice:
        """The lead paragraph, the points, and at most one caveat to say after them."""
        ranked = [u for u in ev.ranked() if _quotable(u)]
        if not ranked:
            return Choice([], [], None)
        lead = _lead(ev, ranked)
        limit = self.settings.answer_max_points
        lead_score = ev.scores.get(lead.key, 0.0)
        if ev.question.answer_type == "procedure" and lead.unit.kind == "item":
            steps = [
                u
                for u in ev.by_passage[lead.passage]
                if u.unit.kind == "item"
                and u.unit.intro == lead.unit.intro
                and u is not lead
                and _quotable(u)
                and not u.hedge
            ]
            ordered_steps = sorted([lead, *steps[:limit]], key=lambda u: u.unit.position)
            return Choice(ordered_steps[:1], ordered_steps[1:], None)
        paragraph = [lead]
        topic = ev.question.terms
        candidates = [u for u in ranked if u is not lead and (not u.hedge or _hedged_fact(ev, u))]
        follow = _continuation(ev, lead)
        if follow is not None and follow in candidates and ev.scores.get(follow.key, 0.0) >= KEEP_RATIO * lead_score:
            paragraph.append(follow)  # "Cela vaut même si...": said with the lead, in its paragraph
        second = self._second_part(ev, lead, candidates)
        if (
            second is not None
            and not second.no_info
            and second not in paragraph
            and not any(_same_fact(second, u, topic, _lang(ev, u)) for u in paragraph)
        ):
            paragraph.append(second)  # the other part of a two-part question: answered first too
        self._support(ev, paragraph, candidates, lead_score)
        points: list[UnitEvidence] = []
        words = sum(u.words for u in paragraph)
        lead_tokens = frozenset().union(*(u.tokens for u in paragraph))
        lead_runs = frozenset().union(*(u.runs for u in paragraph))
        # the lead's own passage first, then the others, each by score
        ordered = sorted(
            candidates,
            key=lambda u: (u.passage != lead.passage, -ev.scores.get(u.key, 0.0), u.passage, u.unit.position),
        )
        for u in ordered:
            if len(points) >= limit or words >= self.settings.answer_target_words:
                break
            if u in paragraph or ev.scores.get(u.key, 0.0) < KEEP_RATIO * lead_score:
                continue
            if u.foreign and not ev.question.abroad:
                continue
            if _lang(ev, u) not in (ev.question.lang, _lang(ev, lead)):
                continue  # neither the member's language nor the lead's: an English line under a Dutch question
            if len(paragraph) > 1 and restates(u.tokens, lead_tokens, u.runs, lead_runs, topic, _lang(ev, u)):
                continue  # the lead paragraph, read as one line, says it already
            said = paragraph + points
            twin = next((c for c in said if _same_fact(u, c, topic, _lang(ev, u))), None)
            if twin is not None:
                # the member's language wins when two units say the same
                if twin in points and _lang(ev, u) == ev.question.lang != _lang(ev, twin):
                    points[points.index(twin)] = u
                continue
            points.append(u)
            words += u.words
        caveat = next(
            (
                u
                for u in ranked
                if u.hedge and u.passage == lead.passage and ev.scores.get(u.key, 0.0) >= lead_score * 0.5
            ),
            None,
        )
        if caveat is not None and any(_same_fact(caveat, c, topic, _lang(ev, c)) for c in paragraph + points):
            caveat = None
        return Choice(paragraph, points, caveat)

    def _support(
        self, ev: Evidence, paragraph: list[UnitEvidence], candidates: list[UnitEvidence], lead_score: float
    ) -> None:
        """Fill the lead paragraph, up to ``answer_lead_units`` units and LEAD_WORDS words, with the next best units
        that add a fact in the lead's language: the member reads the first paragraph and stops, and the best unit of
        the pool carries every fact asked for only about half the time."""
        lead = paragraph[0]
        topic = ev.question.terms
        for u in candidates[:SUPPORT_WINDOW]:
            if len(paragraph) >= self.settings.answer_lead_units or sum(x.words for x in paragraph) >= LEAD_WORDS:
                return
            if (
                u in paragraph
                or ev.scores.get(u.key, 0.0) < SUPPORT_RATIO * lead_score
                or u.no_info
                or (u.foreign and not ev.question.abroad)
                or _lang(ev, u) != _lang(ev, lead)
                or (u.unit.kind != "sentence" and u.unit.intro is None)
                or any(_same_fact(u, x, topic, _lang(ev, u)) for x in paragraph)
            ):
                continue
            paragraph.append(u)

    def _second_part(self, ev: Evidence, lead: UnitEvidence, candidates: list[UnitEvidence]) -> UnitEvidence | None:
        """For a two-part question, the best unit for the part the lead does not answer."""
        q = ev.question
        parts = [p for p in _PARTS.split(q.query) if p and len(p.split()) >= 2]
        if len(parts) < 2 or self.weights is None:
            return None
        best: tuple[float, UnitEvidence] | None = None
        for part in parts:
            terms = frozenset(tokenize(part, q.retrieval_lang)) & q.terms
            if not terms or self.weights.weighted_overlap(terms, lead.tokens, q.retrieval_lang) >= 0.5:
                continue
            for u in candidates[:20]:
                if _lang(ev, u) != q.retrieval_lang:
                    continue
                cover = self.weights.weighted_overlap(terms, u.tokens, q.retrieval_lang)
                value = cover + ev.scores.get(u.key, 0.0)
                if cover >= 0.5 and (best is None or value > best[0]):
                    best = (value, u)
        return None if best is None else best[1]


def _continuation(ev: Evidence, lead: UnitEvidence) -> UnitEvidence | None:
    """The sentence right after the lead when it continues it (opens with a pronoun or "toutefois")."""
    units = ev.by_passage[lead.passage]
    nxt = lead.unit.position + 1
    if nxt < len(units) and units[nxt].anaphor and units[nxt].unit.kind == "sentence" and lead.unit.kind == "sentence":
        follow = units[nxt]
        return follow if _quotable(follow) and not follow.hedge and not follow.no_info else None
    return None


def _hedged_fact(ev: Evidence, u: UnitEvidence) -> bool:
    """A unit that opens with a date or source caveat but gives a figure, a date or a delay of the kind asked for
    ("D'après des sources de 2022-2023, votre salaire vous parvient au plus tard sept jours ouvrables..."): never
    the lead, but it may follow it, its caveat said where its fact is (dev split: fact accuracy 0.677 -> 0.693)."""
    return carries_type(u.spans, ev.question.answer_type) is not False and bool(u.spans or has_digit(u.unit.text))


def _lang(ev: Evidence, u: UnitEvidence) -> str:
    return ev.passages[u.passage].chunk.lang


def _quotable(u: UnitEvidence) -> bool:
    """Never a point: a question, a bare cross-reference, a list's introduction alone, a fragment."""
    text = u.unit.text.rstrip()
    if u.cross_reference or text.endswith("?"):
        return False
    if u.unit.kind == "sentence" and (u.words < MIN_WORDS or text.endswith(":")):
        return False
    return True


def _lead(ev: Evidence, ranked: list[UnitEvidence]) -> UnitEvidence:
    """The best unit under the question's hard constraints, each dropped when no unit meets it."""
    q = ev.question
    pool = [u for u in ranked if not u.hedge] or ranked
    window = pool[:TYPE_WINDOW]

    def native(u: UnitEvidence) -> bool:
        return not (u.foreign and not q.abroad)

    def right_year(u: UnitEvidence) -> bool:
        return not (q.years and u.years and not (u.years & q.years))

    def right_type(u: UnitEvidence) -> bool:
        return carries_type(u.spans, q.answer_type) is not False

    def self_contained(u: UnitEvidence) -> bool:
        return not (u.anaphor and u.unit.position == 0)

    def members_language(u: UnitEvidence) -> bool:
        return _lang(ev, u) == q.lang

    for keep in (native, right_year, right_type, self_contained, members_language):
        narrowed = [u for u in window if keep(u)]
        if narrowed:
            window = narrowed
    return window[0]


def _same_fact(a: UnitEvidence, b: UnitEvidence, topic: frozenset[str] = frozenset(), lang: str = "fr") -> bool:
    """Near-duplicates by meaning (unit vectors), or one restating the other in words (two rows of one table
    share their headers, not a fact)."""
    if a.vector is not None and b.vector is not None and float(np.dot(a.vector, b.vector)) >= DUPLICATE_COSINE:
        return True
    if a.vector is None or b.vector is None:
        if jaccard(set(a.unit.text.lower().split()), set(b.unit.text.lower().split())) > DUPLICATE_JACCARD:
            return True
    if a.row and b.row and a.passage == b.passage:
        return False
    return restates(a.tokens, b.tokens, a.runs, b.runs, topic, lang)


def _quote(ev: Evidence, u: UnitEvidence, said: set[tuple[int, int]] | None = None) -> str:
    """One unit as quoted: a pronoun with the sentence it refers to (unless said already), a list item or row
    with its introduction. ``said`` collects the units quoted."""
    said = said if said is not None else set()
    said.add(u.key)
    text = u.unit.text.rstrip(" ;,")
    units = ev.by_passage[u.passage]
    prev = u.unit.position - 1
    antecedent = units[prev] if u.anaphor and prev >= 0 else None
    if (
        antecedent is not None
        and antecedent.key not in said
        and antecedent.unit.kind == "sentence"
        and not antecedent.unit.text.endswith(":")
    ):
        said.add(antecedent.key)
        text = f"{antecedent.unit.text} {text}"
    elif u.unit.intro and u.unit.kind == "item":
        text = f"{u.unit.intro} {text}"
    elif u.unit.intro and u.unit.kind == "row":
        text = f"{u.unit.intro.rstrip(' :')} : {text}"
    if text[-1:].isalnum() or text[-1:] in ')»"%€':
        text += "."
    return f"{text} [{u.passage + 1}]"


def _render(ev: Evidence, choice: Choice) -> list[str]:
    """The lead paragraph, then the points in the order of their sources; items of one list share their
    introduction, said once in the block that quotes the first of them (the lead paragraph included)."""
    lead = choice.lead[0]
    rest = sorted(choice.points, key=lambda u: (u.passage, u.unit.position))
    said: set[tuple[int, int]] = set()
    blocks = [_quote(ev, lead, said)]
    lists: dict[tuple[int, str], int] = {}
    if lead.unit.intro and lead.unit.kind == "item":
        lists[(lead.passage, lead.unit.intro)] = 0

    def join_list(u: UnitEvidence) -> bool:
        """Add an item to the block that already quotes its list."""
        i = lists.get((u.passage, u.unit.intro or ""))
        if u.unit.kind != "item" or not u.unit.intro or i is None or not blocks[i].endswith(f" [{u.passage + 1}]"):
            return False
        said.add(u.key)
        head = blocks[i].removesuffix(f" [{u.passage + 1}]").rstrip(" ;,.")
        blocks[i] = f"{head} ; {u.unit.text.rstrip(' ;,.')}. [{u.passage + 1}]"
        return True

    for u in choice.lead[1:]:
        if u.key in said or join_list(u):
            continue
        if u.unit.kind == "item" and u.unit.intro:
            lists.setdefault((u.passage, u.unit.intro), 0)
        if u.passage == lead.passage and blocks[0].endswith(f" [{u.passage + 1}]"):
            blocks[0] = f"{blocks[0].removesuffix(f' [{u.passage + 1}]')} {_quote(ev, u, said)}"
        else:
            blocks[0] = f"{blocks[0]} {_quote(ev, u, said)}"
    for u in rest:
        if u.key in said or join_list(u):
            continue
        if u.unit.kind == "item" and u.unit.intro:
            lists[(u.passage, u.unit.intro)] = len(blocks)
        blocks.append(_quote(ev, u, said))
    return blocks
