"""Run the real app under uvicorn on a loopback port, in a thread, for API and browser tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from guidebot.bench.servers import free_port, wait_ready

__all__ = ["free_port", "running"]


@contextmanager
def running(app: FastAPI, ready_timeout_s: float = 120.0) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 until the block ends; yields the base URL once /readyz says ready."""
    port = free_port()
    forwarded = app.state.settings.forwarded_allow_ips  # as `guidebot serve` runs it
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", forwarded_allow_ips=forwarded
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{base}/readyz", thread.is_alive, ready_timeout_s, 0.05)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)
