"""The Chroma collection that holds the chunk vectors guidebot computes itself.

Chroma's default embedding function downloads a model, so it is never used: collections are created with
``embedding_function=None`` and every add and query passes vectors. The collection lives on disk inside
the index version's folder, or on a Chroma server when ``GUIDEBOT_CHROMA_URL`` is set.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from guidebot.documents import Chunk
from guidebot.index.embedders import Vectors

log = logging.getLogger(__name__)

LOCAL_DIR = "chroma"


@dataclass(frozen=True)
class VectorLocation:
    """Where a version's vectors live: a folder (local) or a collection on a Chroma server (http)."""

    mode: str  # "local" | "http"
    collection: str
    url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "collection": self.collection, "url": self.url}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VectorLocation:
        return cls(mode=str(data["mode"]), collection=str(data["collection"]), url=data.get("url"))


def _client(location: VectorLocation, version_dir: Path) -> Any:
    settings = ChromaSettings(anonymized_telemetry=False)
    if location.mode == "local":
        return chromadb.PersistentClient(path=str(version_dir / LOCAL_DIR), settings=settings)
    parsed = urlparse(location.url or "")
    if not parsed.hostname:
        raise ValueError(f"invalid Chroma URL {location.url!r}")
    return chromadb.HttpClient(
        host=parsed.hostname,
        port=parsed.port or (443 if parsed.scheme == "https" else 8000),
        ssl=parsed.scheme == "https",
        settings=settings,
    )


class VectorStore:
    """One Chroma collection of chunk vectors."""

    def __init__(self, location: VectorLocation, version_dir: Path, *, create: bool = False) -> None:
        self.location = location
        self._count: int | None = None
        self._client = _client(location, version_dir)
        if create:
            self._collection = self._client.get_or_create_collection(
                location.collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
        else:
            self._collection = self._client.get_collection(location.collection, embedding_function=None)

    def count(self) -> int:
        return int(self._collection.count())

    def _known_count(self) -> int:
        """The count, asked once: a served version is never written to (``add`` and ``drop`` forget it)."""
        if self._count is None:
            self._count = self.count()
        return self._count

    def add(self, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        self._count = None
        batch = int(self._client.get_max_batch_size())
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self._collection.add(
                ids=[c.id for c in part],
                embeddings=vectors[i : i + batch],
                documents=[c.text for c in part],
                metadatas=[_metadata(c) for c in part],
            )

    def get_vectors(self, ids: Sequence[str]) -> dict[str, Vectors]:
        found: dict[str, Vectors] = {}
        batch = int(self._client.get_max_batch_size())
        for i in range(0, len(ids), batch):
            got = self._collection.get(ids=list(ids[i : i + batch]), include=["embeddings"])
            for cid, vec in zip(got["ids"], got["embeddings"], strict=True):
                found[cid] = np.asarray(vec, dtype=np.float32)
        return found

    def query(self, vector: Vectors, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk id, cosine similarity)."""
        n = min(k, self._known_count())
        if n <= 0:
            return []
        res = self._collection.query(query_embeddings=[vector], n_results=n, where=where or None, include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def drop(self) -> None:
        self._count = None
        self._client.delete_collection(self.location.collection)


def _metadata(c: Chunk) -> dict[str, str | int]:
    return {
        "doc_id": c.doc_id,
        "n": c.n,
        "lang": c.lang,
        "source": c.source,
        "tool": c.tool or "",
        "section": c.section,
        "title": c.title,
        "url": c.url,
        "updated": c.updated,
        "page": c.page if c.page is not None else -1,
        "topics": ",".join(c.topics),
        "hash": c.hash,
    }


def drop_collection(location: VectorLocation, version_dir: Path) -> None:
    """Delete a server-side collection (local collections go with their folder)."""
    if location.mode != "http":
        return
    try:
        VectorStore(location, version_dir).drop()
    except Exception as exc:  # a missing collection is already gone  # noqa: BLE001
        log.warning("could not drop Chroma collection %s: %s", location.collection, exc)
