"""BM25 over chunks, one index per language, each stemmed with that language's Snowball stemmer.

Tokens are lower-cased, stop words dropped, stemmed (facturer/factures/facturation -> factur), then stripped
of accents, so a question typed without accents ("deja", "creances") still matches.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
import stopwordsiso

# bm25s forces its logger to DEBUG when imported; let it follow the application's logging instead.
logging.getLogger("bm25s").setLevel(logging.NOTSET)

STEMMER_FOR = {"fr": "french", "nl": "dutch", "en": "english"}
_WORD = re.compile(r"\w+", re.UNICODE)


def _unaccent(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=8)
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(STEMMER_FOR.get(lang, "french"))


@lru_cache(maxsize=8)
def _stopwords(lang: str) -> frozenset[str]:
    words = {w.lower() for w in stopwordsiso.stopwords(lang)} if stopwordsiso.has_lang(lang) else set()
    return frozenset(words | {_unaccent(w) for w in words})


def tokenize(text: str, lang: str) -> list[str]:
    """Lower-case words of two characters or more (or digits), without stop words, stemmed, unaccented."""
    stop = _stopwords(lang)
    words = [w for w in _WORD.findall(text.lower()) if (len(w) > 1 or w.isdigit()) and w not in stop]
    stems = _stemmer(lang).stemWords(words)
    # a word can vanish once unaccented (a Thai digit, say); bm25s keeps "" for itself and fails on it
    return [u for u in (_unaccent(s) for s in stems) if u]


class LexicalIndex:
    """BM25 indexes keyed by language; scores chunks by id."""

    def __init__(self, by_lang: dict[str, tuple[bm25s.BM25, list[str]]]) -> None:
        self._by_lang = by_lang

    @property
    def languages(self) -> list[str]:
        return sorted(self._by_lang)

    @classmethod
    def build(cls, chunks: Sequence[tuple[str, str, str]]) -> LexicalIndex:
        """chunks: (chunk id, language, text to index)."""
        grouped: dict[str, list[tuple[str, list[str]]]] = {}
        for chunk_id, lang, text in chunks:
            grouped.setdefault(lang, []).append((chunk_id, tokenize(text, lang)))
        by_lang: dict[str, tuple[bm25s.BM25, list[str]]] = {}
        for lang, items in grouped.items():
            model = bm25s.BM25()
            model.index([toks or ["\u2205"] for _, toks in items], show_progress=False)
            by_lang[lang] = (model, [cid for cid, _ in items])
        return cls(by_lang)

    def save(self, folder: Path) -> None:
        for lang, (model, ids) in self._by_lang.items():
            target = folder / lang
            target.mkdir(parents=True, exist_ok=True)
            model.save(str(target), show_progress=False)
            (target / "chunk_ids.json").write_text(json.dumps(ids), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        by_lang: dict[str, tuple[bm25s.BM25, list[str]]] = {}
        if folder.is_dir():
            for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
                model = bm25s.BM25.load(str(sub), show_progress=False)
                ids = json.loads((sub / "chunk_ids.json").read_text(encoding="utf-8"))
                by_lang[sub.name] = (model, ids)
        return cls(by_lang)

    def search(self, query: str, lang: str, k: int, *, doc_lang: str | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk id, score) among chunks of ``doc_lang`` (default: the query's language),
        with the query stemmed for ``lang``. Chunks with a zero score are not returned."""
        target = doc_lang or lang
        if target not in self._by_lang:
            return []
        model, ids = self._by_lang[target]
        tokens = tokenize(query, lang)
        if not tokens:
            return []
        scores = np.asarray(model.get_scores(tokens), dtype=np.float32)
        top = np.argsort(-scores, kind="stable")[:k]
        return [(ids[i], float(scores[i])) for i in top if scores[i] > 0]
