"""The one place the answer engine is assembled, for the server, the command line and the benchmarks."""

from __future__ import annotations

from guidebot.answer.engine import AnswerEngine
from guidebot.config import Settings
from guidebot.errors import GuidebotError
from guidebot.index.embedders import Embedder
from guidebot.index.reader import open_index


def build_engine(settings: Settings, embedder: Embedder, writer: str | None = None) -> AnswerEngine:
    """The engine on the served index version, with the generative writers the settings make available when
    an LLM URL is set or a generative ``writer`` (default: ``settings.answer_writer``) is asked for. With an
    LLM configured, follow-ups are rewritten by it, whatever writer answers."""
    from guidebot.answer.llm import LLMQueryRewriter, build_writers

    writer = writer or settings.answer_writer
    writers = build_writers(settings) if settings.llm_base_url or writer != "extractive" else {}
    if writer not in ("extractive", *writers):
        raise GuidebotError(f"writer {writer!r} is not available: set GUIDEBOT_LLM_BASE_URL for 'openai'")
    rewriter = LLMQueryRewriter(writers["openai"]) if "openai" in writers else None
    return AnswerEngine(settings, embedder, open_index(settings, embedder), dict(writers), rewriter)
