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
    "lead_accuracy",
    "repeats",
    "median_words",
    "lead_language",
    "citation_validity",
    "unsupported_share",
    "refusal_precision",
    "refusal_recall",
    "false_refusals",
    "masked_questions",
    "latency_p50_ms",
    "latency_p95_ms",
)


@dataclass
class RunPaths:
    json: Path
    markdown: Path
    html: Path
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
    html_path = out_dir / f"{name}.html"
    html_path.write_text(html_report(data), encoding="utf-8")
    summary = run["summary"]
    lines = [f"{k:22} {_fmt(summary.get(k))}" for k in SUMMARY_KEYS]
    return RunPaths(json_path, md_path, html_path, lines)


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
    masked = [r for r in data["rows"] if r.get("masked")]
    lines += ["", f"## Questions changed by personal-data masking ({len(masked)})", ""]
    lines += [f"- `{r['id']}` {r['question']!r} -> {r['masked']!r}" for r in masked]
    return "\n".join(lines) + "\n"


def _plots(data: dict[str, Any]) -> list[str]:
    """PNG plots (base64) of the main figures by language and of the latency distribution."""
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = []
    keys = ["recall@5", "fact_accuracy", "citation_validity", "refusal_recall", "false_refusals"]
    langs = list(data["by_lang"])
    fig, ax = plt.subplots(figsize=(8, 3.2))
    width = 0.8 / max(1, len(langs))
    for i, lang in enumerate(langs):
        values = [data["by_lang"][lang].get(k) or 0.0 for k in keys]
        ax.bar([x + i * width for x in range(len(keys))], values, width, label=lang)
    ax.set_xticks([x + width * (len(langs) - 1) / 2 for x in range(len(keys))], keys, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    ax.set_title("Main figures by language")
    fig.tight_layout()
    fig2, ax2 = plt.subplots(figsize=(8, 2.6))
    ax2.hist([r["latency_ms"] for r in data["rows"]], bins=30)
    ax2.set_xlabel("answer latency (ms)")
    ax2.set_title("Latency")
    fig2.tight_layout()
    for figure in (fig, fig2):
        buf = io.BytesIO()
        figure.savefig(buf, format="png", dpi=110)
        plt.close(figure)
        images.append(base64.b64encode(buf.getvalue()).decode("ascii"))
    return images


def html_report(data: dict[str, Any]) -> str:
    """A self-contained HTML report: tables, plots, failed questions (all text escaped)."""
    from html import escape

    langs = list(data["by_lang"])
    head = "".join(f"<th>{escape(x)}</th>" for x in ["metric", "all", *langs])
    rows = []
    for key in SUMMARY_KEYS:
        cells = [_fmt(data["summary"].get(key))] + [_fmt(data["by_lang"][lang].get(key)) for lang in langs]
        rows.append(f"<tr><th>{escape(key)}</th>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    kinds = []
    for kind, agg in data["by_kind"].items():
        cells = [
            str(agg["questions"]),
            _fmt(agg.get("recall@5")),
            _fmt(agg.get("fact_accuracy")),
            _fmt(agg.get("refusal_recall")),
            _fmt(agg.get("false_refusals")),
        ]
        kinds.append(f"<tr><th>{escape(kind)}</th>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    failed = []
    for r in data["rows"]:
        if r["facts_ok"] and not r["forbidden"]:
            continue
        failed.append(
            f"<details><summary><code>{escape(r['id'])}</code> ({escape(r['lang'])}, {escape(r['kind'])}) "
            f"{escape(r['question'])}</summary><p>query: {escape(r['query'])}<br>gate: "
            f"{escape(str(r['gate'].get('reason')))}; missing: {escape(str(r['facts_missing']))}; "
            f"retrieved: {escape(', '.join(r['ranking'][:5]))}</p><pre>{escape(r['answer'])}</pre></details>"
        )
    images = "".join(f'<img alt="plot" src="data:image/png;base64,{img}">' for img in _plots(data))
    meta = data["meta"]
    title = f"guidebot eval — {meta.get('split')} split, {meta.get('variant', 'guidebot')}, {meta.get('writer')}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}}
table{{border-collapse:collapse;margin:1rem 0}}td,th{{border:1px solid #bbb;padding:.25rem .6rem;text-align:right}}
th{{text-align:left}}img{{max-width:100%;display:block;margin:1rem 0}}pre{{white-space:pre-wrap;background:#f4f4f4;
padding:.5rem}}details{{margin:.3rem 0}}</style></head><body>
<h1>{escape(title)}</h1><p>{escape(str(meta.get("created_at")))} · {data["summary"]["questions"]} questions</p>
<table><tr>{head}</tr>{"".join(rows)}</table>{images}
<h2>By kind</h2><table><tr><th>kind</th><th>n</th><th>recall@5</th><th>fact accuracy</th><th>refusal recall</th>
<th>false refusals</th></tr>{"".join(kinds)}</table>
<h2>Questions that failed ({len(failed)})</h2>{"".join(failed)}</body></html>
"""
