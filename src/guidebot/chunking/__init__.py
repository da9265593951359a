"""Chunking: heading-aware, token-sized passages with deterministic ids."""

from guidebot.chunking.chunker import Chunker, ChunkerConfig

__all__ = ["Chunker", "ChunkerConfig"]
