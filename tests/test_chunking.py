"""Heading-aware, token-sized chunks with stable ids."""

from __future__ import annotations

from guidebot.chunking import Chunker, ChunkerConfig
from guidebot.documents import Document


def _doc(text: str, doc_id: str = "facturer") -> Document:
    return Document(
        id=doc_id,
        title="Facturer",
        url="https://smartbe.be/fr/faq/",
        source="guide",
        lang="fr",
        updated="2026-11-29",
        text=text,
        path="a.md",
    )


TEXT = """# Facturer

Introduction courte.

## Délais de paiement

Entre entreprises, le délai convenu ne dépasse pas 60 jours.

### Retards

Des intérêts sont dus de plein droit.

## Rappels

Smart envoie les rappels.
"""


def test_sections_paths_and_ids(cache_dir):
    chunks = Chunker(ChunkerConfig(), cache_dir).chunk(_doc(TEXT))
    assert [(c.id, c.section) for c in chunks] == [
        ("facturer#0", ""),
        ("facturer#1", "Délais de paiement"),
        ("facturer#2", "Délais de paiement > Retards"),
        ("facturer#3", "Rappels"),
    ]
    assert chunks[2].text == "Des intérêts sont dus de plein droit."
    assert chunks[2].embed_text.startswith("Facturer — Délais de paiement > Retards\n")


def test_chunk_ids_and_hashes_are_stable_across_runs(cache_dir):
    a = Chunker(ChunkerConfig(), cache_dir).chunk(_doc(TEXT))
    b = Chunker(ChunkerConfig(), cache_dir).chunk(_doc(TEXT))
    assert [(c.id, c.hash) for c in a] == [(c.id, c.hash) for c in b]
    changed = Chunker(ChunkerConfig(), cache_dir).chunk(_doc(TEXT.replace("60 jours", "30 jours")))
    assert [c.hash == d.hash for c, d in zip(a, changed, strict=True)] == [True, False, True, True]


def test_long_sections_are_split_within_the_token_budget(cache_dir):
    para = " ".join(f"Phrase numéro {i} sur la facturation des prestations." for i in range(200))
    chunker = Chunker(ChunkerConfig(chunk_tokens=120, chunk_overlap_tokens=20), cache_dir)
    chunks = chunker.chunk(_doc(f"## Long\n\n{para}\n\n## Court\n\nFin."))
    long = [c for c in chunks if c.section == "Long"]
    assert len(long) > 5
    assert all(c.tokens <= 120 for c in chunks)
    assert chunks[-1].section == "Court" and chunks[-1].text == "Fin."
    assert [c.n for c in chunks] == list(range(len(chunks)))


def test_a_long_table_is_split_by_rows_with_title_and_header_repeated(cache_dir):
    rows = "\n".join(f"| Bureau {i} | {i * 10} membres |" for i in range(80))
    text = f"## Bureaux\n\n**Tableau : membres par bureau, 2023**\n\n| Bureau | Membres |\n|---|---|\n{rows}\n"
    chunks = Chunker(ChunkerConfig(chunk_tokens=100, chunk_overlap_tokens=0), cache_dir).chunk(_doc(text))
    assert len(chunks) > 3
    for c in chunks:
        lines = c.text.splitlines()
        assert lines[0] == "**Tableau : membres par bureau, 2023**"
        assert lines[2:4] == ["| Bureau | Membres |", "|---|---|"]
        assert c.tokens <= 100
    body = [ln for c in chunks for ln in c.text.splitlines()[4:]]
    assert body == rows.splitlines()


def test_pdf_page_markers_give_chunk_pages(cache_dir):
    text = "<!-- page: 1 -->\n\nPage un.\n\n<!-- page: 2 -->\n\n## Comptes\n\nPage deux."
    chunks = Chunker(ChunkerConfig(), cache_dir).chunk(_doc(text))
    assert [(c.page, c.text) for c in chunks] == [(1, "Page un."), (2, "Page deux.")]
    assert "page:" not in " ".join(c.text for c in chunks)
