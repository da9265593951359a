"""The Chroma collection that holds the chunk vectors guidebot computes itself.

Chroma's default embedding function downloads a model, so it is never used: collections are created with
``embedding_function=None`` and every add and query passes vectors. The collection lives on disk inside
the index version's folder, or on a Chroma server when ``GUIDEBOT_CHROMA_URL`` is set.

A served collection on a server (``timeout_s`` given) never makes an answer hang: every request to the server
has that time limit, a server that is down or does not answer in time raises IndexUnavailableError, and for
UNAVAILABLE_RETRY_S after such a failure queries fail at once, without waiting on the server again, while one
of them at a time tries whether it is back.

A served collection on disk that holds at most ``exact_max_chunks`` vectors is searched in memory instead
(``exact.py``: the exact top-k, for a fraction of a Chroma query's cost); a bigger one is asked of Chroma, and a
filtered query over it is an unfiltered one whose hits are filtered here (Chroma's own filtered query took 450 ms
over 100,000 vectors, its unfiltered one 4 ms), with Chroma's filter kept for a filter too selective for that.
A Chroma server is always asked: it holds the vectors the workers share, and its readiness is what ``/readyz``
reports.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import chromadb
import httpx
import numpy as np
from chromadb.config import Settings as ChromaSettings

from guidebot.documents import Chunk
from guidebot.errors import IndexUnavailableError
from guidebot.index.embedders import Vectors
from guidebot.index.exact import ExactVectors, UnsupportedFilterError, where_matches

log = logging.getLogger(__name__)

LOCAL_DIR = "chroma"
HEARTBEAT_PATH = "/api/v2/heartbeat"
# After a failed request, queries fail at once for this long (the 503's Retry-After): answers do not queue
# behind a server that does not answer, and one query at a time finds out whether it is back.
UNAVAILABLE_RETRY_S = 2.0
# A filtered query over a big collection first asks for this many times the hits wanted, unfiltered, and filters
# them; up to POST_FILTER_MAX candidates (a filter that keeps few chunks goes to Chroma's filtered query).
POST_FILTER_FACTOR = 4
POST_FILTER_MAX = 1000
T = TypeVar("T")


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


def _client(location: VectorLocation, version_dir: Path, timeout_s: float | None) -> Any:
    settings = ChromaSettings(anonymized_telemetry=False)
    if location.mode == "local":
        return chromadb.PersistentClient(path=str(version_dir / LOCAL_DIR), settings=settings)
    parsed = urlparse(location.url or "")
    if not parsed.hostname:
        raise ValueError(f"invalid Chroma URL {location.url!r}")
    if timeout_s is not None:
        # chromadb's client asks the server a few things when it is made, with no time limit: look first, bounded
        _heartbeat(str(location.url), timeout_s)
    client = chromadb.HttpClient(
        host=parsed.hostname,
        port=parsed.port or (443 if parsed.scheme == "https" else 8000),
        ssl=parsed.scheme == "https",
        settings=settings,
    )
    if timeout_s is not None:
        _bound(client, timeout_s)
    return client


def _heartbeat(url: str, timeout_s: float) -> None:
    try:
        httpx.get(url.rstrip("/") + HEARTBEAT_PATH, timeout=timeout_s).raise_for_status()
    except httpx.HTTPError as exc:
        raise IndexUnavailableError(_unavailable(url, exc)) from exc


def _bound(client: Any, timeout_s: float) -> None:
    """Give the HTTP session of chromadb's client a time limit (it has none, and takes no setting for one)."""
    session = getattr(getattr(client, "_server", None), "_session", None)
    if not isinstance(session, httpx.Client):
        raise RuntimeError("this chromadb version hides its HTTP session: the time a query may take cannot be bounded")
    session.timeout = httpx.Timeout(timeout_s)


def _unavailable(url: str | None, exc: Exception) -> str:
    return f"the Chroma server at {url} does not answer ({type(exc).__name__})"


