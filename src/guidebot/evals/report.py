"""Run files (JSON) and the Markdown report of an eval run."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUMMARY_KEYS = (
    "recall@1",
    "recall@5",
    "mrr@10",
    "ndcg@10",
    "fact_accuracy",
    "citation_validity",
    "unsupported_share",
    "refusal_precision",
    "refusal_recall",
    "false_refusals",
    "latency_p50_ms",
    "latency_p95_ms",
)


@dataclass
class RunPaths:
    json: Path
    markdown: Path
    summary_lines: list[str] = field(default_factory=list)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.0f}"
    return str(value)


def write_run(run: dict[str, Any], out_dir: Path, meta: dict[str, Any]) -> RunPaths:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    name = f"{stamp}-{meta.get('split', 'all')}-{meta.get('writer', 'extractive')}"
    data = {"meta": {**meta, "created_at": stamp}, **run}
    json_path = out_dir / f"{name}.json"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    md_path = out_dir / f"{name}.md"
    md_path.write_text(markdown_report(data), encoding="utf-8")
    summary = run["summary"]
    lines = [f"{k:22} {_fmt(summary.get(k))}" for k in SUMMARY_KEYS]
    return RunPaths(json_path, md_path, lines)


def markdown_report(data: dict[str, Any]) -> str:
    lines = [f"# guidebot eval — {data['meta'].get('split')} split, {data['meta'].get('writer')} writer", ""]
    lines += ["| metric | all | " + " | ".join(data["by_lang"]) + " |", "|---|---|" + "---|" * len(data["by_lang"])]
    for key in SUMMARY_KEYS:
        cells = [_fmt(data["summary"].get(key))] + [_fmt(v.get(key)) for v in data["by_lang"].values()]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## By kind",
        "",
        "| kind | n | recall@5 | fact accuracy | refusal recall | false refusals |",
        "|---|---|---|---|---|---|",
    ]
    for kind, agg in data["by_kind"].items():
        lines.append(
            f"| {kind} | {agg['questions']} | {_fmt(agg.get('recall@5'))} | {_fmt(agg.get('fact_accuracy'))} "
            f"| {_fmt(agg.get('refusal_recall'))} | {_fmt(agg.get('false_refusals'))} |"
        )
    failures = [r for r in data["rows"] if not r["facts_ok"] or r["forbidden"]]
    lines += ["", f"## Questions that failed ({len(failures)})", ""]
    for r in failures:
        why = (
            "refused"
            if r["refused"] and not r["refuse"]
            else "answered, should refuse"
            if r["refuse"]
            else (f"missing {r['facts_missing']}" if r["facts_missing"] else f"forbidden {r['forbidden']}")
        )
        lines.append(
            f"- `{r['id']}` ({r['lang']}, {r['kind']}) {r['question']!r}: {why}; "
            f"gate {r['gate'].get('reason')}, top {r['ranking'][:3]}"
        )
    return "\n".join(lines) + "\n"
