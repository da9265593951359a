"""Build or update an index, incrementally and crash-safely.

Every build writes a complete new version beside the served one (see layout.py). It is incremental by
content hash: a chunk whose embedded text is unchanged takes its vector from the previous version instead of
being embedded again, so an untouched document costs no embedding, an edited one only its changed chunks,
and a removed or renamed document simply has no chunks in the new version (nothing stale can survive).
A file that fails to load keeps its previously indexed chunks, so a bad edit never loses indexed content.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from guidebot.chunking import Chunker, ChunkerConfig
from guidebot.chunking.units import split_units
from guidebot.config import Settings
from guidebot.documents import Chunk, Document, sha256_text
from guidebot.errors import EmbedderMismatchError, NothingIndexedError
from guidebot.index import layout
from guidebot.index.embedders import Embedder
from guidebot.index.layout import check_embedder, read_chunks, read_manifest
from guidebot.index.lexical import LexicalIndex
from guidebot.index.vectors import VectorLocation, VectorStore, drop_collection
from guidebot.ingest import FileReport, LoadResult, load_corpus

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
Progress = Callable[[str, int, int], None]


@dataclass
class BuildReport:
    """What a build did, for the command line and the benchmark."""

    files: list[FileReport] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept_after_error: list[str] = field(default_factory=list)
    unchanged: int = 0
    documents: int = 0
    chunks: int = 0
    embedded_chunks: int = 0
    reused_chunks: int = 0
    units: int = 0
    embedded_units: int = 0
    switched: bool = False
    build_id: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "error"]


class IndexBuilder:
    """Builds versions of one index from a corpus folder."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.chunker = Chunker(ChunkerConfig(settings.chunk_tokens, settings.chunk_overlap_tokens), settings.cache_dir)

    def build(self, *, full: bool = False, progress: Progress | None = None) -> BuildReport:
        root = self.settings.index_root
        with layout.build_lock(root):
            return self._build_locked(root, full=full, progress=progress)

    def _build_locked(self, root: Path, *, full: bool, progress: Progress | None) -> BuildReport:
        t0 = time.perf_counter()
        report = BuildReport()
        _remove_unfinished(root, self.settings.keep_versions)
        prev = self._previous(root, full)
        loaded = load_corpus(self.settings.corpus_dir, max_file_bytes=self.settings.max_file_bytes)
        documents = _resolve_duplicate_ids(loaded, prev.docs)
        report.files = loaded.files
        report.timings["load_s"] = time.perf_counter() - t0

        t1 = time.perf_counter()
        chunks, doc_entries = self._chunk(documents, loaded.failed_paths, prev, report)
        report.timings["chunk_s"] = time.perf_counter() - t1
        _count_changes(report, doc_entries, prev.docs, len(chunks))
        if not full and self._same_settings(prev.manifest) and not (report.added or report.changed or report.removed):
            report.build_id = prev.manifest["build_id"] if prev.manifest else None
            report.reused_chunks = len(chunks)
            report.timings["total_s"] = time.perf_counter() - t0
            return report

        build_id = layout.new_build_id()
        version_dir = layout.versions_dir(root) / build_id
        version_dir.mkdir(parents=True)
        location = VectorLocation(
            mode="http" if self.settings.chroma_url else "local",
            collection=f"guidebot-{self.settings.index_name}-{build_id}",
            url=self.settings.chroma_url,
        )
        self._write_version(version_dir, location, chunks, prev, full, report, progress)
        manifest = self._manifest(build_id, location, chunks, doc_entries, report, t0)
        layout.fsync_tree(version_dir)
        layout.write_json_durably(version_dir / layout.MANIFEST, manifest)
        layout.switch_current(root, build_id)
        report.switched, report.build_id = True, build_id
        self._prune(root)
        report.timings["total_s"] = time.perf_counter() - t0
        return report

    def _previous(self, root: Path, full: bool) -> _Previous:
        """The version being served, which this build updates (its embedder must match unless ``full``)."""
        prev_dir = layout.current_version_dir(root)
        manifest = read_manifest(prev_dir) if prev_dir else None
        if manifest is not None and not full:
            check_embedder(manifest, self.embedder)
        docs: dict[str, dict[str, Any]] = manifest["documents"] if manifest else {}
        return _Previous(prev_dir, manifest, docs, read_chunks(prev_dir) if prev_dir else [])

    def _chunk(
        self, documents: list[Document], failed: set[str], prev: _Previous, report: BuildReport
    ) -> tuple[list[Chunk], dict[str, dict[str, Any]]]:
        """The chunks of every document and the manifest's entry of each; a file that failed to load keeps
        what was indexed from it before."""
        chunks: list[Chunk] = []
        doc_entries: dict[str, dict[str, Any]] = {}
        for doc in documents:
            doc_chunks = self.chunker.chunk(doc)
            chunks.extend(doc_chunks)
            doc_entries[doc.id] = _doc_entry(doc, len(doc_chunks))
        for doc_id, entry in prev.docs.items():
            if entry["path"] in failed and doc_id not in doc_entries:
                chunks.extend(c for c in prev.chunks if c.doc_id == doc_id)
                doc_entries[doc_id] = entry
                report.kept_after_error.append(doc_id)
        if not doc_entries:
            raise NothingIndexedError(
                f"no document could be loaded from {self.settings.corpus_dir}; nothing was indexed"
            )
        return chunks, doc_entries

    def _same_settings(self, prev_manifest: dict[str, Any] | None) -> bool:
        """Was the served version built the way this build would build it (chunker, format, vector store)?"""
        return (
            prev_manifest is not None
            and prev_manifest.get("chunker") == self.chunker.config.as_dict()
            and prev_manifest.get("format") == FORMAT_VERSION
            and prev_manifest.get("vectors", {}).get("mode") == ("http" if self.settings.chroma_url else "local")
            and prev_manifest.get("vectors", {}).get("url") == self.settings.chroma_url
        )

    def _write_version(
        self,
        version_dir: Path,
        location: VectorLocation,
        chunks: list[Chunk],
        prev: _Previous,
        full: bool,
        report: BuildReport,
        progress: Progress | None,
    ) -> None:
        """Everything of a version but its manifest: vectors, unit vectors, the Chroma collection, BM25, chunks."""
        t = time.perf_counter()
        vectors = self._vectors_for(chunks, prev.dir, prev.manifest, full, report, progress)
        report.timings["embed_s"] = time.perf_counter() - t

        t = time.perf_counter()
        self._write_units(chunks, version_dir, prev.dir, full, report, progress)
        report.timings["units_s"] = time.perf_counter() - t

        t = time.perf_counter()
        VectorStore(location, version_dir, create=True).add(chunks, vectors)
        report.timings["store_s"] = time.perf_counter() - t

        t = time.perf_counter()
        lexical = LexicalIndex.build([(c.id, c.lang, c.embed_text) for c in chunks])
        lexical.save(version_dir / layout.LEXICAL)
        with open(version_dir / layout.CHUNKS, "w", encoding="utf-8") as fh:
            for c in chunks:
                fh.write(json.dumps(c.to_record(), ensure_ascii=False) + "\n")
        report.timings["lexical_s"] = time.perf_counter() - t

    def _manifest(
        self,
        build_id: str,
        location: VectorLocation,
        chunks: list[Chunk],
        doc_entries: dict[str, dict[str, Any]],
        report: BuildReport,
        t0: float,
    ) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "build_id": build_id,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "embedder": {"name": self.embedder.name, "dim": self.embedder.dim},
            "chunker": self.chunker.config.as_dict(),
            "vectors": location.as_dict(),
            "counts": {
                "documents": len(doc_entries),
                "chunks": len(chunks),
                "units": report.units,
                "by_lang": dict(Counter(c.lang for c in chunks)),
                "by_source": dict(Counter(e["source"] for e in doc_entries.values())),
            },
            "documents": doc_entries,
            "changes": {
                "added": report.added,
                "changed": report.changed,
                "removed": report.removed,
                "kept_after_error": report.kept_after_error,
                "embedded_chunks": report.embedded_chunks,
                "reused_chunks": report.reused_chunks,
                "embedded_units": report.embedded_units,
            },
            "errors": [{"path": f.path, "message": f.message} for f in report.errors],
            "build_seconds": round(time.perf_counter() - t0, 3),
        }

    def _embed_missing(
        self, texts: list[str], vectors: np.ndarray, todo: list[int], stage: str, progress: Progress | None
    ) -> None:
        """Embed the texts at ``todo`` into their rows of ``vectors``, a few batches at a time."""
        step = max(self.settings.embed_batch_size, 1) * 4
        for start in range(0, len(todo), step):
            idx = todo[start : start + step]
            vectors[idx] = self.embedder.embed_passages([texts[i] for i in idx])
            if progress:
                progress(stage, min(start + step, len(todo)), len(todo))

    def _vectors_for(
        self,
        chunks: list[Chunk],
        prev_dir: Path | None,
        prev_manifest: dict[str, Any] | None,
        full: bool,
        report: BuildReport,
        progress: Progress | None,
    ) -> np.ndarray:
        dim = self.embedder.dim
        vectors = np.zeros((len(chunks), dim), dtype=np.float32)
        todo = list(range(len(chunks)))
        if not full and prev_dir is not None and prev_manifest is not None:
            reusable = self._previous_vectors(chunks, prev_dir, prev_manifest)
            todo = []
            for i, c in enumerate(chunks):
                vec = reusable.get(c.hash)
                if vec is not None and vec.shape == (dim,):
                    vectors[i] = vec
                else:
                    todo.append(i)
        report.reused_chunks = len(chunks) - len(todo)
        report.embedded_chunks = len(todo)
        self._embed_missing([c.embed_text for c in chunks], vectors, todo, "embed", progress)
        return vectors

    def _write_units(
        self,
        chunks: list[Chunk],
        version_dir: Path,
        prev_dir: Path | None,
        full: bool,
        report: BuildReport,
        progress: Progress | None,
    ) -> None:
        """Embed every sentence, list item and table row once; unchanged ones keep their vector."""
        texts: list[str] = []
        offsets: dict[str, list[int]] = {}
        for c in chunks:
            units = [u.text for u in split_units(c.text)]
            offsets[c.id] = [len(texts), len(units)]
            texts.extend(units)
        hashes = [sha256_text(t) for t in texts]
        vectors = np.zeros((len(texts), self.embedder.dim), dtype=np.float32)
        todo = list(range(len(texts)))
        if not full and prev_dir is not None and (prev_dir / layout.UNIT_INDEX).is_file():
            try:
                old_hashes = json.loads((prev_dir / layout.UNIT_INDEX).read_text(encoding="utf-8"))["hashes"]
                old = np.load(prev_dir / layout.UNIT_VECTORS, mmap_mode="r")
                row_of = {h: i for i, h in enumerate(old_hashes)}
                if old.shape[1:] == (self.embedder.dim,):
                    todo = []
                    for i, h in enumerate(hashes):
                        if h in row_of:
                            vectors[i] = old[row_of[h]]
                        else:
                            todo.append(i)
            except (OSError, ValueError, KeyError) as exc:
                log.warning("previous unit vectors unreadable (%s); embedding them again", exc)
        self._embed_missing(texts, vectors, todo, "embed sentences", progress)
        report.embedded_units, report.units = len(todo), len(texts)
        np.save(version_dir / layout.UNIT_VECTORS, vectors)
        (version_dir / layout.UNIT_INDEX).write_text(
            json.dumps({"offsets": offsets, "hashes": hashes}), encoding="utf-8"
        )

    def _previous_vectors(
        self, chunks: list[Chunk], prev_dir: Path, prev_manifest: dict[str, Any]
    ) -> dict[str, np.ndarray]:
        """Vectors of the previous version, keyed by chunk hash, for the hashes this build needs."""
        try:
            check_embedder(prev_manifest, self.embedder)
        except EmbedderMismatchError:
            return {}
        wanted = {c.hash for c in chunks}
        by_hash: dict[str, str] = {}
        for c in read_chunks(prev_dir):
            if c.hash in wanted:
                by_hash.setdefault(c.hash, c.id)
        if not by_hash:
            return {}
        try:
            store = VectorStore(VectorLocation.from_dict(prev_manifest["vectors"]), prev_dir)
            got = store.get_vectors(list(by_hash.values()))
        except Exception as exc:  # an unreachable old store only costs re-embedding  # noqa: BLE001
            log.warning("previous vectors unavailable (%s); embedding everything again", exc)
            return {}
        return {h: got[cid] for h, cid in by_hash.items() if cid in got}

    def _prune(self, root: Path) -> None:
        for stale in layout.stale_versions(root, keep=self.settings.keep_versions, grace_s=self.settings.prune_grace_s):
            try:
                old = read_manifest(stale)
                drop_collection(VectorLocation.from_dict(old["vectors"]), stale)
            except (OSError, KeyError, ValueError):
                pass
            layout.remove_tree(stale)


