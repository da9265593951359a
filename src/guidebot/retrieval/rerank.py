"""An optional reranker: a sentence-transformers CrossEncoder loaded from a local folder.

Off by default: no multilingual cross-encoder ships on PyPI (offline-stack.md), and an English one would
reorder French passages badly. A deployment that has one (e.g. a bge-reranker folder) sets
``GUIDEBOT_RERANKER_PATH``; the searcher then reorders its fused candidates by the model's scores.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol


class Reranker(Protocol):
    """Scores (query, passage text) pairs; higher is more relevant."""

    def scores(self, query: str, texts: list[str]) -> list[float]: ...


class CrossEncoderReranker:
    """sentence-transformers' CrossEncoder from a local model folder (never downloaded)."""

    def __init__(self, model_path: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import CrossEncoder

        if not model_path.is_dir():
            raise FileNotFoundError(f"reranker model folder not found: {model_path}")
        self._model: Any = CrossEncoder(str(model_path), device="cpu", local_files_only=True)

    def scores(self, query: str, texts: list[str]) -> list[float]:
        if not texts:
            return []
        return [float(s) for s in self._model.predict([(query, t) for t in texts], show_progress_bar=False)]
