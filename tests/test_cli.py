"""The command line, run as a user runs it (a subprocess with GUIDEBOT_* settings)."""

from __future__ import annotations

import json
import os
import re
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


def test_ask_json_and_a_followup_conversation(settings, write) -> None:
    write(
        "outils.md",
        article(
            "outil-3en1-facturer",
            """
        ## Facturer dans l'outil 3en1

        Dans l'outil 3en1, la facture, le salaire et les frais sont rattachés à une prestation.

        ## Facturer dans l'outil Activité

        Dans l'outil Activité, les factures alimentent le budget de l'Activité, dans lequel on puise pour se payer.
        """,
            title="Comment facturer un client ?",
        ),
    )
    db = f"sqlite:///{settings.index_dir.parent}/store.sqlite3"
    assert run(settings, "index").returncode == 0

    def ask(*args: str) -> subprocess.CompletedProcess[str]:
        env = dict(
            os.environ,
            GUIDEBOT_CORPUS_DIR=str(settings.corpus_dir),
            GUIDEBOT_INDEX_DIR=str(settings.index_dir),
            GUIDEBOT_CACHE_DIR=str(settings.cache_dir),
            GUIDEBOT_DATABASE_URL=db,
        )
        return subprocess.run(
            [sys.executable, "-m", "guidebot.cli", "ask", *args], env=env, capture_output=True, text=True, timeout=300
        )

    res = ask("Comment facturer un client dans l'outil 3en1 ?", "--json")
    assert res.returncode == 0, res.stderr
    first = json.loads(res.stdout)
    assert set(first) == {"conversation_id", "message_id", "language", "answer", "citations", "refused", "refusal"}
    assert first["conversation_id"].startswith("c_") and first["message_id"].startswith("m_")
    assert first["refused"] is False and first["refusal"] is None
    assert first["language"] == "fr" and "prestation" in first["answer"]
    assert set(first["citations"][0]) == {"n", "doc_id", "title", "url", "section", "snippet"}
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", first["answer"])}
    assert markers == {c["n"] for c in first["citations"]}

    res = ask("et pour l'outil Activité ?", "--conversation", first["conversation_id"], "--json")
    second = json.loads(res.stdout)
    assert second["conversation_id"] == first["conversation_id"] and "budget" in second["answer"]

    res = ask("Combien coûte une part ?", "--conversation", "c_unknown")
    assert res.returncode == 1 and "unknown conversation" in res.stderr
    res = ask("Quel est le solde de mon Activité ?", "--json")
    account = json.loads(res.stdout)
    assert account["refused"] is True and account["refusal"] == "account"
    assert ask("x" * 2001).returncode == 1
    res = ask("question", "--writer", "openai")
    assert res.returncode == 1 and "GUIDEBOT_LLM_BASE_URL" in res.stderr


def test_serve_builds_the_missing_index_then_answers(settings, write, tmp_path) -> None:
    """The README's run command on a fresh checkout: no index yet, one command brings the server up."""
    import time

    import httpx

    from apiserver import free_port

    write(
        "part.md", article("societariat-part", "## Prix\n\nUne part coûte 30 euros.", title="Combien coûte une part ?")
    )
    port = free_port()
    env = dict(
        os.environ,
        GUIDEBOT_CORPUS_DIR=str(settings.corpus_dir),
        GUIDEBOT_INDEX_DIR=str(settings.index_dir),
        GUIDEBOT_CACHE_DIR=str(settings.cache_dir),
        GUIDEBOT_DATABASE_URL=f"sqlite:///{tmp_path}/serve.sqlite3",
    )
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "guidebot.cli", "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert httpx.get(f"{base}/readyz").status_code == 200, (tmp_path / "serve.log").read_text()
        body = httpx.post(f"{base}/api/chat", json={"message": "Combien coûte une part ?"}, timeout=30).json()
        assert body["refused"] is False and "30 euros" in body["answer"]
        assert "building it from" in (tmp_path / "serve.log").read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    # uvicorn shuts down cleanly, then re-raises the signal it caught
    assert proc.returncode in (0, -15) and "Finished server process" in (tmp_path / "serve.log").read_text()
