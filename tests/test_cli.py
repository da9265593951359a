"""The command line, run as a user runs it (a subprocess with GUIDEBOT_* settings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import article


def run(settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        GUIDEBOT_CORPUS_DIR=str(settings.corpus_dir),
        GUIDEBOT_INDEX_DIR=str(settings.index_dir),
        GUIDEBOT_CACHE_DIR=str(settings.cache_dir),
    )
    return subprocess.run(
        [sys.executable, "-m", "guidebot.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_ingest_index_search(settings, write) -> None:
    write(
        "part.md",
        article(
            "societariat-part", "## Prix [d'une part]\n\nUne part coûte 30 euros [1].", title="Combien coûte une part ?"
        ),
    )
    write("broken.md", "---\nid: x\n---\n")

    res = run(settings, "ingest")
    assert res.returncode == 0
    assert "error    broken.md: missing field(s): title, url, source, lang, updated" in res.stdout
    assert "1 documents (fr 1); 1 errors" in res.stdout
    assert run(settings, "ingest", "--strict").returncode == 1

    res = run(settings, "search", "part")
    assert res.returncode == 1 and "no index" in res.stderr and "guidebot index" in res.stderr

    res = run(settings, "index")
    assert res.returncode == 0, res.stderr
    assert "1 documents, 1 chunks: 1 added" in res.stdout and "switched to" in res.stdout
    assert run(settings, "index", "--strict").returncode == 1
    res = run(settings, "index")
    assert "already up to date" in res.stdout

    res = run(settings, "search", "Combien coûte une part ?", "--json", "-k", "3")
    assert res.returncode == 0, res.stderr
    (hit,) = json.loads(res.stdout)["passages"]
    assert {k: hit[k] for k in ("doc_id", "chunk_id", "title", "url", "section")} == {
        "doc_id": "societariat-part",
        "chunk_id": "societariat-part#0",
        "title": "Combien coûte une part ?",
        "url": "https://smartbe.be/fr/faq/",
        "section": "Prix [d'une part]",
    }
    assert hit["score"] > 0 and hit["dense_rank"] == 1 and "30 euros [1]" in hit["text"]

    res = run(settings, "search", "Combien coûte une part ?")
    assert "1. Combien coûte une part ? > Prix [d'une part]" in res.stdout  # brackets shown, not eaten as markup
    assert "[societariat-part]" in res.stdout

    res = run(settings, "search", "   ")
    assert res.returncode == 1 and "empty" in res.stderr
    assert run(settings, "search", "x", "--lang", "de").returncode == 1


def test_nothing_to_index_exits_non_zero(settings, write) -> None:
    write("bad.md", "pas de front matter")
    res = run(settings, "index")
    assert res.returncode == 1 and "no document could be loaded" in res.stderr
