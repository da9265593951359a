"""The naive LangChain pipeline the eval compares guidebot with.

What a tutorial builds: LangChain's RecursiveCharacterTextSplitter (1,000 characters, 200 overlap), a
dense-only Chroma collection with the same embedder, the top 4 passages, no follow-up rewrite, no refusal
gate; the answer is written by the same extractive writer and passes the same citation check, so the
difference measured is retrieval and gating alone.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from guidebot.answer.analysis import TermWeights, analyse_question, build_evidence
from guidebot.answer.citations import check_citations
from guidebot.answer.engine import AnswerResult
from guidebot.answer.messages import refusal
from guidebot.answer.ranker import HeuristicRanker
from guidebot.answer.writers import ExtractiveWriter
from guidebot.config import Settings
from guidebot.documents import Chunk, Turn
from guidebot.index.embedders import Embedder
from guidebot.ingest import load_corpus
from guidebot.retrieval.language import detect_language
from guidebot.retrieval.search import Passage, SearchFilters, SearchResult

TOP_K = 4


class NaivePipeline:
    """Split, embed, store, retrieve top 4, answer: nothing else. Duck-types the engine for the eval runner."""

    def __init__(self, settings: Settings, embedder: Embedder, corpus_dir: Path) -> None:
        self.settings = settings
        self.embedder = embedder
        self.searcher = self
        self.writer: ExtractiveWriter | None = None
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        self.chunks: dict[str, Chunk] = {}
        for doc in load_corpus(corpus_dir).documents:
            for n, piece in enumerate(splitter.split_text(doc.text)):
                chunk = Chunk(
                    id=f"{doc.id}#{n}",
                    doc_id=doc.id,
                    n=n,
                    text=piece,
                    section="",
                    title=doc.title,
                    url=doc.url,
                    source=doc.source,
                    lang=doc.lang,
                    updated=doc.updated,
                    tokens=0,
                )
                self.chunks[chunk.id] = chunk
        self.weights = TermWeights(self.chunks.values())
        self.writer = ExtractiveWriter(settings, self.weights)
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        name = f"naive-{time.time_ns()}"
        self.collection: Any = client.create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        ids = list(self.chunks)
        vectors = embedder.embed_passages([self.chunks[i].text for i in ids])
        batch = int(client.get_max_batch_size())
        for start in range(0, len(ids), batch):
            self.collection.add(ids=ids[start : start + batch], embeddings=vectors[start : start + batch])

    def retrieve(
        self, query: str, k: int | None = None, lang: str | None = None, filters: SearchFilters | None = None
    ) -> SearchResult:
        res = self.collection.query(
            query_embeddings=[self.embedder.embed_query(query)], n_results=k or TOP_K, include=["distances"]
        )
        hits = [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]
        passages = [Passage(self.chunks[cid], s, s, r, None, None) for r, (cid, s) in enumerate(hits, start=1)]
        return SearchResult(query, lang or detect_language(query), passages, hits, [], False)

    def ask(
        self, question: str, history: list[Turn] | None = None, language: str | None = None, writer: str = "extractive"
    ) -> AnswerResult:
        start = time.perf_counter()
        lang = language or detect_language(question)
        result = self.retrieve(question, TOP_K, lang)
        evidence = build_evidence(analyse_question(question, question, question, lang, lang), result.passages, {})
        HeuristicRanker().score(evidence, self.weights)
        assert self.writer is not None
        checked = check_citations(self.writer.write(evidence), result.passages, lang)
        refused = checked.empty
        return AnswerResult(
            language=lang,
            answer=refusal(lang, "unsupported", self.settings) if refused else checked.text,
            citations=[] if refused else checked.citations,
            refused=refused,
            reason="unsupported" if refused else "answered",
            query=question,
            writer="naive",
            retrieval_lang=lang,
            passages=result.passages,
            latency_ms=(time.perf_counter() - start) * 1000,
        )
