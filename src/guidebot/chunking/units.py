"""Passage text cut into quotable units: sentences, list items, table rows (rendered 'header: value; ...').

The index embeds every unit once (so an answer can pick the sentences closest in meaning to a question, in
any language); UNITS_VERSION is part of the chunker settings, so changing these rules re-embeds the units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS_VERSION = 1

# Abbreviations after which a period does not end a sentence.
_ABBREV = re.compile(
    r"(?:\b(?i:M|Mme|p|pp|n|no|art|etc|ex|cf|env|vol|min|max|hr|St|Dr|vs|resp|incl|excl|ca|bijv|nr|"
    r"o\.a|i\.e|e\.g)|\b[A-Z])\.$"
)
_SENT_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"“(\[]?[A-ZÀ-ÖØ-Ý0-9])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_MD_INLINE = re.compile(r"\*\*|__|(?<!\w)_(?=\w)|(?<=\w)_(?!\w)|`")


@dataclass(frozen=True)
class Unit:
    """One quotable piece of a passage."""

    text: str  # clean text, as it will be quoted
    position: int  # order inside its passage
    kind: str  # sentence | item | row
    intro: str | None = None  # the line that introduces a list item or a table row


def clean_inline(text: str) -> str:
    text = _MD_INLINE.sub("", text)
    return " ".join(text.split())


def split_units(text: str) -> list[Unit]:
    """Sentences of paragraphs, list items, and table rows (rendered 'header: value; ...')."""
    units: list[Unit] = []
    last_line_intro: str | None = None
    table_header: list[str] | None = None
    table_title: str | None = None
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [ln for ln in block.splitlines() if ln.strip()]
        if not lines:
            continue
        if all(ln.lstrip().startswith("|") for ln in lines):
            rows = [_cells(ln) for ln in lines if not re.match(r"^\s*\|?\s*:?-{2,}", ln)]
            if not rows:
                continue
            table_header, body = rows[0], rows[1:]
            for row in body:
                pairs = [f"{h}: {v}" if h else v for h, v in zip(table_header, row, strict=False) if v]
                units.append(Unit("; ".join(pairs), len(units), "row", table_title))
            table_title = None
            continue
        if len(lines) == 1 and re.fullmatch(r"\*\*[^*]+\*\*:?", lines[0].strip()):
            table_title = clean_inline(lines[0]).rstrip(":")
            continue
        paragraph: list[str] = []
        for line in lines:
            if _LIST_ITEM.match(line):
                if paragraph:
                    last_line_intro = _add_sentences(units, " ".join(paragraph))
                    paragraph = []
                item = clean_inline(_LIST_ITEM.sub("", line))
                if item:
                    units.append(Unit(item, len(units), "item", last_line_intro))
            else:
                paragraph.append(line.strip())
        if paragraph:
            last_line_intro = _add_sentences(units, " ".join(paragraph))
    return units


def split_sentences(text: str) -> list[str]:
    """The sentences of one paragraph, as the index cuts them (an abbreviation's period ends none)."""
    sentences: list[str] = []
    for piece in _SENT_END.split(text):
        if sentences and _ABBREV.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return [s for s in sentences if s.strip()]


def _add_sentences(units: list[Unit], paragraph: str) -> str | None:
    """Add a paragraph's sentences; return the last one if it introduces a list (ends with ':')."""
    sentences = split_sentences(clean_inline(paragraph))
    for s in sentences:
        if s.strip():
            units.append(Unit(s.strip(), len(units), "sentence"))
    last = sentences[-1].strip() if sentences else ""
    return last if last.endswith(":") else None


def _cells(line: str) -> list[str]:
    inner = line.strip().strip("|")
    return [clean_inline(c.replace("\\|", "|")) for c in re.split(r"(?<!\\)\|", inner)]
