"""The deployment of deploy/, on loopback: nginx with deploy/nginx/guidebot.conf (its ports, certificate and log
paths swapped for temporary ones) in front of two workers started the way deploy/systemd/guidebot@.service starts
them, with the settings of deploy/guidebot.env.example, a throwaway PostgreSQL server, and a `chroma run` server
holding the vectors of the real index (indexes/default, moved there without re-embedding).

1. the rate limit holds across the two workers (one bucket per client, in PostgreSQL), and so does the login lockout;
2. X-Forwarded-For is trusted only from the proxy: straight to a worker a forged one changes nothing, through nginx
   the member's own address is used;
3. the load benchmark through nginx, every acknowledged answer stored;
4. a worker killed (SIGKILL) mid-load: every answer acknowledged with a 200 is in the store, and nginx sends the
   requests that follow to the other worker.

`make test-deploy` runs it (a CI step of its own, after the eval gate has built indexes/default) and shows the
figures it prints. On loopback a client and the proxy would share 127.0.0.1, so each client here connects from an
address of its own in 127.0.0.0/8.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import secrets
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select, text

import pgserver
from guidebot.bench import load as loadbench
from guidebot.bench.servers import ChromaServer, free_port, wait_ready
from guidebot.config import Settings
from guidebot.index import layout
from guidebot.index.builder import IndexBuilder
from guidebot.store import schema

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
GOLDEN = ROOT / "evals" / "golden"
# read at import, before conftest's autouse fixture clears GUIDEBOT_* for each test
INDEX_SOURCE = Path(os.environ.get("GUIDEBOT_TEST_INDEX_DIR", "") or ROOT / "indexes") / "default"
QUESTION = {"message": "Combien coûte une part ?"}
LOAD_LIMIT = 10_000  # the highest rate limit allowed: every load client comes from one address
LOAD_CLIENTS = (4, 16)
LOAD_S = 6.0
KILL_CLIENTS = 8
KILL_LOAD_S = 10.0
KILL_AT_S = 3.0
READY_S = 300.0
PROXY = "127.0.0.1"  # nginx connects to the workers from here: GUIDEBOT_FORWARDED_ALLOW_IPS of the example
FIGURES = ROOT / "artifacts" / "deploy-check.txt"


def report(line: str) -> None:
    """A figure of the check: shown by `make test-deploy` (pytest -s) and kept in artifacts/deploy-check.txt."""
    print(f"[deploy] {line}")
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    with FIGURES.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def required(ok: bool, message: str) -> None:
    """Skip without a dependency; in CI (CI=true) fail instead."""
    if ok:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# --- reading the files of deploy/ ---------------------------------------------------------------------------------
def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile reads them (comments, blank lines, one pair of quotes)."""
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, sep, value = line.partition("=")
        assert sep and key.strip(), f"{path}: not KEY=value: {raw!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def worker_argv(port: int) -> list[str]:
    """The unit's ExecStart for instance ``port``, with this checkout's guidebot command."""
    unit = (DEPLOY / "systemd" / "guidebot@.service").read_text(encoding="utf-8")
    (line,) = [x for x in unit.splitlines() if x.startswith("ExecStart=")]
    argv = shlex.split(line.removeprefix("ExecStart=").replace("%i", str(port)))
    assert Path(argv[0]).name == "guidebot", argv
    return [str(Path(sys.executable).with_name("guidebot")), *argv[1:]]


