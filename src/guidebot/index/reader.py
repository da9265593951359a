"""Open the served version of an index: its manifest, chunks, vectors and BM25 indexes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from guidebot.config import Settings
from guidebot.documents import Chunk
from guidebot.errors import EmbedderMismatchError, IndexMissingError, IndexUnavailableError
from guidebot.index import layout
from guidebot.index.embedders import Embedder
from guidebot.index.layout import check_embedder, read_chunks, read_manifest
from guidebot.index.lexical import LexicalIndex
from guidebot.index.vectors import VectorLocation, VectorStore


@dataclass
class IndexSnapshot:
    """One complete, immutable version of the index, as served."""

    version_dir: Path
    manifest: dict[str, Any]
    chunks: dict[str, Chunk]
    vectors: VectorStore
    lexical: LexicalIndex

    unit_vectors: np.ndarray | None = None
    unit_offsets: dict[str, list[int]] | None = None

    @property
    def build_id(self) -> str:
        return str(self.manifest["build_id"])

    def units_of(self, chunk_id: str) -> np.ndarray | None:
        """Vectors of the chunk's units (in split_units order), or None for an index built without them."""
        if self.unit_vectors is None or self.unit_offsets is None or chunk_id not in self.unit_offsets:
            return None
        start, count = self.unit_offsets[chunk_id]
        return np.asarray(self.unit_vectors[start : start + count])


def index_exists(settings: Settings) -> bool:
    return layout.current_version_dir(settings.index_root) is not None


def open_index(settings: Settings, embedder: Embedder | None = None) -> IndexSnapshot:
    """Open the version CURRENT points at; refuses one built with another embedder.

    If the version is replaced and removed while it is being opened, the new current one is opened instead.
    """
    root = settings.index_root
    for _attempt in range(3):
        build_id = layout.current_build_id(root)
        version_dir = layout.current_version_dir(root)
        if version_dir is None:
            raise IndexMissingError(f"no index in {root}: build it with `guidebot index`")
        try:
            return _open_version(version_dir, embedder, settings.chroma_timeout_s, settings.exact_search_max_chunks)
        except (EmbedderMismatchError, IndexUnavailableError):
            raise
        except Exception:
            if layout.current_build_id(root) == build_id:
                raise
    raise IndexMissingError(f"the index in {root} kept changing while it was opened; try again")


def _open_version(
    version_dir: Path, embedder: Embedder | None, timeout_s: float, exact_max_chunks: int
) -> IndexSnapshot:
    manifest = read_manifest(version_dir)
    if embedder is not None:
        check_embedder(manifest, embedder)
    chunks = {c.id: c for c in read_chunks(version_dir)}
    location = VectorLocation.from_dict(manifest["vectors"])
    vectors = VectorStore(location, version_dir, timeout_s=timeout_s, exact_max_chunks=exact_max_chunks)
    lexical = LexicalIndex.load(version_dir / layout.LEXICAL)
    snapshot = IndexSnapshot(version_dir, manifest, chunks, vectors, lexical)
    if (version_dir / layout.UNIT_INDEX).is_file():
        snapshot.unit_vectors = np.load(version_dir / layout.UNIT_VECTORS)
        snapshot.unit_offsets = json.loads((version_dir / layout.UNIT_INDEX).read_text(encoding="utf-8"))["offsets"]
    return snapshot
