"""Offline language detection for French, Dutch and English questions.

lingua (models inside its wheel) is accurate on full sentences but unsure on the short, informal questions
members type ("smart c une agence interim non" comes out English). Its confidence is combined with two
things it lacks: function words that belong to one of the three languages only, and a prior for the
conversation's language (or French, Smart's main language, when a conversation starts). A question with
fewer than two words takes the prior.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from guidebot.documents import LANGS

DEFAULT_LANG = "fr"

_CUES = {
    "fr": {
        "je",
        "j",
        "mon",
        "ma",
        "mes",
        "est",
        "une",
        "des",
        "les",
        "pour",
        "quand",
        "combien",
        "comment",
        "quel",
        "quelle",
        "quels",
        "faut",
        "puis",
        "dois",
        "avec",
        "sur",
        "merci",
        "bonjour",
        "oui",
        "non",
        "c",
        "qu",
        "du",
        "au",
        "aux",
        "et",
        "ou",
        "vous",
        "suis",
        "peux",
        "cb",
        "outil",
        "part",
        "salaire",
        "facture",
    },
    "nl": {
        "ik",
        "mijn",
        "het",
        "een",
        "wanneer",
        "hoeveel",
        "hoe",
        "wat",
        "welke",
        "moet",
        "kan",
        "voor",
        "van",
        "zijn",
        "niet",
        "bedankt",
        "dank",
        "je",
        "jij",
        "wordt",
        "word",
        "ook",
        "naar",
        "bij",
        "loon",
        "aandeel",
    },
    "en": {
        "i",
        "my",
        "the",
        "how",
        "what",
        "when",
        "much",
        "many",
        "does",
        "do",
        "can",
        "for",
        "of",
        "and",
        "thanks",
        "please",
        "which",
        "am",
        "get",
        "paid",
        "share",
        "who",
        "where",
        "why",
        "you",
        "is",
    },
}
# Scales, chosen on the golden set's dev split (evals/): a cue word weighs a little more than a tenth of
# lingua's confidence range; the prior breaks near-ties in favour of the conversation's language.
CUE_WEIGHT = 0.12
CONVERSATION_PRIOR = 0.15
DEFAULT_PRIOR = 0.10
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.FRENCH, Language.DUTCH, Language.ENGLISH).build()


def detect_language(text: str, previous: str | None = None) -> str:
    """'fr', 'nl' or 'en' for a question; ``previous`` is the conversation's language, if any."""
    prior_lang = previous if previous in LANGS else DEFAULT_LANG
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 2:
        return prior_lang
    from lingua import Language

    codes = {Language.FRENCH: "fr", Language.DUTCH: "nl", Language.ENGLISH: "en"}
    scores = dict.fromkeys(LANGS, 0.0)
    for value in _detector().compute_language_confidence_values(text):
        scores[codes[value.language]] = float(value.value)
    for lang, cues in _CUES.items():
        scores[lang] += CUE_WEIGHT * sum(1 for w in words if w in cues)
    scores[prior_lang] += CONVERSATION_PRIOR if previous in LANGS else DEFAULT_PRIOR
    return max(LANGS, key=lambda lang: scores[lang])
