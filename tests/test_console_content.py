"""The console for advisers and the content team on a real server: an answer's evidence in words, the review
rules, content gaps (reviews, comments, one question per conversation, marks, weekly trends), corpus usage, and
evals started from the console. What reads or writes the store runs on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import yaml
from sqlalchemy import select

from consolesite import COMMENT, USERS, ConsoleSite, console_site, seed_content_team, write_old_article
from guidebot.config import Settings
from guidebot.console.corpus import corpus_usage
from guidebot.console.evidence import closest_article, explanation
from guidebot.console.gaps import GapGroup, gap_report, group_centroid, weekly_trend
from guidebot.errors import EvalRunningError
from guidebot.evals.jobs import EvalRunner
from guidebot.store import schema
from guidebot.store.content import CitationCounts, GapMark
from test_api import assert_error

WEATHER = "Quel temps fera-t-il demain à Bruxelles ?"
PART = "Combien coûte une part ?"
PAID = "Wanneer wordt mijn loon betaald?"
TOOL = "Dans l'outil 3en1, à quoi sont rattachés la facture et le salaire ?"
GOLDEN = [
    {
        "id": "console-fr-001",
        "split": "test",
        "lang": "fr",
        "kind": "simple",
        "question": PART,
        "expected_docs": ["societariat-prix-part"],
        "must_contain": ["30"],
    },
    {"id": "console-fr-002", "split": "test", "lang": "fr", "kind": "off_topic", "question": WEATHER, "refuse": True},
]


@contextmanager
def content_site(root: Path, cache_dir: Path, embedder: Any, **overrides: Any) -> Iterator[ConsoleSite]:
    """The console site with an article from 2019 and the content team's seeds (see consolesite.py)."""
    write_old_article(root)
    golden = root / "golden"
    golden.mkdir(parents=True, exist_ok=True)
    (golden / "console.yaml").write_text(yaml.safe_dump(GOLDEN, allow_unicode=True), encoding="utf-8")
    settings = {"eval_golden_dir": golden, "eval_runs_dir": root / "runs", **overrides}
    with console_site(root, cache_dir, embedder, **settings) as s:
        seed_content_team(s)
        yield s


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, embedder: Any, cache_dir: Path) -> Iterator[ConsoleSite]:
    with content_site(tmp_path_factory.mktemp("console-content"), cache_dir, embedder) as s:
        yield s


def message_ids(site: ConsoleSite, question: str) -> list[str]:
    m = schema.messages
    with site.service.store.engine.connect() as conn:
        rows = conn.execute(select(m.c.id).where(m.c.question == question).order_by(m.c.created_at)).scalars()
        return list(rows)


# --- the evidence of an answer, in words ------------------------------------------------------------------------
def test_a_message_names_its_closest_article_and_what_decided(site: ConsoleSite) -> None:
    part, weather = site.conversations[PART], site.conversations[WEATHER]
    with site.session("adviser") as (http, _):
        answered = http.get(f"/api/console/conversations/{part['conversation_id']}").json()["messages"][0]
        refused = http.get(f"/api/console/conversations/{weather['conversation_id']}").json()["messages"][0]
    assert answered["closest_article"] == {
        "doc_id": "societariat-prix-part",
        "title": "Combien coûte une part de Smart ?",
        "section": "Combien coûte une part ?",
        "url": "https://smartbe.be/fr/faq/",
    }
    why = answered["explanation"]
    assert why["refused"] is False and why["reason"] == "answered" and why["gate_reason"] == "answered"
    assert why["key_terms"] == len(answered["gate"]["key_terms"]) > 0
    assert why["terms_found"] == round(answered["gate"]["coverage"] * why["key_terms"])
    assert isinstance(why["legs_agree"], bool)
    assert refused["explanation"]["refused"] is True and refused["explanation"]["reason"] == refused["reason"]


