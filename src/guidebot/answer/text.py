"""Question key terms and figures, for the refusal gate, the extractive writer and the citation check."""

from __future__ import annotations

import re

from guidebot.chunking.units import Unit, clean_inline, split_units
from guidebot.index.lexical import tokenize

__all__ = ["GENERIC_TERMS", "Unit", "clean_inline", "has_digit", "key_terms", "numbers_in", "split_units", "years_in"]

_NUMBER = re.compile(r"\d")

# Words too common in this corpus to tell whether a passage answers a question.
GENERIC_TERMS = {
    "fr": {"smart", "membr", "question", "savoir", "pouv", "fair", "quoi", "chez", "comment", "combien", "quand"},
    "nl": {"smart", "led", "vraag", "wet", "kun", "mag", "hoe", "wanner", "hoevel"},
    "en": {"smart", "member", "question", "know", "can", "get", "how", "much", "when"},
}


def key_terms(text: str, lang: str) -> set[str]:
    """Stemmed content words of a question, without words that every passage shares."""
    return {t for t in tokenize(text, lang) if t not in GENERIC_TERMS.get(lang, set())}


def numbers_in(text: str) -> set[str]:
    """Figures and years a question names (two digits or more), normalised: '76,70' and '76.70' match."""
    return {m.replace(",", ".").replace(" ", "") for m in re.findall(r"\d[\d ]*[.,]?\d+", text) if len(m) >= 2}


def has_digit(text: str) -> bool:
    return bool(_NUMBER.search(text))


YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def years_in(text: str) -> frozenset[str]:
    """The years a text names (1900-2099)."""
    return frozenset(YEAR.findall(text))


def figures_asked(text: str) -> set[str]:
    """Years and decimal amounts a question names ('2024', '79,63'): an answer must contain them.

    Plain counts ("10 parts") are left out: an answer can be right without repeating them.
    """
    years = set(years_in(text))
    amounts = {m.replace(",", ".") for m in re.findall(r"\b\d+[,.]\d{2}\b", text)}
    return years | amounts


# A rule of Smart in another country is never the answer to a Belgian member who did not ask about abroad.
_FOREIGN = re.compile(
    r"\b(allemand\w*|allemagne|smartde|su[èe]de|su[ée]dois\w*|smart france|en france|german\w*|germany|swed\w+"
    r"|duits\w*|duitsland|zweeds\w*|zweden|smartfr|scic)\b",
    re.IGNORECASE,
)
_ABROAD = re.compile(
    r"\b(europ\w*|[ée]tranger|abroad|buitenland\w*|autres? pays|other countr\w+|andere landen|international\w*)\b",
    re.IGNORECASE,
)


def is_foreign(text: str) -> bool:
    """Does the text state a rule or fact of Smart in another country?"""
    return bool(_FOREIGN.search(text))


def asks_abroad(question: str) -> bool:
    """Does the question ask about another country (or Smart abroad)?"""
    return bool(_FOREIGN.search(question) or _ABROAD.search(question))
