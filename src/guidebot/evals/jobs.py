"""The content team's evals from the console: one ``guidebot eval`` at a time, in the background, and the runs it
wrote (their HTML reports and the comparison of each run with the one before it).

A run is a subprocess of the server's own Python running the guidebot command line with the server's settings,
so it answers from the same index with the same thresholds, and a crash or a slow run never blocks the server.
"One at a time" holds across the API workers of one machine: the run holds an exclusive lock on a file in the
runs folder for as long as it lasts.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from guidebot.config import Settings, settings_env
from guidebot.errors import EvalRunningError
from guidebot.evals.compare import compare_runs, run_files

log = logging.getLogger(__name__)

EVAL_SPLITS = ("test",)  # the content team reads the held-out figures; dev is for tuning, at the command line
RUN_ID = re.compile(r"^\d{8}T\d{6}-[a-z0-9]+-[a-z0-9]+$")  # write_run's file names: {stamp}-{split}-{writer}
RUN_ID_PATTERN = RUN_ID.pattern
RUNS_LISTED = 10
RUN_TIMEOUT_S = 3600.0
ERROR_TAIL_CHARS = 2000
LOCK_FILE = ".console-eval.lock"
SUMMARY_SHOWN = (
    "questions",
    "recall@1",
    "recall@5",
    "mrr@10",
    "fact_accuracy",
    "citation_validity",
    "refusal_recall",
    "false_refusals",
    "latency_p95_ms",
)

Command = Callable[[Settings, str], list[str]]
Audit = Callable[[Any, str, str | None, dict[str, Any]], None]


def eval_command(settings: Settings, split: str) -> list[str]:
    """``guidebot eval`` on the split, into the runs folder, with the server's Python."""
    return [
        sys.executable,
        "-m",
        "guidebot.cli",
        "eval",
        "--split",
        split,
        "--set",
        str(settings.eval_golden_dir),
        "--out",
        str(settings.eval_runs_dir),
    ]


@dataclass
class EvalJob:
    split: str
    started_by: str
    started_at: dt.datetime
    state: str = "running"  # running | succeeded | failed
    finished_at: dt.datetime | None = None
    returncode: int | None = None
    run_id: str | None = None
    error: str = ""

    def public(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "split": self.split,
            "started_by": self.started_by,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "returncode": self.returncode,
            "run_id": self.run_id,
            "error": self.error,
        }


class EvalRunner:
    """Starts eval runs in the background, one at a time, and remembers the last one this worker started."""

    def __init__(self, settings: Settings, audit: Audit, command: Command = eval_command) -> None:
        self.settings = settings
        self.command = command  # tests swap in a cheaper command
        self._audit = audit
        self._lock = threading.Lock()
        self._job: EvalJob | None = None
        self._process: subprocess.Popen[str] | None = None

    @property
    def runs_dir(self) -> Path:
        return self.settings.eval_runs_dir

    def job(self) -> EvalJob | None:
        with self._lock:
            return self._job

    def start(self, user: Any, split: str, ip: str | None = None) -> EvalJob:
        """Start a run, audited; EvalRunningError when one is under way."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                raise EvalRunningError("an eval run is already under way")
            self.runs_dir.mkdir(parents=True, exist_ok=True)
            lock = open(self.runs_dir / LOCK_FILE, "a+")  # noqa: SIM115 - held until the run ends, in its thread
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                lock.close()
                raise EvalRunningError("an eval run started from another worker is under way") from exc
            before = set(run_files(self.runs_dir))
            try:
                process = subprocess.Popen(
                    self.command(self.settings, split),
                    env=settings_env(self.settings),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            except OSError:
                lock.close()
                raise
            job = EvalJob(split, user.email, dt.datetime.now(dt.UTC))
            self._job, self._process = job, process
        self._audit(user, "start_eval", split, {"pid": process.pid})
        threading.Thread(
            target=self._wait, args=(process, job, user, lock, before), name="guidebot-eval", daemon=True
        ).start()
        return job

    def _wait(self, process: subprocess.Popen[str], job: EvalJob, user: Any, lock: IO[str], before: set[Path]) -> None:
        try:
            try:
                _, stderr = process.communicate(timeout=RUN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                _, stderr = process.communicate()
                stderr = f"stopped after {RUN_TIMEOUT_S:.0f} s\n{stderr}"
            written = sorted(set(run_files(self.runs_dir)) - before)
            with self._lock:
                job.returncode = process.returncode
                job.finished_at = dt.datetime.now(dt.UTC)
                job.run_id = written[-1].stem if written else None
                job.state = "succeeded" if process.returncode == 0 and written else "failed"
                job.error = "" if job.state == "succeeded" else (stderr or "")[-ERROR_TAIL_CHARS:]
            detail = {"returncode": job.returncode, "run": job.run_id, "state": job.state}
            self._audit(user, "eval_finished", job.split, detail)
        except Exception:  # the run's outcome is lost, not the server  # noqa: BLE001
            log.exception("eval run monitor")
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
            lock.close()

    def close(self) -> None:
        """Stop a run still going when the server stops (it would otherwise outlive it)."""
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()


# --- the runs already written ----------------------------------------------------------------------------------
@lru_cache(maxsize=32)
def _load(path: Path, _mtime_ns: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_run_file(path: Path) -> dict[str, Any]:
    """A run file, parsed once per version of the file."""
    return _load(path, path.stat().st_mtime_ns)


def _summary(run_id: str, data: dict[str, Any], has_report: bool) -> dict[str, Any]:
    meta = data.get("meta", {})
    summary = data.get("summary", {})
    return {
        "id": run_id,
        "created_at": meta.get("created_at"),
        "split": meta.get("split"),
        "variant": meta.get("variant", "guidebot"),
        "writer": meta.get("writer"),
        "embedder": meta.get("embedder"),
        "summary": {k: summary.get(k) for k in SUMMARY_SHOWN},
        "report": has_report,
    }


def list_runs(runs_dir: Path, limit: int = RUNS_LISTED) -> list[dict[str, Any]]:
    """The newest runs, newest first, each with its comparison with the run before it (same split and variant)."""
    paths = [p for p in run_files(runs_dir) if RUN_ID.match(p.stem)]
    out: list[dict[str, Any]] = []
    for i in range(len(paths) - 1, -1, -1):
        if len(out) >= limit:
            break
        try:
            data = load_run_file(paths[i])
        except (OSError, ValueError):
            continue  # a run file being written, or broken: listed once it is whole
        entry = _summary(paths[i].stem, data, paths[i].with_suffix(".html").is_file())
        entry["comparison"] = _compare_with_previous(paths[:i], data)
        out.append(entry)
    return out


def _compare_with_previous(earlier: list[Path], data: dict[str, Any]) -> dict[str, Any] | None:
    meta = data.get("meta", {})
    for path in reversed(earlier):
        try:
            old = load_run_file(path)
        except (OSError, ValueError):
            continue
        old_meta = old.get("meta", {})
        if (old_meta.get("split"), old_meta.get("variant", "guidebot")) == (
            meta.get("split"),
            meta.get("variant", "guidebot"),
        ):
            return {"previous": path.stem, **compare_runs(old, data)}
    return None


def report_path(runs_dir: Path, run_id: str) -> Path | None:
    """The HTML report of a run, or None (an id that is not a run's never leaves the folder)."""
    if not RUN_ID.match(run_id):
        return None
    path = runs_dir / f"{run_id}.html"
    return path if path.is_file() else None
