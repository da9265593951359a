"""The answer-writer interface, and the offline default: an extractive writer.

A writer gets the question, the member's language and the numbered passages, and returns Markdown in which
every sentence ends with the ``[n]`` of the passage it comes from. Whatever the writer, the citation check
(citations.py) then verifies those markers.

The extractive writer quotes the guide instead of paraphrasing it, so it cannot say what the sources do not
say. It scores each sentence, list item and table row of the passages by the question's key terms it
contains (and those of its section title), the rank of its passage, its position in the passage (help-center
sections answer first) and, for a question that asks for an amount, a date or a delay, whether it holds a
figure. It keeps the best as the lead sentence and adds up to ``answer_max_points`` more, with the sentence a
pronoun refers back to and the line that introduces a list; points follow the order of the sources.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from guidebot.answer.text import Unit, asks_abroad, has_digit, is_foreign, key_terms, split_units
from guidebot.config import Settings
from guidebot.index.lexical import tokenize
from guidebot.retrieval.search import Passage, jaccard


class AnswerWriter(Protocol):
    """Writes an answer from numbered passages; markers ``[n]`` refer to ``passages[n-1]``."""

    name: str

    def write(self, question: str, lang: str, passages: list[Passage]) -> str: ...

    def stream(self, question: str, lang: str, passages: list[Passage]) -> Iterator[str]: ...


_ASKS_FIGURE = re.compile(
    r"\b(combien|cb|montant|prix|co[ûu]t\w*|tarif|taux|pourcentage|quand|d[ée]lai|date|dur[ée]e|jours?|ann[ée]e"
    r"|how much|how many|how long|amount|price|cost|rate|when|deadline|days?|hoeveel|hoelang|hoe lang|bedrag"
    r"|prijs|kost\w*|wanneer|termijn|dagen)\b|%|€",
    re.IGNORECASE,
)
_ANAPHOR = re.compile(
    r"^(ce|cet|cette|ces|cela|ça|il|elle|ils|elles|celui-ci|celle-ci|dans ce cas|toutefois|en revanche|"
    r"this|that|these|those|it|they|dit|dat|deze|die|het|hij|zij)\b",
    re.IGNORECASE,
)
# A sentence that only sends the reader to another article says nothing by itself.
_CROSS_REFERENCE = re.compile(
    r"^(pour (en savoir plus|plus de d[ée]tails|le|la|les)\b.{0,80})?\b(voir|voyez|consultez|lisez|reportez-vous)\b"
    r".{0,20}[«\"“]|^(zie|lees|raadpleeg)\b.{0,40}[«\"“]|^(see|read)\b.{0,40}[«\"“]|\b(voir|zie|see) l'article\b"
    r"|^(voici|cet article|dans cet article|ce guide|cette page"
    r"|here is|this article|this page|in dit artikel|hier lees)\b",
    re.IGNORECASE,
)
CROSS_REFERENCE_PENALTY = 1.0  # never quoted unless nothing else is left
FOREIGN_PENALTY = 0.4  # another country's rule comes after the Belgian one, unless the question asks abroad
# Weights of the sentence score; set by reading answers on the golden set's dev split.
W_DENSE, W_TERMS, W_SECTION, W_PASSAGE, W_POSITION, W_FIGURE, W_NOVEL = 0.45, 0.3, 0.1, 0.15, 0.05, 0.1, 0.2
NOVEL_WORDS = 6  # content words beyond the question's that make a sentence fully informative
# Unit similarities to the query (e5 cosines) are spread over [best - DENSE_SPAN, best] -> [0, 1].
DENSE_SPAN = 0.08
# A point must score at least this share of the lead sentence's score (dev: 0.4 -> facts 0.638, 0.55 -> 0.630).
KEEP_RATIO = 0.4
MIN_WORDS = 4


@dataclass
class _Scored:
    unit: Unit
    passage: int  # 0-based index in the passages
    score: float


class ExtractiveWriter:
    """Quotes the sentences of the passages that answer the question, each with its ``[n]``."""

    name = "extractive"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def stream(self, question: str, lang: str, passages: list[Passage]) -> Iterator[str]:
        text = self.write(question, lang, passages)
        for piece in re.split(r"(?<=\s)", text):
            if piece:
                yield piece

    def write(self, question: str, lang: str, passages: list[Passage]) -> str:
        scored = self._score(question, lang, passages)
        if not scored:
            return ""
        chosen = self._choose(scored)
        by_passage = {i: split_units(p.chunk.text) for i, p in enumerate(passages)}
        blocks: list[tuple[int, int, str]] = []
        taken: set[tuple[int, int]] = {(s.passage, s.unit.position) for s in chosen}
        intro_block: dict[tuple[int, str], int] = {}
        for s in chosen:
            text = s.unit.text
            units = by_passage[s.passage]
            prev = s.unit.position - 1
            if _ANAPHOR.match(text) and prev >= 0 and (s.passage, prev) not in taken and units[prev].kind == "sentence":
                text = f"{units[prev].text} {text}"
                taken.add((s.passage, prev))
            intro = s.unit.intro if s.unit.kind in ("item", "row") else None
            if intro and (s.passage, intro) in intro_block:
                # items of one list share their introduction: one point, items joined
                i = intro_block[(s.passage, intro)]
                p_idx, pos, done = blocks[i]
                head = done.removesuffix(f" [{s.passage + 1}]").rstrip(" ;,.")
                blocks[i] = (p_idx, pos, f"{head} ; {text} [{s.passage + 1}]")
                continue
            if intro:
                sep = " : " if s.unit.kind == "row" else " "
                text = f"{intro.rstrip(' :') if s.unit.kind == 'row' else intro}{sep}{text}"
                intro_block[(s.passage, intro)] = len(blocks)
            blocks.append((s.passage, s.unit.position, f"{text} [{s.passage + 1}]"))
        lead, points = blocks[0], sorted(blocks[1:], key=lambda b: (b[0], b[1]))
        lines = [lead[2]]
        if points:
            lines.append("")
            lines.extend(f"- {b[2]}" for b in points)
        return "\n".join(lines)

    def _score(self, question: str, lang: str, passages: list[Passage]) -> list[_Scored]:
        terms = key_terms(question, lang)
        asks_figure = bool(_ASKS_FIGURE.search(question))
        best_sim = max((x for p in passages for x in p.unit_sims), default=0.0)
        abroad = asks_abroad(question)
        out: list[_Scored] = []
        for i, p in enumerate(passages):
            same_lang = p.chunk.lang == lang
            section_terms = set(tokenize(p.chunk.section, p.chunk.lang)) if same_lang else set()
            section_overlap = len(terms & section_terms) / len(terms) if terms else 0.0
            for u in split_units(p.chunk.text):
                words = len(u.text.split())
                if u.kind == "sentence" and (words < MIN_WORDS or u.text.rstrip().endswith(":")):
                    continue  # too short to say anything, or a list's introduction (quoted with its items)
                unit_terms = set(tokenize(u.text, p.chunk.lang))
                overlap = len(terms & unit_terms) / len(terms) if terms and same_lang else 0.0
                sim = p.unit_sims[u.position] if u.position < len(p.unit_sims) else best_sim - DENSE_SPAN
                score = (
                    W_DENSE * max(0.0, sim - best_sim + DENSE_SPAN) / DENSE_SPAN
                    + W_TERMS * overlap
                    + W_SECTION * section_overlap
                    + W_PASSAGE / (1 + i)
                    + W_POSITION / (1 + u.position)
                    + (W_FIGURE if asks_figure and has_digit(u.text) else 0.0)
                    + W_NOVEL * min(1.0, len(unit_terms - terms) / NOVEL_WORDS)
                    - (CROSS_REFERENCE_PENALTY if _CROSS_REFERENCE.search(u.text) else 0.0)
                    - (FOREIGN_PENALTY if not abroad and is_foreign(u.text) else 0.0)
                )
                out.append(_Scored(u, i, score))
        return out

    def _choose(self, scored: list[_Scored]) -> list[_Scored]:
        ranked = sorted(scored, key=lambda s: (-s.score, s.passage, s.unit.position))
        lead = ranked[0]
        chosen = [lead]
        words = len(lead.unit.text.split())
        seen = [set(lead.unit.text.lower().split())]
        for s in ranked[1:]:
            if len(chosen) > self.settings.answer_max_points or words >= self.settings.answer_target_words:
                break
            if s.score < KEEP_RATIO * lead.score:
                break
            tokens = set(s.unit.text.lower().split())
            if any(jaccard(tokens, other) > 0.6 for other in seen):
                continue
            chosen.append(s)
            seen.append(tokens)
            words += len(s.unit.text.split())
        return chosen
