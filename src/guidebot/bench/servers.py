"""Servers the benchmarks (and the tests) start on loopback: a free port, waiting until one answers, and a
``chroma run`` server."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from guidebot.index.vectors import HEARTBEAT_PATH

CHROMA_READY_S = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(
    url: str, alive: Callable[[], bool], timeout_s: float, poll_s: float = 0.1, verify: ssl.SSLContext | bool = True
) -> None:
    """Return once ``url`` answers 200; RuntimeError when the server died (``alive`` false) or time ran out."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=2, verify=verify).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if not alive() or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {timeout_s:.0f} s")
        time.sleep(poll_s)


class ChromaServer:
    """``chroma run`` (from the chromadb package) on a loopback port, its data in ``path``.

    ``stop`` then ``start`` again keeps the port and the data, as a restarted server would."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ChromaServer:
        """Start it and wait until it answers (RuntimeError if it never does)."""
        chroma = Path(sys.executable).with_name("chroma")
        argv = [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(self.url + HEARTBEAT_PATH, lambda: process.poll() is None, CHROMA_READY_S)
        except RuntimeError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL after 30 s); safe to call twice."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None

    def __enter__(self) -> ChromaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
