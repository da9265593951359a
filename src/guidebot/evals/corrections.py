"""Advisers' reviews turned into golden eval cases (``guidebot eval import-corrections``).

- correct: the answer stands; the case expects the documents it cited (or those the adviser named) and,
  for a refusal, a refusal.
- incorrect or incomplete with sources: the case expects those documents, and the figures of the corrected
  answer that the documents really contain.
- incorrect with no sources on an answered question: guidebot should have refused.

Cases go to one YAML file (``evals/golden/corrections.yaml`` by default) with ids ``corr-<message>``; importing
again updates a case from its newest review and keeps everything else in the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from guidebot.answer.text import numbers_in
from guidebot.evals.golden import GoldenCase

DEFAULT_FILE = Path("evals/golden/corrections.yaml")


def case_from_review(
    message: dict[str, Any], review: dict[str, Any], doc_texts: dict[str, str], split: str, cited: list[str]
) -> dict[str, Any]:
    """One golden case (as a YAML-ready dict) from a message and its newest review."""
    verdict = review["verdict"]
    expected = list(review["expected_doc_ids"]) or (cited if verdict == "correct" else [])
    refuse = (verdict == "correct" and message["refused"]) or (verdict == "incorrect" and not expected)
    must_contain: list[str] = []
    if not refuse and review.get("corrected_answer"):
        text = " ".join(doc_texts.get(d, "") for d in expected)
        for figure in numbers_in(review["corrected_answer"]):
            if figure in text.replace(",", ".") or figure in text:
                must_contain.append(re.escape(figure).replace(r"\.", r"[.,]"))
    history = list(message.get("history", []))
    kind = "unanswerable" if refuse else "followup" if history else "simple"
    note_parts = [f"From the {verdict} review of {review['reviewer']} on {review['created_at'][:10]}."]
    if review.get("corrected_answer"):
        note_parts.append(f"Corrected answer: {review['corrected_answer']}")
    if review.get("note"):
        note_parts.append(f"Note: {review['note']}")
    case = {
        "id": "corr-" + message["id"].removeprefix("m_"),
        "split": split,
        "lang": message["language"],
        "kind": kind,
        "question": message["question"],
        "history": history,
        "expected_docs": [] if refuse else expected,
        "must_contain": sorted(set(must_contain)),
        "must_not_contain": [],
        "refuse": bool(refuse),
        "note": " ".join(note_parts),
    }
    GoldenCase(**case)  # the same validation the eval applies when it loads the file
    return case


def merge_cases(path: Path, cases: list[dict[str, Any]]) -> tuple[int, int]:
    """Write the cases into the YAML file, replacing those with the same id; returns (added, updated)."""
    existing: list[dict[str, Any]] = []
    if path.is_file():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(loaded, list):
            raise ValueError(f"{path}: expected a YAML list of questions")
        existing = loaded
    by_id = {c["id"]: i for i, c in enumerate(existing)}
    added = updated = 0
    for case in cases:
        if case["id"] in by_id:
            if existing[by_id[case["id"]]] != case:
                existing[by_id[case["id"]]] = case
                updated += 1
        else:
            by_id[case["id"]] = len(existing)
            existing.append(case)
            added += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Golden questions from advisers' reviews in the console (guidebot eval import-corrections).\n"
    body = yaml.safe_dump(existing, allow_unicode=True, sort_keys=False, width=120)
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(header + body, encoding="utf-8")
    tmp.replace(path)
    return added, updated