@dataclass(frozen=True)
class _Previous:
    """The version a build starts from: its folder, manifest, documents and chunks (all empty for a first)."""

    dir: Path | None
    manifest: dict[str, Any] | None
    docs: dict[str, dict[str, Any]]
    chunks: list[Chunk]


def _remove_unfinished(root: Path, keep: int) -> None:
    """Remove what a killed build left (a version folder without a manifest); finished ones are pruned later."""
    for stale in layout.stale_versions(root, keep=keep):
        if not (stale / layout.MANIFEST).is_file():
            log.info("removing unfinished build %s", stale.name)
            layout.remove_tree(stale)


def _count_changes(
    report: BuildReport, doc_entries: dict[str, dict[str, Any]], prev_docs: dict[str, dict[str, Any]], n_chunks: int
) -> None:
    for doc_id, entry in doc_entries.items():
        before = prev_docs.get(doc_id)
        if before is None:
            report.added.append(doc_id)
        elif before["hash"] != entry["hash"]:
            report.changed.append(doc_id)
        else:
            report.unchanged += 1
    report.removed = sorted(set(prev_docs) - set(doc_entries))
    report.documents, report.chunks = len(doc_entries), n_chunks


def _doc_entry(doc: Document, n_chunks: int) -> dict[str, Any]:
    return {
        "path": doc.path,
        "hash": doc.content_hash(),
        "title": doc.title,
        "url": doc.url,
        "source": doc.source,
        "lang": doc.lang,
        "updated": doc.updated,
        "format": doc.format,
        "chunks": n_chunks,
    }


def _resolve_duplicate_ids(loaded: LoadResult, prev_docs: dict[str, dict[str, Any]]) -> list[Document]:
    """Keep one document per id: the one at the path indexed before, else the first by path.

    The others get an error line in the report and are not indexed.
    """
    by_id: dict[str, list[Document]] = {}
    for doc in loaded.documents:
        by_id.setdefault(doc.id, []).append(doc)
    kept: list[Document] = []
    rejected: dict[str, str] = {}
    for doc_id, docs in by_id.items():
        if len(docs) == 1:
            kept.append(docs[0])
            continue
        previous_path = prev_docs.get(doc_id, {}).get("path")
        winner = next((d for d in docs if d.path == previous_path), docs[0])
        kept.append(winner)
        for d in docs:
            if d is not winner:
                rejected[d.path] = f"duplicate id {doc_id!r}: already used by {winner.path}; this file is not indexed"
    for f in loaded.files:
        if f.path in rejected:
            f.status, f.message = "error", rejected[f.path]
    loaded.documents = kept
    return kept
