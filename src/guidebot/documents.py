"""The units that flow through the pipeline: a source Document, and the Chunks cut from it."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

SOURCES = ("guide", "contract", "report", "reform")
Lang = Literal["fr", "nl", "en"]
LANGS: tuple[str, ...] = get_args(Lang)
ToolName = Literal["3en1", "activite"]
NAMED_TOOLS: tuple[str, ...] = get_args(ToolName)  # a question or an answer is about one of Smart's two tools
TOOLS = (*NAMED_TOOLS, "both")  # an article may be about both
# The longest question a member may ask (the HTTP contract's 1..2000 characters), and a feedback comment
MAX_QUESTION_CHARS = 2000
# A PDF page starts at such a line in a Document's text (the loader writes it, the chunker reads it)
PAGE_MARKER = "<!-- page: {n} -->"
PAGE_MARKER_RE = re.compile(r"^<!-- page: (\d+) -->$")


@dataclass(frozen=True)
class Document:
    """One source document, its text normalised to Markdown.

    PDF pages are marked inside ``text`` by ``<!-- page: N -->`` lines so chunks keep their page number.
    """

    id: str
    title: str
    url: str
    source: str
    lang: str
    updated: str  # ISO date, YYYY-MM-DD
    text: str
    path: str  # relative to the corpus folder
    topics: tuple[str, ...] = ()
    tool: str | None = None
    sources: tuple[str, ...] = ()
    format: str = "markdown"

    def content_hash(self) -> str:
        """Hash of everything that ends up in the index for this document."""
        payload = {k: v for k, v in asdict(self).items() if k != "path"}
        return sha256_text(json.dumps(payload, sort_keys=True, ensure_ascii=False))


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, sized for the embedder, with the section path it sits under."""

    id: str  # "{doc_id}#{n}"
    doc_id: str
    n: int
    text: str
    section: str  # "Facturer > Délais de paiement"
    title: str
    url: str
    source: str
    lang: str
    updated: str
    tokens: int
    page: int | None = None
    tool: str | None = None
    topics: tuple[str, ...] = field(default_factory=tuple)

    @property
    def embed_text(self) -> str:
        """What the embedder sees: the title and section give the passage its context."""
        head = self.title if not self.section else f"{self.title} — {self.section}"
        return f"{head}\n{self.text}"

    @property
    def hash(self) -> str:
        """Content hash of the embedded text; equal hashes share one vector."""
        return sha256_text(self.embed_text)

    def to_record(self) -> dict[str, Any]:
        rec = asdict(self)
        rec["topics"] = list(self.topics)
        rec["hash"] = self.hash
        return rec

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> Chunk:
        data = {k: v for k, v in rec.items() if k != "hash"}
        data["topics"] = tuple(data.get("topics") or ())
        return cls(**data)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Turn:
    """A previous question of a conversation, as the store keeps it and the engine reads it for follow-ups."""

    question: str
    query: str
    language: str
