"""``guidebot bench load``: the server under load, through HTTP, on loopback. Figures are printed, not asserted.

It starts ``guidebot serve`` in a subprocess on a free loopback port (its own SQLite store in a scratch folder,
the served index), or loads a server already running at ``--url`` (e.g. nginx in front of several workers; its
rate limit must allow the load), measures the raw query-embedding rate in this run (the physical bound: one
embedding per answer), then for each client count asks golden questions through ``POST /api/chat`` and then through
``POST /api/chat/stream`` for ``seconds`` each. Questions are distinct: every golden question once, in a fixed
order, before any repeats (a repeat would measure a cache, not guidebot). It prints answers/s, latency
p50/p95/p99, first-token p50/p95 for streams, errors by status, and the server's peak resident memory.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from guidebot.bench.servers import free_port, wait_ready
from guidebot.config import Settings
from guidebot.evals.golden import load_golden
from guidebot.evals.metrics import percentile

READY_TIMEOUT_S = 300.0
EMBED_PROBE_S = 5.0


@dataclass
class Phase:
    endpoint: str
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    first_tokens: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    asked: int = 0
    acknowledged: list[tuple[float, str]] = field(default_factory=list)  # (when, message_id) of each 200 answer

    def line(self) -> str:
        ok = len(self.latencies)
        lat = [x * 1000 for x in self.latencies]
        text = (
            f"{self.endpoint:17} {self.clients:3} clients  {ok / self.seconds:6.1f} answers/s  "
            f"p50 {percentile(lat, 0.5):6.0f} ms  p95 {percentile(lat, 0.95):6.0f} ms  "
            f"p99 {percentile(lat, 0.99):6.0f} ms"
        )
        if self.first_tokens:
            ft = [x * 1000 for x in self.first_tokens]
            text += f"  first token p50 {percentile(ft, 0.5):5.0f} ms  p95 {percentile(ft, 0.95):5.0f} ms"
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(self.errors.items())) or "none"
        return f"{text}  errors {errors}"


def distinct_questions(golden: Path) -> list[str]:
    """Every golden question that stands alone, each once, in a fixed order."""
    return list(dict.fromkeys(c.question for c in load_golden(golden) if not c.history))


def embedding_rate(settings: Settings, questions: list[str]) -> float:
    """Queries per second the embedder alone reaches here, one query at a time (as the server embeds them)."""
    from guidebot.index.embedders import load_embedder

    embedder = load_embedder(settings)
    for q in questions[:5]:
        embedder.embed_query(q)
    n, start = 0, time.perf_counter()
    for q in itertools.cycle(questions):
        embedder.embed_query(q)
        n += 1
        if time.perf_counter() - start >= EMBED_PROBE_S:
            break
    return n / (time.perf_counter() - start)


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


Verify = ssl.SSLContext | bool


def run_phase(
    base: str, endpoint: str, clients: int, seconds: float, questions: Iterator[str], verify: Verify = True
) -> Phase:
    """``clients`` clients asking ``questions`` through ``endpoint`` of the server at ``base`` for ``seconds``."""
    phase = Phase(endpoint, clients, seconds)
    asyncio.run(_run_phase(base, phase, questions, verify))
    return phase


async def _run_phase(base: str, phase: Phase, questions: Iterator[str], verify: Verify) -> None:
    deadline = time.perf_counter() + phase.seconds
    limits = httpx.Limits(max_connections=phase.clients, max_keepalive_connections=phase.clients)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits, verify=verify) as http:

        async def client() -> None:
            while time.perf_counter() < deadline:
                body = {"message": next(questions)}
                phase.asked += 1
                start = time.perf_counter()
                try:
                    if phase.endpoint == "/api/chat":
                        r = await http.post("/api/chat", json=body)
                        if r.status_code != 200:
                            phase.errors[f"{r.status_code} {_code(r)}".strip()] += 1
                            await _back_off(r)
                            continue
                        message_id = str(r.json()["message_id"])
                    else:
                        async with http.stream("POST", "/api/chat/stream", json=body) as r:
                            if r.status_code != 200:
                                await r.aread()
                                phase.errors[f"{r.status_code} {_code(r)}".strip()] += 1
                                await _back_off(r)
                                continue
                            first = None
                            event, message_id = "", ""
                            async for line in r.aiter_lines():
                                if line.startswith("event: "):
                                    event = line.removeprefix("event: ")
                                if first is None and event == "token":
                                    first = time.perf_counter() - start
                                if event == "error":
                                    phase.errors["stream error event"] += 1
                                    break
                                if event == "done" and line.startswith("data: "):
                                    message_id = str(json.loads(line.removeprefix("data: "))["message_id"])
                            if not message_id:
                                continue
                            if first is not None:
                                phase.first_tokens.append(first)
                except httpx.HTTPError as exc:
                    phase.errors[type(exc).__name__] += 1
                    continue
                phase.latencies.append(time.perf_counter() - start)
                phase.acknowledged.append((time.perf_counter(), message_id))

        await asyncio.gather(*(client() for _ in range(phase.clients)))


async def _back_off(r: httpx.Response) -> None:
    """Wait as Retry-After says, as a well-behaved client does (one that retries at once only adds load)."""
    try:
        await asyncio.sleep(min(float(r.headers.get("Retry-After", "0")), 5.0))
    except ValueError:
        pass


def _code(r: httpx.Response) -> str:
    try:
        return str(r.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""


def run_load_benchmark(
    settings: Settings, *, golden: Path, clients: list[int], seconds: float, url: str | None = None
) -> Iterator[str]:
    """Yield report lines while the server (started here, or the one at ``url``) runs under load."""
    questions = distinct_questions(golden)
    rate = embedding_rate(settings, questions)
    yield f"raw query embedding  {rate:.1f} queries/s (one at a time, this machine, this run)"
    yield f"questions            {len(questions)} distinct golden questions, each once before any repeat"
    if url is not None:
        yield f"server               {url} (already running)"
        yield from _load(url.rstrip("/"), questions, rate, clients, seconds)
        return
    scratch = Path(tempfile.mkdtemp(prefix="guidebot-load-"))
    port = free_port()
    env = {
        **os.environ,
        "GUIDEBOT_DATABASE_URL": f"sqlite:///{scratch / 'load.sqlite3'}",
        "GUIDEBOT_RATE_LIMIT_PER_MINUTE": "10000",  # the highest allowed: the benchmark measures answers
        "GUIDEBOT_INDEX_DIR": str(settings.index_dir.resolve()),
        "GUIDEBOT_CORPUS_DIR": str(settings.corpus_dir.resolve()),
    }
    log = (scratch / "server.log").open("wb")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("guidebot")), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_ready(f"{base}/readyz", lambda: server.poll() is None, READY_TIMEOUT_S, 0.2)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}; see {scratch / 'server.log'}") from exc
        yield from _load(base, questions, rate, clients, seconds)
        peak = _peak_rss_mb(server.pid)
        yield f"server peak RSS      {peak:.0f} MB" if peak is not None else "server peak RSS      unknown"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _load(base: str, questions: list[str], rate: float, clients: list[int], seconds: float) -> Iterator[str]:
    stream = itertools.cycle(questions)
    served = run_phase(base, "/api/chat", 1, 3.0, stream).asked  # warm-up, not reported
    for n in clients:
        for endpoint in ("/api/chat", "/api/chat/stream"):
            phase = run_phase(base, endpoint, n, seconds, stream)
            served += phase.asked
            line = phase.line()
            if endpoint == "/api/chat":
                line += f"  ({len(phase.latencies) / seconds / rate:.2f} x the embedding rate)"
            yield line
    repeats = max(0, served - len(questions))
    yield f"repeated questions   {repeats} (0 means every answer was a distinct question)"
