"""Heading-aware, token-sized chunks with deterministic ids.

A document's Markdown is cut into sections at its headings; each chunk knows its section path
("Facturer > Délais de paiement") and, for PDFs, its page. Sections are packed block by block (paragraph,
list, table) up to ``chunk_tokens``; an oversized paragraph is split by LangChain's recursive splitter with
``chunk_overlap_tokens`` of overlap, and an oversized table is split by rows, each piece repeating the
table's title and header row. Chunk ids are ``{doc_id}#{n}``: the same document always gives the same ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import tiktoken
from langchain_text_splitters import RecursiveCharacterTextSplitter

from guidebot.chunking.tokens import ENCODING_NAME, get_encoding
from guidebot.chunking.units import UNITS_VERSION
from guidebot.documents import PAGE_MARKER_RE, Chunk, Document

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_TABLE_TITLE_MAX = 200


@dataclass
class _Block:
    text: str
    page: int | None
    table: tuple[str | None, list[str], list[str]] | None = None  # (title, header lines, rows)


@dataclass
class _Section:
    path: tuple[str, ...]
    blocks: list[_Block] = field(default_factory=list)


@dataclass(frozen=True)
class ChunkerConfig:
    chunk_tokens: int = 320
    chunk_overlap_tokens: int = 40

    def as_dict(self) -> dict[str, object]:
        return {
            "chunk_tokens": self.chunk_tokens,
            "chunk_overlap_tokens": self.chunk_overlap_tokens,
            "encoding": ENCODING_NAME,
            "version": 1,
            "units_version": UNITS_VERSION,
        }


class Chunker:
    """Cuts Documents into Chunks."""

    def __init__(self, config: ChunkerConfig, cache_dir: Path) -> None:
        self.config = config
        self.encoding: tiktoken.Encoding = get_encoding(cache_dir)
        self._splitter = RecursiveCharacterTextSplitter.from_tiktoken_encoder(
            encoding_name=ENCODING_NAME,
            chunk_size=config.chunk_tokens,
            chunk_overlap=min(config.chunk_overlap_tokens, config.chunk_tokens // 2),
            separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
            keep_separator="end",
        )

    def count(self, text: str) -> int:
        return len(self.encoding.encode(text, disallowed_special=()))

    def chunk(self, doc: Document) -> list[Chunk]:
        pieces: list[tuple[tuple[str, ...], int | None, str]] = []
        for section in _sections(doc):
            for page, text in self._pack(section.blocks):
                pieces.append((section.path, page, text))
        chunks = []
        for n, (path, page, text) in enumerate(pieces):
            chunks.append(
                Chunk(
                    id=f"{doc.id}#{n}",
                    doc_id=doc.id,
                    n=n,
                    text=text,
                    section=" > ".join(path),
                    title=doc.title,
                    url=doc.url,
                    source=doc.source,
                    lang=doc.lang,
                    updated=doc.updated,
                    tokens=self.count(text),
                    page=page,
                    tool=doc.tool,
                    topics=doc.topics,
                )
            )
        return chunks

    def _pack(self, blocks: list[_Block]) -> list[tuple[int | None, str]]:
        limit = self.config.chunk_tokens
        out: list[tuple[int | None, str]] = []
        current: list[str] = []
        current_page: int | None = None
        current_tokens = 0

        def flush() -> None:
            nonlocal current, current_tokens, current_page
            if current:
                out.append((current_page, "\n\n".join(current)))
            current, current_tokens, current_page = [], 0, None

        for block in blocks:
            size = self.count(block.text)
            if size > limit:
                flush()
                for part in self._split_block(block):
                    out.append((block.page, part))
                continue
            if current and current_tokens + size + 2 > limit:
                flush()
            if not current:
                current_page = block.page
            current.append(block.text)
            current_tokens += size + 2
        flush()
        return out

    def _split_block(self, block: _Block) -> list[str]:
        if block.table is None:
            return [p.strip() for p in self._splitter.split_text(block.text) if p.strip()]
        title, header, rows = block.table
        head = ([f"{title}", ""] if title else []) + header
        budget = self.config.chunk_tokens - self.count("\n".join(head)) - 2
        parts: list[str] = []
        current: list[str] = []
        used = 0
        for row in rows:
            size = self.count(row) + 1
            if current and used + size > budget:
                parts.append("\n".join(head + current))
                current, used = [], 0
            current.append(row)
            used += size
        if current or not parts:
            parts.append("\n".join(head + current))
        return parts


def _sections(doc: Document) -> list[_Section]:
    """Split the Markdown into sections by heading, each a list of blocks."""
    sections: list[_Section] = [_Section(path=())]
    stack: list[tuple[int, str]] = []
    page: int | None = None
    paragraph: list[str] = []
    in_fence = False

    def end_paragraph() -> None:
        if paragraph:
            _add_block(sections[-1], paragraph, page)
            paragraph.clear()

    for raw in doc.text.splitlines():
        line = raw.rstrip()
        if _FENCE.match(line.strip()):
            in_fence = not in_fence
            paragraph.append(line)
            continue
        if in_fence:
            paragraph.append(line)
            continue
        marker = PAGE_MARKER_RE.match(line.strip())
        if marker:
            end_paragraph()
            page = int(marker.group(1))
            continue
        heading = _HEADING.match(line)
        if heading:
            end_paragraph()
            level, text = len(heading.group(1)), heading.group(2).strip()
            if level == 1 and not stack and _same_title(text, doc.title):
                continue
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
            sections.append(_Section(path=tuple(t for _, t in stack)))
            continue
        if not line.strip():
            end_paragraph()
            continue
        paragraph.append(line)
    end_paragraph()
    return [s for s in sections if s.blocks]


def _add_block(section: _Section, lines: list[str], page: int | None) -> None:
    """Add a paragraph; a table joins the short title paragraph just before it."""
    if all(ln.lstrip().startswith("|") for ln in lines) and len(lines) >= 2:
        title: str | None = None
        if section.blocks and section.blocks[-1].table is None:
            prev = section.blocks[-1].text
            if "\n" not in prev and len(prev) <= _TABLE_TITLE_MAX:
                title = section.blocks.pop().text
        has_sep = len(lines) >= 2 and re.match(r"^\s*\|?\s*:?-{2,}", lines[1]) is not None
        header = lines[:2] if has_sep else lines[:1]
        rows = lines[2:] if has_sep else lines[1:]
        text = "\n".join(([title, ""] if title else []) + lines)
        section.blocks.append(_Block(text=text, page=page, table=(title, header, rows)))
        return
    section.blocks.append(_Block(text="\n".join(lines), page=page))


def _same_title(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"\W+", " ", s).strip().lower()

    return norm(a) == norm(b)