def render_site(site: str, *, workers: list[int], https_port: int, http_port: int, tls: Path, logs: Path) -> str:
    """deploy/nginx/guidebot.conf with loopback ports, a test certificate and log files in ``logs``."""
    ports = iter(workers)
    rules: list[tuple[str, Any, int]] = [
        (r"server 127\.0\.0\.1:\d+", lambda _m: f"server 127.0.0.1:{next(ports)}", len(workers)),
        (r"\n\s*listen \[::\]:\d+[^;]*;", "", 2),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};", 1),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;", 1),
        (r"ssl_certificate \S+;", f"ssl_certificate {tls / 'cert.pem'};", 1),
        (r"ssl_certificate_key \S+;", f"ssl_certificate_key {tls / 'key.pem'};", 1),
        (r"/var/log/nginx/", f"{logs}/", 2),
    ]
    for pattern, replacement, expected in rules:
        site, n = re.subn(pattern, replacement, site)
        assert n == expected, f"deploy/nginx/guidebot.conf changed shape: {pattern!r} matched {n} times"
    return site


NGINX_MAIN = """\
daemon off;
worker_processes 1;
{user}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site};
}}
"""


# --- the deployment ------------------------------------------------------------------------------------------------
def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _alive(proc: subprocess.Popen[bytes]) -> Callable[[], bool]:
    return lambda: proc.poll() is None


