"""Offline language detection for French, Dutch and English questions."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

DEFAULT_LANG = "fr"  # Smart's main language: the fallback when a question is too short to tell.


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.FRENCH, Language.DUTCH, Language.ENGLISH).build()


def detect_language(text: str, default: str = DEFAULT_LANG) -> str:
    """'fr', 'nl' or 'en'; ``default`` when the text gives too little to decide."""
    if len(text.strip()) < 3:
        return default
    from lingua import Language

    lang = _detector().detect_language_of(text)
    codes = {Language.FRENCH: "fr", Language.DUTCH: "nl", Language.ENGLISH: "en"}
    return codes.get(lang, default) if lang is not None else default
