"""The golden set loads and is consistent with the corpus; metrics, the runner, comparison and the gate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from guidebot.evals.compare import check_thresholds, compare_runs
from guidebot.evals.golden import GoldenError, load_golden
from guidebot.evals.metrics import aggregate, answer_sentences, retrieval_metrics
from guidebot.ingest import load_corpus


def test_golden_set_is_valid_and_points_at_real_documents() -> None:
    cases = load_golden(ROOT / "evals" / "golden")
    assert len(cases) >= 200
    langs = {c.lang for c in cases}
    assert langs == {"fr", "nl", "en"} and {c.split for c in cases} == {"train", "dev", "test"}
    kinds = {c.kind for c in cases}
    assert {"followup", "typo", "unanswerable", "off_topic", "injection", "account", "dated", "multi_doc"} <= kinds
    docs = {d.id: d for d in load_corpus(ROOT / "corpus").documents}
    for c in cases:
        assert set(c.expected_docs) <= set(docs), c.id
        assert c.refuse == (not c.expected_docs) or c.kind == "injection", c.id
        if c.kind == "followup":
            assert c.history, c.id
        texts = " ".join(docs[d].text for d in c.expected_docs)
        for pattern in c.must_contain:  # every fact asked for is really in an expected document
            assert re.search(pattern, texts, re.IGNORECASE), (c.id, pattern)


def test_train_questions_are_not_dev_or_test_questions() -> None:
    # the train split fits the unit ranker and the gate: none of its questions may be a held-out one, even
    # reworded only by case, accents or punctuation (near-paraphrases were removed when the split was written)
    def norm(text: str) -> str:
        return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())

    cases = load_golden(ROOT / "evals" / "golden")
    train = [c for c in cases if c.split == "train"]
    held = {norm(c.question) for c in cases if c.split != "train"}
    assert len(train) >= 400
    assert not [c.id for c in train if norm(c.question) in held]
    assert {c.lang for c in train} == {"fr", "nl", "en"} and {"yes_no", "how_to", "multi_doc", "dated"} <= {
        c.kind for c in train
    }


def test_golden_errors_are_clear(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        yaml.safe_dump([{"id": "x", "split": "dev", "lang": "de", "kind": "simple", "question": "q"}]), encoding="utf-8"
    )
    with pytest.raises(GoldenError, match="a.yaml, question 1"):
        load_golden(tmp_path)


def test_retrieval_metrics() -> None:
    assert retrieval_metrics(["a", "b", "c"], {"a"}) == {
        "recall@1": 1.0,
        "recall@5": 1.0,
        "mrr@10": 1.0,
        "ndcg@10": 1.0,
    }
    m = retrieval_metrics(["x", "y", "a"], {"a"})
    assert m["recall@1"] == 0.0 and m["recall@5"] == 1.0 and m["mrr@10"] == pytest.approx(1 / 3)
    assert retrieval_metrics(["x"] * 3, {"a"})["ndcg@10"] == 0.0


def test_answer_sentences_skip_framing_lines() -> None:
    text = (
        "Dit zegt de gids van Smart hierover (de geciteerde tekst is in het Frans):\n\n"
        "Une part coûte 30 €. [1]\n\n- Autre. [2]"
    )
    assert answer_sentences(text) == [("Une part coûte 30 €.", [1]), ("Autre.", [2])]


def _row(i: str, ok: bool, refuse: bool = False, refused: bool = False) -> dict[str, object]:
    return {
        "id": i,
        "question": i,
        "answer": "",
        "refuse": refuse,
        "refused": refused,
        "facts_ok": ok,
        "forbidden": [],
        "citation_validity": 1.0,
        "unsupported_share": 0.0,
        "latency_ms": 10.0,
        "recall@5": 1.0,
    }


def test_aggregate_compare_and_gate(tmp_path: Path) -> None:
    old_rows = [_row("a", True), _row("b", False), _row("c", True, refuse=True, refused=True)]
    new_rows = [_row("a", False), _row("b", True), _row("c", False, refuse=True, refused=False)]
    old, new = {"rows": old_rows, "summary": aggregate(old_rows)}, {"rows": new_rows, "summary": aggregate(new_rows)}
    assert old["summary"]["refusal_recall"] == 1.0 and new["summary"]["refusal_recall"] == 0.0
    diff = compare_runs(old, new)
    assert [b["id"] for b in diff["better"]] == ["b"] and [w["id"] for w in diff["worse"]] == ["a", "c"]
    assert diff["deltas"]["refusal_recall"] == -1.0
    gate = tmp_path / "t.yaml"
    gate.write_text("minimum: {refusal_recall: 0.9}\nmaximum: {false_refusals: 0.05}\n", encoding="utf-8")
    assert check_thresholds(old["summary"], gate) == []
    assert check_thresholds(new["summary"], gate) == ["refusal_recall = 0.0 is below the minimum 0.9"]


def test_thresholds_file_only_names_real_metrics() -> None:
    spec = yaml.safe_load((ROOT / "evals" / "thresholds.yaml").read_text(encoding="utf-8"))
    known = set(aggregate([_row("a", True)]))
    assert set(spec["minimum"]) | set(spec["maximum"]) <= known


def test_naive_langchain_baseline_answers_everything(settings, embedder, write) -> None:
    from conftest import article
    from guidebot.evals.naive import NaivePipeline

    write("part.md", article("societariat-prix-part", "## Prix\n\nUne part de la coopérative coûte 30 euros."))
    write("salaire.md", article("salaire-date-versement", "## Délai\n\nLe salaire est versé sous sept jours."))
    naive = NaivePipeline(settings, embedder, settings.corpus_dir)
    hit = naive.searcher.retrieve("Combien coûte une part ?", k=2).passages[0]
    assert hit.chunk.doc_id == "societariat-prix-part" and hit.lexical_rank is None  # dense only
    answer = naive.ask("Combien coûte une part ?")
    assert not answer.refused and "30 euros" in answer.answer and answer.citations
    assert not naive.ask("Quel temps fera-t-il demain ?").refused  # no gate: it answers off-topic questions too


def test_reports_are_written_and_escape_what_they_show(tmp_path: Path) -> None:
    from guidebot.evals.report import write_run

    row = {
        **_row("q1", False),
        "lang": "fr",
        "kind": "simple",
        "query": "<script>alert(1)</script>",
        "question": "<img src=x onerror=alert(1)>",
        "answer": "<b>réponse</b>",
        "gate": {"reason": "answered"},
        "facts_missing": ["30"],
        "ranking": ["doc-a"],
    }
    rows = [row]
    run = {
        "summary": aggregate(rows),
        "by_lang": {"fr": aggregate(rows)},
        "by_kind": {"simple": aggregate(rows)},
        "rows": rows,
    }
    paths = write_run(run, tmp_path, meta={"split": "test", "writer": "extractive"})
    html = paths.html.read_text(encoding="utf-8")
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert" not in html and html.count('src="data:image/png;base64,') == 2
    assert "Questions that failed (1)" in html
    md = paths.markdown.read_text(encoding="utf-8")
    assert "| fact_accuracy | 0.000 | 0.000 |" in md and "`q1`" in md
    assert json.loads(paths.json.read_text(encoding="utf-8"))["rows"][0]["id"] == "q1"