def test_the_explanation_reads_the_stored_features() -> None:
    gate = {"reason": "terms_not_covered", "key_terms": ["a", "b", "c", "d"], "coverage": 0.5, "coverage_known": True}
    e = explanation({"reason": "terms_not_covered", "refused": True, "gate": gate})
    assert (e["key_terms"], e["terms_found"], e["missing_figures"]) == (4, 2, [])
    unknown = explanation({"reason": "answered", "refused": False, "gate": {**gate, "coverage_known": False}})
    assert unknown["terms_found"] is None, "coverage of another language's passage is not counted"
    figures = explanation({"reason": "figure_not_found", "refused": True, "gate": {"missing_figures": ["2031"]}})
    assert figures["missing_figures"] == ["2031"] and figures["key_terms"] == 0
    passages = [
        {"rank": 1, "doc_id": "a", "title": "A", "section": "s", "dense_score": 0.81},
        {"rank": 2, "doc_id": "gone", "title": "Gone", "section": "t", "dense_score": 0.86},
    ]
    assert closest_article(passages, {"a": {"url": "https://x.example/a"}}) == {
        "doc_id": "gone",
        "title": "Gone",
        "section": "t",
        "url": None,
    }, "the most similar passage, and no link once its article left the index"
    assert closest_article([], {}) is None


# --- reviews ----------------------------------------------------------------------------------------------------
def test_review_rules_and_their_codes(site: ConsoleSite) -> None:
    url = f"/api/console/messages/{site.conversations[PART]['message_id']}/review"
    with site.session("adviser") as (http, csrf):
        h = {"X-CSRF-Token": csrf}
        no_answer = {"verdict": "incomplete", "expected_doc_ids": ["societariat-prix-part"], "note": "Il manque."}
        assert_error(http.post(url, json=no_answer, headers=h), 422, "corrected_answer_required")
        nothing = http.post(url, json={"verdict": "incorrect"}, headers=h)
        assert_error(nothing, 422, "invalid_request")
        assert nothing.json()["error"]["reason"] == "review_needs_detail"
        unknown = http.post(
            url, json={**no_answer, "corrected_answer": "30 €.", "expected_doc_ids": ["nope"]}, headers=h
        )
        assert_error(unknown, 422, "invalid_request")
        assert unknown.json()["error"].items() >= {"reason": "unknown_documents", "doc_ids": ["nope"]}.items()
        assert http.post(
            url, json={"verdict": "incorrect", "note": "Guidebot aurait dû refuser."}, headers=h
        ).is_success
        complete = http.post(url, json={**no_answer, "corrected_answer": "Une part coûte 30 €."}, headers=h)
        assert complete.status_code == 200 and complete.json()["verdict"] == "incomplete"


def test_documents_are_found_by_title_without_accents(site: ConsoleSite) -> None:
    with site.session("adviser") as (http, _):
        for q in ("coute une part", "COÛTE", "prix-part"):
            found = http.get("/api/console/documents", params={"q": q}).json()["items"]
            assert [d["doc_id"] for d in found] == ["societariat-prix-part"], q
        every = http.get("/api/console/documents").json()["items"]
    titles = [d["title"].casefold() for d in every]
    assert titles == sorted(titles) and every[0]["updated"]