class VectorStore:
    """One Chroma collection of chunk vectors.

    ``timeout_s`` bounds every request to a Chroma server (the served index; see the module's docstring); without
    it (index builds, which add large batches) chromadb's own unbounded requests are used. ``exact_max_chunks``
    (a served collection only: it must not be written to afterwards) reads a collection on disk of at most that
    many vectors into memory, where it is searched exactly."""

    def __init__(
        self,
        location: VectorLocation,
        version_dir: Path,
        *,
        create: bool = False,
        timeout_s: float | None = None,
        exact_max_chunks: int = 0,
    ) -> None:
        self.location = location
        self._count: int | None = None
        self.exact: ExactVectors | None = None
        self._guard = timeout_s is not None and location.mode == "http"
        self._health = threading.Lock()
        self._retry_at = 0.0  # while in the future, queries fail at once; 0 = the server answered last time
        self._client = _client(location, version_dir, timeout_s)
        if create:
            self._collection = self._client.get_or_create_collection(
                location.collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
        else:
            self._collection = self._guarded(
                lambda: self._client.get_collection(location.collection, embedding_function=None)
            )
            if location.mode == "local" and 0 < self._known_count() <= exact_max_chunks:
                self.exact = self._read_all()

    def _guarded(self, call: Callable[[], T]) -> T:
        """``call()``, or IndexUnavailableError when the server does not answer (at once for a while after that)."""
        if not self._guard:
            return call()
        with self._health:
            now = time.monotonic()
            if now < self._retry_at:
                raise IndexUnavailableError(f"the Chroma server at {self.location.url} did not answer just now")
            if self._retry_at:
                self._retry_at = now + UNAVAILABLE_RETRY_S  # this call tries; the others keep failing at once
        try:
            result = call()
        except httpx.TransportError as exc:  # refused, reset, or no answer within timeout_s
            self._retry_at = time.monotonic() + UNAVAILABLE_RETRY_S
            raise IndexUnavailableError(_unavailable(self.location.url, exc)) from exc
        self._retry_at = 0.0
        return result

    def reachable(self) -> bool:
        """Does the server answer now? (Always true on disk; ``/readyz`` asks.)"""
        if not self._guard:
            return True
        try:
            self._guarded(self._client.heartbeat)
        except IndexUnavailableError:
            return False
        return True

    def count(self) -> int:
        return int(self._guarded(self._collection.count))

    def _known_count(self) -> int:
        """The count, asked once: a served version is never written to (``add`` and ``drop`` forget it)."""
        if self._count is None:
            self._count = self.count()
        return self._count

    def add(self, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        self._count, self.exact = None, None
        batch = int(self._client.get_max_batch_size())
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self._collection.add(
                ids=[c.id for c in part],
                embeddings=vectors[i : i + batch],
                documents=[c.text for c in part],
                metadatas=[chunk_metadata(c) for c in part],
            )

    def get_vectors(self, ids: Sequence[str]) -> dict[str, Vectors]:
        found: dict[str, Vectors] = {}
        batch = int(self._client.get_max_batch_size())
        for i in range(0, len(ids), batch):
            got = self._collection.get(ids=list(ids[i : i + batch]), include=["embeddings"])
            for cid, vec in zip(got["ids"], got["embeddings"], strict=True):
                found[cid] = np.asarray(vec, dtype=np.float32)
        return found

    def _read_all(self) -> ExactVectors:
        ids: list[str] = []
        vectors: list[Vectors] = []
        metadatas: list[dict[str, Any]] = []
        batch = int(self._client.get_max_batch_size())
        for offset in range(0, self._known_count(), batch):
            got = self._collection.get(include=["embeddings", "metadatas"], limit=batch, offset=offset)
            ids += got["ids"]
            vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
            metadatas += [dict(m or {}) for m in got["metadatas"]]
        return ExactVectors(ids, np.vstack(vectors), metadatas)

    def query(self, vector: Vectors, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk id, cosine similarity) among the chunks that pass ``where``, most similar first."""
        n = min(k, self._known_count())
        if n <= 0:
            return []
        try:
            if self.exact is not None:
                return self.exact.query(vector, n, where)
            if where:
                found = self._post_filtered(vector, n, where)
                if found is not None:
                    return found
        except UnsupportedFilterError:
            pass  # Chroma reads it
        hits, _ = self._chroma_query(vector, n, where)
        return hits

    def _chroma_query(
        self, vector: Vectors, n: int, where: dict[str, Any] | None, *, metadatas: bool = False
    ) -> tuple[list[tuple[str, float]], list[dict[str, Any]]]:
        """Chroma's top n, with each hit's metadata when asked for."""
        include = ["distances", "metadatas"] if metadatas else ["distances"]
        res = self._guarded(
            lambda: self._collection.query(query_embeddings=[vector], n_results=n, where=where or None, include=include)
        )
        hits = [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]
        return hits, [dict(m or {}) for m in res["metadatas"][0]] if metadatas else []

    def _post_filtered(self, vector: Vectors, n: int, where: dict[str, Any]) -> list[tuple[str, float]] | None:
        """The top n that pass ``where`` among the unfiltered top candidates, or None when fewer than n of the
        first POST_FILTER_MAX pass (Chroma's filtered query then finds them)."""
        total = self._known_count()
        fetch = min(total, n * POST_FILTER_FACTOR)
        while True:
            hits, metadatas = self._chroma_query(vector, fetch, None, metadatas=True)
            kept = [hit for hit, meta in zip(hits, metadatas, strict=True) if where_matches(meta, where)]
            if len(kept) >= n or fetch >= total:
                return kept[:n]
            if fetch >= POST_FILTER_MAX:
                return None
            fetch = min(total, POST_FILTER_MAX, fetch * POST_FILTER_FACTOR)

    def drop(self) -> None:
        self._count, self.exact = None, None
        self._client.delete_collection(self.location.collection)


def chunk_metadata(c: Chunk) -> dict[str, str | int]:
    """What the collection keeps with a chunk's vector (filters read it)."""
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
