"""Compare two eval runs question by question, and check a run against the minimum figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml


def run_files(runs_dir: Path, split: str | None = None) -> list[Path]:
    """The run files in runs_dir (of one split when given), oldest first (their names start with the time)."""
    return sorted(runs_dir.glob(f"*-{split}-*.json" if split else "*.json"))


def load_run(path_or_last: str, runs_dir: Path, split: str | None = None) -> tuple[Path, dict[str, Any]]:
    """A run file by path, or 'last': the newest run in runs_dir (of the same split when given)."""
    if path_or_last == "last":
        runs = run_files(runs_dir, split)
        if not runs:
            raise FileNotFoundError(f"no earlier run in {runs_dir} to compare with")
        path = runs[-1]
    else:
        path = Path(path_or_last)
    return path, json.loads(path.read_text(encoding="utf-8"))


def _ok(row: dict[str, Any]) -> bool:
    return bool(row["facts_ok"]) and not row["forbidden"]


def compare_runs(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What got better and worse: summary deltas and the questions whose outcome changed."""
    before = {r["id"]: r for r in old["rows"]}
    better: list[dict[str, Any]] = []
    worse: list[dict[str, Any]] = []
    for row in new["rows"]:
        prev = before.get(row["id"])
        if prev is None or _ok(prev) == _ok(row):
            continue
        entry = {
            "id": row["id"],
            "question": row["question"],
            "before": prev["answer"][:200],
            "after": row["answer"][:200],
        }
        (better if _ok(row) else worse).append(entry)
    deltas = {}
    for key, value in new["summary"].items():
        old_value = old["summary"].get(key)
        if isinstance(value, int | float) and isinstance(old_value, int | float):
            deltas[key] = round(value - old_value, 4)
    return {"better": better, "worse": worse, "deltas": deltas}


def check_thresholds(summary: dict[str, Any], path: Path) -> list[str]:
    """The figures below their minimum (or above their maximum) in evals/thresholds.yaml; [] means pass."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    failures = []
    for key, minimum in (spec.get("minimum") or {}).items():
        value = summary.get(key)
        if value is None or value < minimum:
            failures.append(f"{key} = {value} is below the minimum {minimum}")
    for key, maximum in (spec.get("maximum") or {}).items():
        value = summary.get(key)
        if value is None or value > maximum:
            failures.append(f"{key} = {value} is above the maximum {maximum}")
    return failures