# --- content gaps and corpus usage, on both stores -----------------------------------------------------------------
def groups_of(http: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    r = http.get("/api/console/gaps", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["groups"])


def group_with(groups: list[dict[str, Any]], message_id: str) -> dict[str, Any] | None:
    return next((g for g in groups if message_id in g["message_ids"]), None)


def test_gaps_marks_and_corpus_usage_on_both_stores(
    store_url: str, tmp_path: Path, cache_dir: Path, embedder: Any
) -> None:
    with content_site(tmp_path, cache_dir, embedder, database_url=store_url) as s, s.session("editor") as (http, csrf):
        h = {"X-CSRF-Token": csrf}
        groups = groups_of(http)
        paid = group_with(groups, s.conversations[PAID]["message_id"])
        assert paid is not None, "an answer an adviser reviewed as incorrect is a gap"
        assert paid["reasons"]["incorrect"] == 1 and {"refused", "thumbs_down", "low_confidence"} <= set(
            paid["reasons"]
        )
        tool = group_with(groups, s.conversations[TOOL]["message_id"])
        assert tool is not None and tool["comments"][0]["comment"] == COMMENT
        assert COMMENT in tool["examples"][0]["comments"]
        first, repeated = message_ids(s, WEATHER) + message_ids(s, "Quel  temps fera-t-il demain à Bruxelles ?")
        weather = group_with(groups, first)
        assert weather is not None and repeated not in weather["message_ids"], "once per conversation"
        for g in groups:
            assert len(g["trend"]) == 13 and sum(g["trend"]) == g["count"] and g["trend"][-1] == g["count"]
            assert g["mark"] is None
        everything = http.get("/api/console/gaps").json()["total_questions"]

        marked = http.post(
            "/api/console/gaps/marks", json={"status": "out_of_scope", "message_ids": weather["message_ids"]}, headers=h
        )
        assert marked.status_code == 200, marked.text
        mark = marked.json()
        assert mark["status"] == "out_of_scope" and mark["by"] == USERS["editor"]
        assert group_with(groups_of(http), first) is None, "a marked group leaves the default view"
        assert http.get("/api/console/gaps").json()["total_questions"] == everything - weather["count"]
        for view, shown in (("marked", True), ("out_of_scope", True), ("article_planned", False), ("all", True)):
            found = group_with(groups_of(http, view=view), first)
            assert (found is not None) == shown, view
            if found:
                assert found["mark"]["id"] == mark["id"] and found["mark"]["status"] == "out_of_scope"
        with s.client() as member:  # the same question asked again later, elsewhere: still out of scope
            assert member.post("/api/chat", json={"message": WEATHER}).status_code == 200
        assert group_with(groups_of(http), message_ids(s, WEATHER)[-1]) is None
        export = list(csv.reader(io.StringIO(http.get("/api/console/gaps.csv", params={"view": "marked"}).text)))
        assert export[0][:8] == ["group", "count", "languages", "refused", "thumbs_down", "low_confidence",
                                 "example_questions", "closest_passages"]  # fmt: skip
        assert export[0][8:] == ["incorrect", "incomplete", "status", "weekly_trend", "thumbs_down_comments"]
        assert [row[10] for row in export[1:]] == ["out_of_scope"]
        entries, _ = s.service.accounts.audit_entries("mark_gap")
        assert (entries[0].user, entries[0].target, entries[0].detail["status"]) == (
            USERS["editor"],
            mark["id"],
            "out_of_scope",
        )

        assert http.delete(f"/api/console/gaps/marks/{mark['id']}", headers=h).json() == {"ok": True}
        assert group_with(groups_of(http), first) is not None
        assert_error(http.delete(f"/api/console/gaps/marks/{mark['id']}", headers=h), 404, "mark_not_found")
        assert s.service.accounts.audit_entries("unmark_gap")[0][0].target == mark["id"]
        ghost = {"status": "article_planned", "message_ids": ["m_nothere"]}
        assert_error(http.post("/api/console/gaps/marks", json=ghost, headers=h), 404, "message_not_found")
        for bad in ({"status": "someday", "message_ids": [first]}, {"status": "out_of_scope", "message_ids": []}):
            assert_error(http.post("/api/console/gaps/marks", json=bad, headers=h), 422, "invalid_request")
        assert_error(http.get("/api/console/gaps", params={"view": "hidden"}), 422, "invalid_request")

        corpus = http.get("/api/console/status").json()["corpus"]
        assert [d["doc_id"] for d in corpus["stale"]] == ["contribution-ancien-bareme"]
        assert corpus["stale"][0]["age_days"] > 365 and corpus["stale_after_days"] == 365
        never = {d["doc_id"] for d in corpus["never_cited"]}
        assert "contribution-ancien-bareme" in never and "societariat-prix-part" not in never
        down = {d["doc_id"]: d for d in corpus["thumbs_down"]}
        assert down["societariat-prix-part"]["thumbs_down"] >= 1, "the thumbs-down answer cites it"
        assert down["societariat-prix-part"]["cited"] >= down["societariat-prix-part"]["thumbs_down"]
        tomorrow = str(dt.date.today() + dt.timedelta(days=1))
        later = http.get("/api/console/status", params={"since": tomorrow}).json()["corpus"]
        assert later["thumbs_down"] == [] and len(later["never_cited"]) == 8 and later["since"] == tomorrow


def test_gap_report_marks_by_meaning_and_counts_weeks() -> None:
    rng = np.random.default_rng(1)
    topic = rng.normal(size=16)
    topic /= np.linalg.norm(topic)
    vecs = np.vstack([topic + 0.01 * rng.normal(size=16) for _ in range(3)])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    questions = [
        {
            "question": f"q{i}",
            "message_id": f"m_{i}",
            "conversation_id": f"c_{i}",
            "created_at": f"2026-11-{10 + 7 * i:02d}T09:00:00+00:00",
            "reason": "incomplete" if i == 0 else "refused",
            "language": "fr",
        }
        for i in range(3)
    ]
    old = GapMark(
        "g_1", "article_planned", dt.datetime.now(dt.UTC), "x", "q", frozenset({"m_old"}), group_centroid(vecs)
    )
    period = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    report = gap_report(questions, vecs, [old], 0.88, period)
    assert report.groups == [] and report.total_questions == 0, "no question shared, but the same meaning"
    planned = gap_report(questions, vecs, [old], 0.88, period, view="article_planned").groups
    assert [g.mark for g in planned] == [old] and planned[0].trend == [0, 1, 1, 1, 0]
    public = planned[0].public()
    assert public["reasons"] == {"refused": 2, "thumbs_down": 0, "low_confidence": 0, "incomplete": 1}
    assert gap_report(questions, vecs, [], 0.88, period).groups[0].mark is None
    assert weekly_trend(["2026-11-01T00:00:00+00:00", "2026-12-31T00:00:00+00:00"], *period) == [1, 0, 0, 0, 1]
    assert isinstance(planned[0], GapGroup)


def test_corpus_usage_reads_the_stale_setting() -> None:
    docs = {
        "a": {"title": "A", "updated": "2025-01-01", "url": "https://x/a"},
        "b": {"title": "B", "updated": "2026-11-01"},
        "c": {"title": "C", "updated": "not a date"},
    }
    counts = CitationCounts(cited=Counter({"b": 3, "a": 1}), thumbs_down=Counter({"b": 2}))
    usage = corpus_usage(docs, counts, dt.date(2026, 12, 1), Settings(stale_after_days=20).stale_after_days)
    assert [d["doc_id"] for d in usage["stale"]] == ["a", "b"]
    assert [d["doc_id"] for d in usage["never_cited"]] == ["c"]
    assert usage["thumbs_down"] == [{**usage["thumbs_down"][0], "doc_id": "b", "thumbs_down": 2, "cited": 3}]
    assert [d["doc_id"] for d in corpus_usage(docs, counts, dt.date(2026, 12, 1), 365)["stale"]] == ["a"]


# --- evals from the console ----------------------------------------------------------------------------------------
def wait_for_job(http: httpx.Client, timeout_s: float = 180.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = http.get("/api/console/evals").json()
        if state["job"] and state["job"]["state"] != "running":
            return dict(state)
        time.sleep(0.5)
    raise AssertionError("the eval run did not finish")


# A cheap stand-in for `guidebot eval`: the newest run again, with every fact wrong (as a regression would be).
WORSE_RUN = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from guidebot.evals.compare import run_files
    from guidebot.evals.report import write_run
    out = Path(sys.argv[1])
    last = json.loads(run_files(out)[-1].read_text(encoding="utf-8"))
    rows = [dict(r, facts_ok=False) for r in last["rows"]]
    run = {"summary": dict(last["summary"], fact_accuracy=0.0), "by_lang": last["by_lang"],
           "by_kind": last["by_kind"], "rows": rows}
    write_run(run, out, {k: v for k, v in last["meta"].items() if k != "created_at"})
    """
)


def test_an_editor_runs_the_eval_from_the_console(site: ConsoleSite) -> None:
    runner: EvalRunner = site.app.state.evals
    with site.session("editor") as (http, csrf):
        h = {"X-CSRF-Token": csrf}
        assert http.get("/api/console/evals").json() == {"job": None, "runs": []}
        started = http.post("/api/console/evals", json={"split": "test"}, headers=h)
        assert started.status_code == 202, started.text
        assert started.json()["job"]["state"] == "running" and started.json()["job"]["started_by"] == USERS["editor"]
        assert_error(http.post("/api/console/evals", json={}, headers=h), 409, "eval_running")
        t0 = time.perf_counter()
        assert http.get("/api/console/conversations").status_code == 200
        assert time.perf_counter() - t0 < 2.0, "the server answers while the eval runs"
        done = wait_for_job(http)
        assert done["job"]["state"] == "succeeded", done["job"]["error"]
        first = done["runs"][0]
        assert first["id"] == done["job"]["run_id"] and first["split"] == "test" and first["report"] is True
        assert first["summary"]["questions"] == 2 and first["comparison"] is None
        report = http.get(f"/api/console/evals/{first['id']}/report")
        assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
        assert "sandbox" in report.headers["content-security-policy"] and "guidebot eval" in report.text
        assert_error(http.get("/api/console/evals/20990101T000000-test-extractive/report"), 404, "run_not_found")
        assert_error(http.get("/api/console/evals/not-a-run/report"), 422, "invalid_request")
        assert_error(http.post("/api/console/evals", json={"split": "dev"}, headers=h), 422, "invalid_request")

        time.sleep(1.1)  # run files are named to the second
        runner.command = lambda settings, split: [sys.executable, "-c", WORSE_RUN, str(settings.eval_runs_dir)]
        assert http.post("/api/console/evals", json={}, headers=h).status_code == 202
        compared = wait_for_job(http)["runs"][0]
    assert compared["comparison"]["previous"] == first["id"]
    assert compared["comparison"]["deltas"]["fact_accuracy"] < 0
    rows = json.loads((site.settings.eval_runs_dir / f"{first['id']}.json").read_text(encoding="utf-8"))["rows"]
    were_ok = {r["id"] for r in rows if r["facts_ok"] and not r["forbidden"]}
    assert were_ok and {q["id"] for q in compared["comparison"]["worse"]} == were_ok
    assert compared["comparison"]["better"] == []
    actions = [e.action for e in site.service.accounts.audit_entries()[0]]
    assert actions.count("start_eval") == 2 and actions.count("eval_finished") == 2


def test_one_run_at_a_time_across_workers(site: ConsoleSite) -> None:
    editor = site.service.accounts.get_user(USERS["editor"])
    calls: list[str] = []
    sleeping = EvalRunner(
        site.settings,
        lambda *a: calls.append(a[1]),
        lambda s, split: [sys.executable, "-c", "import time; time.sleep(30)"],
    )
    other_worker = EvalRunner(site.settings, lambda *a: calls.append(a[1]))
    sleeping.start(editor, "test")
    try:
        with pytest.raises(EvalRunningError):
            other_worker.start(editor, "test")
        with pytest.raises(EvalRunningError):
            sleeping.start(editor, "test")
    finally:
        sleeping.close()
    deadline = time.monotonic() + 20
    while (job := sleeping.job()) is not None and job.state == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert job is not None and job.state == "failed" and calls == ["start_eval", "eval_finished"]
