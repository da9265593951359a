"""The served collection's dense search: exact in memory for a small collection, Chroma's HNSW for a big one,
and filters read the same way by Chroma, by the in-memory mask and by the post-filter."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from guidebot.documents import TOOLS, Chunk
from guidebot.index import vectors as vectors_module
from guidebot.index.exact import ExactVectors, UnsupportedFilterError, where_matches
from guidebot.index.vectors import VectorLocation, VectorStore, chunk_metadata
from guidebot.retrieval.search import SearchFilters

DIM = 16
SOURCES = ("guide", "contract", "report")
LANGS = ("fr", "nl", "en")
FILTERS = [
    SearchFilters(**dict(zip(("tool", "source", "lang"), combo, strict=True)))
    for combo in itertools.product((None, "3en1", "activite"), (None, *SOURCES), (None, *LANGS))
]


def _chunks(n: int) -> list[Chunk]:
    return [
        Chunk(
            id=f"doc-{i // 3}#{i % 3}",
            doc_id=f"doc-{i // 3}",
            n=i % 3,
            text=f"passage {i}",
            section="",
            title=f"Article {i // 3}",
            url="https://www.smart.coop",
            source=SOURCES[i % 3],
            lang=LANGS[(i // 3) % 3],
            updated="2026-12-01",
            tokens=2,
            tool=(*TOOLS, None)[i % 4],
        )
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Chunk], np.ndarray]:
    folder = tmp_path_factory.mktemp("vectors")
    chunks = _chunks(240)
    vecs = np.random.default_rng(3).normal(size=(len(chunks), DIM)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    VectorStore(VectorLocation("local", "test"), folder, create=True).add(chunks, vecs)
    return folder, chunks, vecs


def _queries(n: int = 12) -> np.ndarray:
    q = np.random.default_rng(5).normal(size=(n, DIM)).astype(np.float32)
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def test_where_reads_every_search_filter_as_the_searcher_accepts_chunks() -> None:
    for f, chunk in itertools.product(FILTERS, _chunks(48)):
        where = f.where()
        assert (where is None or where_matches(chunk_metadata(chunk), where)) == f.accepts(chunk), (f, chunk.id)


def test_where_operators() -> None:
    meta = {"tool": "both", "lang": "fr", "n": 2}
    assert where_matches(meta, {"lang": {"$ne": "nl"}}) and not where_matches(meta, {"lang": {"$ne": "fr"}})
    assert where_matches(meta, {"tool": {"$nin": ["3en1"]}}) and not where_matches(meta, {"n": {"$in": [1, 3]}})
    assert where_matches(meta, {"$or": [{"lang": "nl"}, {"n": 2}]})
    assert not where_matches(meta, {"$and": [{"lang": "fr"}, {"n": {"$eq": 3}}]})
    assert not where_matches(meta, {"missing": "x"})
    for unsupported in ({"n": {"$gt": 1}}, {"$not": {"lang": "fr"}}, {"$and": []}, {"n": {"$in": 2}}):
        with pytest.raises(UnsupportedFilterError):
            where_matches(meta, unsupported)


def test_exact_search_returns_chromas_hits_for_every_filter(collection: tuple[Path, list[Chunk], np.ndarray]) -> None:
    folder, chunks, _vecs = collection
    chroma = VectorStore(VectorLocation("local", "test"), folder)
    exact = VectorStore(VectorLocation("local", "test"), folder, exact_max_chunks=len(chunks))
    assert chroma.exact is None and exact.exact is not None and len(exact.exact) == len(chunks)
    compared = 0
    for q, f in itertools.product(_queries(), FILTERS):
        want = chroma.query(q, 10, where=f.where())
        got = exact.query(q, 10, where=f.where())
        assert [cid for cid, _ in got] == [cid for cid, _ in want], f
        assert np.allclose([s for _, s in got], [s for _, s in want], atol=1e-5)
        compared += bool(want)
    assert compared > len(FILTERS)  # most filters keep chunks; some keep none, and both say so


def test_exact_search_is_the_true_top_k() -> None:
    rng = np.random.default_rng(7)
    vecs = rng.normal(size=(50, DIM)).astype(np.float32) * rng.uniform(0.5, 3, size=(50, 1)).astype(np.float32)
    metas = [{"tool": "activite" if i % 2 else "3en1"} for i in range(50)]
    index = ExactVectors([f"c{i}" for i in range(50)], vecs, metas)
    q = rng.normal(size=DIM).astype(np.float32)
    cos = (vecs @ q) / np.linalg.norm(vecs, axis=1) / np.linalg.norm(q)
    assert [cid for cid, _ in index.query(q, 5)] == [f"c{i}" for i in np.argsort(-cos)[:5]]
    odd = [i for i in np.argsort(-cos) if i % 2][:5]
    assert [cid for cid, _ in index.query(q, 5, {"tool": "activite"})] == [f"c{i}" for i in odd]
    assert np.allclose([s for _, s in index.query(q, 50)], np.sort(cos)[::-1], atol=1e-6)
    assert len(index.query(q, 80, {"tool": "activite"})) == 25
    assert index.query(q, 5, {"tool": "none"}) == []


def test_a_collection_above_the_limit_is_searched_by_chroma_and_post_filtered(
    collection: tuple[Path, list[Chunk], np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, chunks, _vecs = collection
    store = VectorStore(VectorLocation("local", "test"), folder, exact_max_chunks=len(chunks) - 1)
    assert store.exact is None
    asked: list[tuple[int, bool]] = []
    chroma_query = store._chroma_query

    def spy(vector: np.ndarray, n: int, where: object, **kw: bool) -> object:
        asked.append((n, where is not None))
        return chroma_query(vector, n, where, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "_chroma_query", spy)
    exact = ExactVectors([c.id for c in chunks], _vecs, [chunk_metadata(c) for c in chunks])
    for q in _queries():
        where = SearchFilters(tool="activite").where()
        asked.clear()
        assert [c for c, _ in store.query(q, 10, where)] == [c for c, _ in exact.query(q, 10, where)]
        assert asked == [(10 * vectors_module.POST_FILTER_FACTOR, False)]  # one unfiltered query, filtered here
    # a filter that keeps fewer than k of the first POST_FILTER_MAX candidates goes to Chroma's filtered query
    monkeypatch.setattr(vectors_module, "POST_FILTER_MAX", 40)
    where = SearchFilters(tool="3en1", source="report", lang="en").where()
    asked.clear()
    got = store.query(_queries()[0], 10, where)
    assert asked == [(40, False), (10, True)]
    assert [c for c, _ in got] == [c for c, _ in exact.query(_queries()[0], 10, where)]
    # an operator read only by Chroma
    asked.clear()
    store.query(_queries()[0], 5, {"n": {"$gt": 0}})
    assert asked[-1] == (5, True)


def test_a_store_written_to_forgets_its_vectors_in_memory(tmp_path: Path) -> None:
    chunks = _chunks(6)
    vecs = np.eye(6, DIM, dtype=np.float32)
    VectorStore(VectorLocation("local", "written"), tmp_path, create=True).add(chunks[:3], vecs[:3])
    store = VectorStore(VectorLocation("local", "written"), tmp_path, exact_max_chunks=100)
    assert store.exact is not None
    store.add(chunks[3:], vecs[3:])
    assert store.exact is None and [c for c, _ in store.query(vecs[4], 1)] == [chunks[4].id]