class Deployment:
    """nginx, two workers, PostgreSQL and Chroma on loopback; the workers restart when their settings change."""

    def __init__(self, root: Path, pg: pgserver.PostgresServer, chroma: ChromaServer, index_dir: Path) -> None:
        self.root = root
        self.pg = pg
        self.chroma = chroma
        self.index_dir = index_dir
        self.ports = [free_port(), free_port()]
        self.https_port = free_port()
        self.tls = self._certificate()
        self.verify = ssl.create_default_context(cafile=str(self.tls / "cert.pem"))
        self.base = f"https://127.0.0.1:{self.https_port}"
        self.workers: dict[int, subprocess.Popen[bytes]] = {}
        self.limit: int | None = None
        self.nginx: subprocess.Popen[bytes] | None = None
        self.engine = create_engine(pg.url)

    def _certificate(self) -> Path:
        folder = self.root / "tls"
        folder.mkdir()
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        return folder

    def env(self, limit: int) -> dict[str, str]:
        """The example's settings, with this machine's addresses and folders and a real secret."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("GUIDEBOT_")}
        example = read_env_file(DEPLOY / "guidebot.env.example")
        local = {
            "GUIDEBOT_SECRET_KEY": secrets.token_urlsafe(48),
            "GUIDEBOT_DATABASE_URL": self.pg.url,
            "GUIDEBOT_CHROMA_URL": self.chroma.url,
            "GUIDEBOT_CORPUS_DIR": str(ROOT / "corpus"),
            "GUIDEBOT_INDEX_DIR": str(self.index_dir),
            "GUIDEBOT_WEB_DIR": str(ROOT / "web"),
            "GUIDEBOT_CACHE_DIR": str(self.root / "cache"),
            "GUIDEBOT_RATE_LIMIT_PER_MINUTE": str(limit),
            "GUIDEBOT_LOGIN_DELAY_S": "0",  # the lockout check counts failures; it need not wait after each
        }
        return {**inherited, **example, **local}

    def serve(self, limit: int) -> None:
        """Both workers running with this rate limit (restarted if they run with another one), nginx in front."""
        if self.limit != limit or any(p.poll() is not None for p in self.workers.values()):
            self.stop_workers()
            started = time.perf_counter()
            env = self.env(limit)
            for port in self.ports:
                log = (self.root / f"worker-{port}.log").open("ab")
                self.workers[port] = subprocess.Popen(worker_argv(port), env=env, cwd=ROOT, stdout=log, stderr=log)
                log.close()
            for port, proc in self.workers.items():
                try:
                    wait_ready(f"http://127.0.0.1:{port}/readyz", _alive(proc), READY_S, 0.2)
                except RuntimeError as exc:
                    raise AssertionError(f"{exc}\n{_tail(self.root / f'worker-{port}.log')}") from exc
            took = time.perf_counter() - started
            report(f"workers     two started with rate limit {limit}/min, both ready in {took:.1f} s")
            self.limit = limit
        if self.nginx is None:
            self._start_nginx()

    def _start_nginx(self) -> None:
        prefix = self.root / "nginx"
        prefix.mkdir()
        site = render_site(
            (DEPLOY / "nginx" / "guidebot.conf").read_text(encoding="utf-8"),
            workers=self.ports,
            https_port=self.https_port,
            http_port=free_port(),
            tls=self.tls,
            logs=prefix,
        )
        (prefix / "guidebot.conf").write_text(site, encoding="utf-8")
        user = "user root;" if os.geteuid() == 0 else ""  # workers as the current user, not nobody
        main = NGINX_MAIN.format(user=user, prefix=prefix, site=prefix / "guidebot.conf")
        (prefix / "nginx.conf").write_text(main, encoding="utf-8")
        argv = ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")]
        checked = subprocess.run([*argv, "-t"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr
        self.nginx = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_ready(f"{self.base}/healthz", _alive(self.nginx), 30.0, verify=self.verify)

    def kill(self, port: int) -> None:
        proc = self.workers[port]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)

    def stop_workers(self) -> None:
        for proc in self.workers.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.workers.values():
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.workers.clear()
        self.limit = None

    def stop(self) -> None:
        self.stop_workers()
        if self.nginx is not None:
            self.nginx.terminate()
            self.nginx.wait(timeout=30)
        self.engine.dispose()

    # --- clients and the store ---------------------------------------------------------------------------------
    def client(self, source: str, base: str | None = None) -> httpx.Client:
        """A client that connects from ``source`` (an address of 127.0.0.0/8), to nginx unless ``base`` is given."""
        transport = httpx.HTTPTransport(local_address=source, verify=self.verify)
        return httpx.Client(base_url=base or self.base, timeout=60, transport=transport)

    def worker_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports[i]}"

    def rate_limit_keys(self) -> set[str]:
        with self.engine.connect() as conn:
            return {str(k) for (k,) in conn.execute(text("SELECT key FROM rate_limits"))}

    def forget_rate_limits(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM rate_limits"))

    def stored(self, message_ids: list[str]) -> set[str]:
        found: set[str] = set()
        ids = schema.messages.c.id
        with self.engine.connect() as conn:
            for i in range(0, len(message_ids), 500):
                found |= {str(m) for (m,) in conn.execute(select(ids).where(ids.in_(message_ids[i : i + 500])))}
        return found


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[Deployment]:
    required(shutil.which("nginx") is not None, "nginx is required: apt-get install nginx (.ci/run step 0 does)")
    required(shutil.which("openssl") is not None, "openssl is required for the test certificate")
    required(
        layout.current_version_dir(INDEX_SOURCE) is not None,
        f"no index in {INDEX_SOURCE}: build it with `guidebot index` (make test-deploy does), or point "
        "GUIDEBOT_TEST_INDEX_DIR at a folder of indexes",
    )
    FIGURES.unlink(missing_ok=True)
    root = tmp_path_factory.mktemp("deploy")
    try:
        pg = pgserver.PostgresServer().start()
    except pgserver.PostgresUnavailable as exc:
        required(False, f"PostgreSQL is required: {exc}")
        raise
    chroma = ChromaServer(root / "chroma").start()
    deployment: Deployment | None = None
    try:
        # the served version of the real index, its vectors moved to the Chroma server (reused, not re-embedded)
        build_id = layout.current_build_id(INDEX_SOURCE)
        assert build_id is not None
        target = root / "indexes" / "default"
        shutil.copytree(INDEX_SOURCE / "versions" / build_id, target / "versions" / build_id)
        layout.switch_current(target, build_id)
        started = time.perf_counter()
        settings = Settings(
            corpus_dir=ROOT / "corpus", index_dir=root / "indexes", cache_dir=root / "cache", chroma_url=chroma.url
        )
        built = IndexBuilder(settings, embedder).build()
        report(
            f"index     {built.chunks} chunks of the real index moved to a chroma run server in "
            f"{time.perf_counter() - started:.1f} s ({built.embedded_chunks} embedded, {built.reused_chunks} reused)"
        )
        deployment = Deployment(root, pg, chroma, root / "indexes")
        yield deployment
    finally:
        if deployment is not None:
            deployment.stop()
        chroma.stop()
        pg.stop()


def _allowed(codes: list[int]) -> int:
    assert set(codes) <= {200, 429}, codes
    return codes.count(200)


# --- 1. one rate limit and one login lockout across the workers ----------------------------------------------------
def test_the_rate_limit_and_the_login_lockout_hold_across_the_two_workers(deployment: Deployment) -> None:
    limit = int(read_env_file(DEPLOY / "guidebot.env.example")["GUIDEBOT_RATE_LIMIT_PER_MINUTE"])
    deployment.serve(limit)
    deployment.forget_rate_limits()
    # one client, straight to each worker in turn: in memory each worker would allow `limit`
    first, second = (deployment.client("127.0.0.5", deployment.worker_url(i)) for i in (0, 1))
    started = time.monotonic()
    codes = [(first if i % 2 == 0 else second).post("/api/chat", json=QUESTION).status_code for i in range(2 * limit)]
    elapsed = time.monotonic() - started
    refill = math.floor(elapsed * limit / 60)  # tokens the bucket earned back meanwhile
    allowed = _allowed(codes)
    by_worker = [_allowed(codes[0::2]), _allowed(codes[1::2])]
    report(
        f"rate limit  {len(codes)} requests from one client alternating between the two workers in {elapsed:.1f} s: "
        f"{allowed} allowed ({by_worker[0]} + {by_worker[1]}), {codes.count(429)} x 429; limit {limit}/min"
    )
    assert limit <= allowed <= limit + refill and min(by_worker) > 0 and codes[-2:] == [429, 429]

    # five wrong passwords for one e-mail, spread over both workers, lock it on both
    statuses = []
    for i in range(6):
        with deployment.client("127.0.0.6", deployment.worker_url(i % 2)) as http:
            token = http.get("/api/console/csrf").json()["csrf_token"]
            r = http.post(
                "/api/console/login",
                json={"email": "nobody@smart.test", "password": f"guess {i}"},
                headers={"X-CSRF-Token": token, "Cookie": f"gb_login_csrf={token}"},  # the cookie is Secure: https
            )
            statuses.append((r.status_code, r.json()["error"]["code"]))
    report(f"lockout     six wrong logins alternating between the workers: {[s for s, _ in statuses]}")
    assert statuses[:4] == [(401, "invalid_credentials")] * 4 and statuses[4:] == [(429, "login_locked")] * 2
    first.close()
    second.close()


# --- 2. X-Forwarded-For, trusted from the proxy only ----------------------------------------------------------------
def test_x_forwarded_for_is_trusted_only_from_the_proxy(deployment: Deployment) -> None:
    limit = int(read_env_file(DEPLOY / "guidebot.env.example")["GUIDEBOT_RATE_LIMIT_PER_MINUTE"])
    assert read_env_file(DEPLOY / "guidebot.env.example")["GUIDEBOT_FORWARDED_ALLOW_IPS"] == PROXY
    deployment.serve(limit)
    deployment.forget_rate_limits()

    def forged(http: httpx.Client, n: int) -> list[int]:
        return [
            http.post("/api/chat", json=QUESTION, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
            for i in range(n)
        ]

    with deployment.client("127.0.0.2", deployment.worker_url(0)) as direct:
        straight = forged(direct, limit + 3)  # not the proxy: its X-Forwarded-For is ignored
    with deployment.client("127.0.0.3") as member, deployment.client("127.0.0.4") as other:
        proxied = forged(member, limit + 3)  # nginx replaces the forged header by the member's address
        neighbour = other.post("/api/chat", json=QUESTION).status_code
    keys = deployment.rate_limit_keys()
    report(
        f"forwarded   straight to a worker with a forged X-Forwarded-For: {_allowed(straight)} allowed of "
        f"{len(straight)}; through nginx with one: {_allowed(proxied)} of {len(proxied)}; another member "
        f"through nginx: {neighbour}; buckets {sorted(keys)}"
    )
    assert _allowed(straight) == limit and _allowed(proxied) == limit and neighbour == 200
    assert {"chat:127.0.0.2", "chat:127.0.0.3", "chat:127.0.0.4"} <= keys
    assert not any(k.startswith("chat:203.0.113.") for k in keys)
    assert f"chat:{PROXY}" not in keys  # the proxy's own address never stood for a member


# --- 3. the load benchmark through nginx ----------------------------------------------------------------------------
def test_the_load_benchmark_through_nginx(deployment: Deployment) -> None:
    deployment.serve(LOAD_LIMIT)
    questions = loadbench.distinct_questions(GOLDEN)
    rate = loadbench.embedding_rate(Settings(), questions)
    report(f"load        raw query embedding {rate:.1f} queries/s; two workers behind nginx (TLS), {LOAD_S:.0f} s each")
    stream = itertools.cycle(questions)
    loadbench.run_phase(deployment.base, "/api/chat", 1, 3.0, stream, deployment.verify)  # warm-up
    acknowledged: list[str] = []
    for clients in LOAD_CLIENTS:
        for endpoint in ("/api/chat", "/api/chat/stream"):
            phase = loadbench.run_phase(deployment.base, endpoint, clients, LOAD_S, stream, deployment.verify)
            line = phase.line()
            if endpoint == "/api/chat":
                line += f"  ({len(phase.latencies) / LOAD_S / rate:.2f} x the embedding rate)"
            report("load        " + line)
            assert phase.latencies and not phase.errors, phase.errors
            acknowledged += [mid for _at, mid in phase.acknowledged]
    stored = deployment.stored(acknowledged)
    report(f"load        {len(acknowledged)} answers acknowledged, {len(stored)} of them in the store")
    assert stored == set(acknowledged)


# --- 4. a worker killed mid-load -----------------------------------------------------------------------------------
def test_a_worker_killed_mid_load_loses_nothing(deployment: Deployment) -> None:
    deployment.serve(LOAD_LIMIT)
    stream = itertools.cycle(loadbench.distinct_questions(GOLDEN))
    result: list[loadbench.Phase] = []
    load = threading.Thread(
        target=lambda: result.append(
            loadbench.run_phase(deployment.base, "/api/chat", KILL_CLIENTS, KILL_LOAD_S, stream, deployment.verify)
        )
    )
    load.start()
    time.sleep(KILL_AT_S)
    victim = deployment.ports[0]
    killed_at = time.perf_counter()
    deployment.kill(victim)
    load.join()
    (phase,) = result
    acknowledged = [mid for _at, mid in phase.acknowledged]
    before = sum(1 for at, _mid in phase.acknowledged if at < killed_at)
    after = sum(1 for at, _mid in phase.acknowledged if at > killed_at + 1.0)
    stored = deployment.stored(acknowledged)
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(phase.errors.items())) or "none"
    report(
        f"kill        worker :{victim} killed (SIGKILL) {KILL_AT_S:.0f} s into {KILL_LOAD_S:.0f} s of load from "
        f"{KILL_CLIENTS} clients: {before} answers before, {after} from 1 s after it on; errors {errors}; "
        f"{len(stored)} of {len(acknowledged)} acknowledged answers in the store"
    )
    assert stored == set(acknowledged)  # nothing acknowledged is lost
    assert after > 0  # the other worker serves through nginx
    # only the requests the killed worker held may fail (nginx never sends a POST to a second worker)
    assert sum(phase.errors.values()) <= KILL_CLIENTS
    with deployment.client("127.0.0.7") as http:
        assert http.post("/api/chat", json=QUESTION).status_code == 200
