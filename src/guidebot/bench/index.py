"""`guidebot bench index`: figures for the index build, printed, not asserted.

Targets (issue 2): one edited article re-indexed in under 3 s; the full build within 80 % of the raw
embedder's throughput (the pipeline adds little on top of the model).
"""

from __future__ import annotations

import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from guidebot.chunking.units import split_units
from guidebot.config import Settings
from guidebot.index.builder import IndexBuilder
from guidebot.index.embedders import load_embedder
from guidebot.index.layout import current_version_dir, read_chunks
from guidebot.ingest.corpus import iter_corpus_files


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_index_benchmark(settings: Settings, *, edits: int = 3, workdir: Path | None = None) -> Iterator[str]:
    """Yield report lines while running the benchmark on a scratch copy of the corpus."""
    scratch = Path(tempfile.mkdtemp(prefix="guidebot-bench-", dir=workdir))
    try:
        corpus = scratch / "corpus"
        shutil.copytree(settings.corpus_dir, corpus)
        bench_settings = settings.model_copy(
            update={"corpus_dir": corpus, "index_dir": scratch / "indexes", "index_name": "bench", "prune_grace_s": 0.0}
        )
        t = time.perf_counter()
        embedder = load_embedder(bench_settings)
        yield f"embedder           {embedder.name} ({embedder.dim} dims), loaded in {time.perf_counter() - t:.2f} s"
        builder = IndexBuilder(bench_settings, embedder)

        report = builder.build(full=True)
        total = report.timings["total_s"]
        yield (
            f"full build         {report.documents} documents, {report.chunks} chunks in {total:.2f} s "
            f"= {report.chunks / total:.1f} chunks/s"
        )
        yield "  stages           " + ", ".join(f"{k} {v:.2f} s" for k, v in report.timings.items())

        version = current_version_dir(bench_settings.index_root)
        assert version is not None
        # the same texts the build embedded: every chunk, and every sentence, list item and table row
        chunks = read_chunks(version)
        texts = [c.embed_text for c in chunks] + [u.text for c in chunks for u in split_units(c.text)]
        t = time.perf_counter()
        for start in range(0, len(texts), 128):
            embedder.embed_passages(texts[start : start + 128])
        raw = time.perf_counter() - t
        yield (
            f"raw embedder       the same {len(texts)} texts ({report.chunks} chunks + {report.units} units) "
            f"in {raw:.2f} s = {len(texts) / raw:.1f} texts/s"
        )
        yield (
            f"pipeline / raw     the build's {len(texts) / total:.1f} texts/s are {raw / total:.0%} of the raw "
            f"embedder's throughput (target >= 80%)"
        )

        articles = [p for p in iter_corpus_files(corpus) if p.suffix == ".md"]
        target = max(articles, key=lambda p: p.stat().st_size)
        times = []
        for i in range(edits):
            with open(target, "a", encoding="utf-8") as fh:
                fh.write(f"\nParagraphe ajouté pour le banc d'essai numéro {i}.\n")
            t = time.perf_counter()
            r = builder.build()
            times.append(time.perf_counter() - t)
            assert r.changed == [next(d for d in r.changed)] and r.switched
        yield (
            f"one edited article {target.name}: re-indexed in median {statistics.median(times):.2f} s, "
            f"max {max(times):.2f} s over {edits} runs (target < 3 s); "
            f"{r.embedded_chunks} chunk(s) embedded, {r.reused_chunks} reused"
        )
        version = current_version_dir(bench_settings.index_root)
        assert version is not None
        one, both = _dir_size(version) / 1e6, _dir_size(bench_settings.index_root) / 1e6
        yield f"index size         {one:.1f} MB (one version; {both:.1f} MB with the previous one kept)"
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        yield f"peak memory        {peak:.0f} MB RSS"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
