"""Ingestion: one loader per format (Markdown, HTML, PDF, text) and the site crawler."""

from guidebot.ingest.corpus import FileReport, LoadResult, load_corpus

__all__ = ["FileReport", "LoadResult", "load_corpus"]
