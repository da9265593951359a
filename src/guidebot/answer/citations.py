"""The citation check, applied to every writer's answer.

Every ``[n]`` must name a passage that was given; unknown markers are removed. A sentence takes the markers
that end its run of sentences in the line ("S1. S2. [1]": both cite [1]); one left without a valid marker is
dropped, and so is one whose figures do not appear in the passages it cites, or (when it is
in the passages' language) whose words mostly do not. Markers are then renumbered 1..k in order of first use,
so every marker has a citation and every citation is used. An answer with nothing supported left becomes a
refusal (the engine decides what to say).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from guidebot.answer.public import CitationOut
from guidebot.answer.text import clean_inline, numbers_in
from guidebot.chunking.units import split_sentences
from guidebot.index.lexical import tokenize
from guidebot.retrieval.search import Passage

_MARKERS = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_AFTER_MARKER = re.compile(r"(?<=\])\s+(?=\S)")
# Share of a sentence's content words that must appear in the passages it cites, when both are in one language.
MIN_SUPPORT = 0.7
SNIPPET_CHARS = 280


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    title: str
    url: str
    section: str
    snippet: str
    page: int | None = None
    chunk_id: str = ""

    def out(self) -> CitationOut:
        """The citation as the HTTP contract has it."""
        return CitationOut(
            n=self.n, doc_id=self.doc_id, title=self.title, url=self.url, section=self.section, snippet=self.snippet
        )

    def public(self) -> dict[str, Any]:
        return self.out().model_dump()


@dataclass
class CheckedAnswer:
    text: str
    citations: list[Citation]
    dropped: list[str] = field(default_factory=list)
    removed_markers: list[int] = field(default_factory=list)
    source_langs: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.citations or not self.text.strip()


def check_citations(
    answer: str, passages: list[Passage], lang: str, passage_tokens: list[frozenset[str]] | None = None
) -> CheckedAnswer:
    """Keep only the sentences whose ``[n]`` markers name given passages that support them.

    ``passage_tokens`` are the passages' stemmed tokens when the evidence pass has them already."""
    renumber: dict[int, int] = {}
    dropped: list[str] = []
    removed: list[int] = []
    out_lines: list[str] = []
    for line in answer.splitlines():
        stripped = line.strip()
        if not stripped:
            if out_lines and out_lines[-1] != "":
                out_lines.append("")
            continue
        bullet = re.match(r"^(\s*(?:[-*•]|\d+[.)])\s+)", line)
        prefix = bullet.group(1) if bullet else ""
        body = line[len(prefix) :].strip() if bullet else stripped
        kept: list[str] = []
        pending: list[str] = []  # sentences of a quoted run that ends with one marker ("S1. S2. [1]")
        for sentence in _sentences(body):
            cited = [int(n) for m in _MARKERS.finditer(sentence) for n in re.split(r"[,;]", m.group(1))]
            valid = [n for n in cited if 1 <= n <= len(passages)]
            removed.extend(n for n in cited if n not in valid)
            claim = _MARKERS.sub("", sentence).strip()
            if not claim:
                continue
            if not cited:
                pending.append(claim)
                continue
            tokens = [passage_tokens[n - 1] for n in valid] if passage_tokens is not None else None
            sources = [passages[n - 1] for n in valid]
            run = []
            for part in [*pending, claim]:
                if valid and supports(part, sources, lang, tokens):
                    run.append(part)
                else:
                    dropped.append(part)
            pending = []
            if not run:
                continue
            marks = []
            for n in dict.fromkeys(valid):
                renumber.setdefault(n, len(renumber) + 1)
                marks.append(f"[{renumber[n]}]")
            kept.append(f"{' '.join(run)} {''.join(marks)}")
        dropped.extend(pending)  # a sentence no marker follows cites nothing
        if kept:
            out_lines.append(prefix + " ".join(kept))
    while out_lines and out_lines[-1] == "":
        out_lines.pop()
    citations = [_citation(new, passages[old - 1]) for old, new in sorted(renumber.items(), key=lambda kv: kv[1])]
    langs = list(dict.fromkeys(passages[old - 1].chunk.lang for old in renumber))
    return CheckedAnswer("\n".join(out_lines), citations, dropped, removed, langs)


def _sentences(body: str) -> list[str]:
    """The claims of a line: each quoted unit ends at its marker; within a piece, the index's sentence splitter."""
    parts = [s.strip() for piece in _AFTER_MARKER.split(body) for s in split_sentences(piece) if s.strip()]
    merged: list[str] = []
    for part in parts:
        # a marker split off its sentence ("... 30 €. [1]") belongs to the sentence before it
        if merged and _MARKERS.fullmatch(" " + part):
            merged[-1] += " " + part
        else:
            merged.append(part)
    return merged


def supports(claim: str, cited: list[Passage], lang: str, tokens: list[frozenset[str]] | None = None) -> bool:
    """Do the cited passages support the claim (its figures, and most of its words in their language)?"""
    figures = numbers_in(claim)
    if figures:
        texts = tuple(p.chunk.embed_text for p in cited)
        text = _cited_text(texts)
        if not figures <= (_cited_figures(texts) | {f for f in figures if f in text}):
            return False
    same = [p for p in cited if p.chunk.lang == lang]
    if not same:
        return True  # a translation: only its figures can be checked word for word
    words = set(tokenize(claim, lang))
    if not words:
        return True
    found: set[str] = set()
    for i, p in enumerate(cited):
        if p.chunk.lang == lang:
            found |= tokens[i] if tokens is not None else set(tokenize(p.chunk.embed_text, lang))
    return len(words & found) / len(words) >= MIN_SUPPORT


CITED_CACHE = 4096  # cited passage sets remembered (a served index has a few hundred chunks)


@functools.lru_cache(maxsize=CITED_CACHE)
def _cited_text(embed_texts: tuple[str, ...]) -> str:
    """The cited passages' text as claims are checked against it (the same passages are cited again and again)."""
    return " ".join(clean_inline(t) for t in embed_texts)


@functools.lru_cache(maxsize=CITED_CACHE)
def _cited_figures(embed_texts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(numbers_in(_cited_text(embed_texts)))


def _citation(n: int, p: Passage) -> Citation:
    snippet = clean_inline(re.sub(r"^\s*(?:[-*•]|\d+[.)]|\|)\s*", "", p.chunk.text, flags=re.MULTILINE))
    if len(snippet) > SNIPPET_CHARS:
        snippet = snippet[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"
    return Citation(n, p.chunk.doc_id, p.chunk.title, p.chunk.url, p.chunk.section, snippet, p.chunk.page, p.chunk.id)
