"""Incremental builds: unchanged, changed, shortened, removed, renamed; errors keep indexed content."""

from __future__ import annotations

import json

import pytest

from conftest import article
from guidebot.errors import EmbedderMismatchError, IndexMissingError, NothingIndexedError
from guidebot.index import layout
from guidebot.index.builder import IndexBuilder
from guidebot.index.reader import open_index
from guidebot.retrieval.search import HybridSearcher

PART = """
## Prix d'une part

Une part de la coopérative coûte 30 euros.

## Nombre de parts

Il faut au moins une part par année d'utilisation des services.
"""
SALAIRE = """
## Quand le salaire est-il versé ?

Smart verse le salaire dans les sept jours ouvrables qui suivent la prestation.
"""
TVA = """
## Numéro de TVA

Les membres facturent avec le numéro de TVA de Smart.
"""


def _ids(settings, embedder):
    snap = open_index(settings, embedder)
    return set(snap.chunks), snap


def _vector_ids(snap):
    return set(snap.vectors._collection.get(include=[])["ids"])


@pytest.fixture
def corpus(write):
    write("societariat/part.md", article("societariat-part", PART))
    write("salaire/salaire.md", article("salaire-versement", SALAIRE))
    write("facturation/tva.md", article("facturation-tva", TVA))


def test_incremental_cases(settings, embedder, corpus, write):
    settings = settings.model_copy(update={"prune_grace_s": 0.0})
    builder = IndexBuilder(settings, embedder)
    first = builder.build()
    assert first.switched and sorted(first.added) == ["facturation-tva", "salaire-versement", "societariat-part"]
    assert first.embedded_chunks == first.chunks == 4

    # Nothing changed: no new version, nothing embedded.
    again = builder.build()
    assert not again.switched and again.embedded_chunks == 0 and again.build_id == first.build_id

    # Changed article: only its changed chunk is embedded; the others are reused.
    write("salaire/salaire.md", article("salaire-versement", SALAIRE.replace("sept", "7")))
    changed = builder.build()
    assert changed.changed == ["salaire-versement"] and changed.embedded_chunks == 1
    assert changed.reused_chunks == 3

    # Shortened article: its vanished chunk is gone from chunks, vectors and BM25.
    write("societariat/part.md", article("societariat-part", PART.split("## Nombre")[0]))
    builder.build()
    ids, snap = _ids(settings, embedder)
    assert "societariat-part#1" not in ids and "societariat-part#1" not in _vector_ids(snap)

    # Removed article and renamed id: no stale chunk survives anywhere.
    (settings.corpus_dir / "facturation" / "tva.md").unlink()
    write(
        "salaire/salaire.md", article("salaire-date-versement", SALAIRE.replace("sept", "7"), title="Salaire versement")
    )
    report = builder.build()
    assert sorted(report.removed) == ["facturation-tva", "salaire-versement"]
    assert report.added == ["salaire-date-versement"] and report.embedded_chunks == 0  # same text: vector reused
    ids, snap = _ids(settings, embedder)
    assert ids == {"societariat-part#0", "salaire-date-versement#0"} == _vector_ids(snap)
    searcher = HybridSearcher(snap, embedder, settings)
    hits = {p.chunk.doc_id for p in searcher.search("numéro de TVA de Smart", k=5)}
    assert "facturation-tva" not in hits
    manifest = json.loads((snap.version_dir / "manifest.json").read_text())
    assert set(manifest["documents"]) == {"societariat-part", "salaire-date-versement"}
    assert manifest["embedder"] == {"name": embedder.name, "dim": 384}
    assert manifest["counts"]["chunks"] == 2 and manifest["chunker"]["encoding"] == "cl100k_base"

    # Only the serving version and the one before it are kept (once the grace period is over: 0 here).
    assert len(list(layout.versions_dir(settings.index_root).iterdir())) == 2
    graced = IndexBuilder(settings.model_copy(update={"prune_grace_s": 3600.0}), embedder)
    write("facturation/tva.md", article("facturation-tva", TVA))
    graced.build()
    write("facturation/tva.md", article("facturation-tva", TVA + "\nUne phrase de plus."))
    graced.build()
    assert len(list(layout.versions_dir(settings.index_root).iterdir())) == 4  # replaced just now: kept


def test_a_file_that_breaks_keeps_its_indexed_content(settings, embedder, corpus, write):
    builder = IndexBuilder(settings, embedder)
    builder.build()
    write("salaire/salaire.md", "---\nid: [broken yaml\n---\nTexte\n")
    report = builder.build()
    assert report.kept_after_error == ["salaire-versement"] and not report.removed
    assert [f.path for f in report.errors] == ["salaire/salaire.md"]
    ids, _ = _ids(settings, embedder)
    assert "salaire-versement#0" in ids


def test_duplicate_ids_keep_the_indexed_file(settings, embedder, corpus, write):
    builder = IndexBuilder(settings, embedder)
    builder.build()
    write("aaa/copy.md", article("salaire-versement", "## Autre\n\nUn autre texte qui réutilise l'id."))
    report = builder.build()
    (dup,) = report.errors
    assert dup.path == "aaa/copy.md" and "duplicate id 'salaire-versement'" in dup.message
    snap = open_index(settings, embedder)
    assert "sept jours ouvrables" in snap.chunks["salaire-versement#0"].text


def test_nothing_loadable_is_an_error_and_writes_nothing(settings, embedder, write):
    write("bad.md", "no front matter")
    with pytest.raises(NothingIndexedError):
        IndexBuilder(settings, embedder).build()
    with pytest.raises(IndexMissingError):
        open_index(settings, embedder)


def test_index_built_with_another_embedder_is_refused(settings, embedder, corpus):
    IndexBuilder(settings, embedder).build()

    class Other:
        name = "sentence-transformers:other-model"
        dim = 384

        def embed_passages(self, texts):  # pragma: no cover - never reached
            raise AssertionError

        def embed_query(self, text):  # pragma: no cover - never reached
            raise AssertionError

    with pytest.raises(EmbedderMismatchError, match="guidebot index --full"):
        open_index(settings, Other())
    with pytest.raises(EmbedderMismatchError):
        IndexBuilder(settings, Other()).build()


def test_search_ranks_the_answering_passage_first(settings, embedder, corpus):
    IndexBuilder(settings, embedder).build()
    searcher = HybridSearcher(open_index(settings, embedder), embedder, settings)
    top = searcher.search("Combien coûte une part ?", k=3)[0]
    assert top.chunk.id == "societariat-part#0"
    assert top.dense_rank == 1 and top.lexical_rank == 1
    nl = searcher.search("Wanneer wordt mijn loon betaald?", k=1)[0]
    assert nl.chunk.doc_id == "salaire-versement" and nl.lexical_rank is None  # no Dutch passages for BM25
