"""The adviser console in Debian's Chromium (Playwright) against the real server: login, filtering, a
conversation, a review with a correction, the retrieval preview, the gaps report, status and audit pages.
The console's CSP stays on (no bypass): waits use selectors, not functions evaluated in the page."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from browser import launch, screenshot
from consolesite import PASSWORD, USERS, ConsoleSite, console_site
from guidebot.store import schema


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, embedder: Any, cache_dir: Path) -> Iterator[ConsoleSite]:
    with console_site(tmp_path_factory.mktemp("console-browser"), cache_dir, embedder) as s:
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-BE", accept_downloads=True)
    ctx.set_default_timeout(20_000)
    p = ctx.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    ctx.close()
    assert errors == [], f"script errors in the console: {errors}"


def log_in(page: Any, site: ConsoleSite, role: str, start: str = "/console") -> None:
    page.goto(site.base + start)
    page.wait_for_url(re.compile(r"/console/login\?next="))
    page.fill("#email", USERS[role])
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"**{start}")
    page.locator("#user-email", has_text=USERS[role]).wait_for()


def test_login_rejects_a_wrong_password_then_lands_where_asked(page: Any, site: ConsoleSite) -> None:
    page.goto(site.base + "/console/preview")
    page.wait_for_url("**/console/login?next=/console/preview")
    page.fill("#email", USERS["editor"])
    page.fill("#password", "not my password at all")
    page.click("#login-form button[type=submit]")
    error = page.locator("#login-error")
    error.filter(has_text="incorrect").wait_for()
    screenshot(page, "console-login-error")
    site.service.accounts.clear_failures(USERS["editor"])
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/console/preview")
    page.locator("#user-email", has_text=USERS["editor"]).wait_for()


def test_filter_conversations_and_open_one(page: Any, site: ConsoleSite) -> None:
    log_in(page, site, "adviser")
    rows = page.locator("#conversations tr.conversation")
    rows.first.wait_for()
    assert rows.count() == len(site.conversations)
    nav = [a.get_attribute("data-perm") for a in page.locator("#nav-list a").all()]
    assert "gaps" not in nav and "audit" not in nav and "view" in nav
    hostile = page.locator("#conversations", has_text="<img src=x onerror=")
    assert hostile.count() == 1, "a question's markup is shown as text"
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('#conversations img').length") == 0
    screenshot(page, "console-conversations")

    refused = [q for q, a in site.conversations.items() if a["refused"]]
    page.select_option("#filters select[name=refused]", "true")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**refused=true**")
    page.locator(".page-info", has_text=f"({len(refused)} conversation").wait_for()
    assert rows.count() == len(refused)
    page.select_option("#filters select[name=refused]", "")
    page.fill("#filters input[name=q]", "part")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**q=part**")
    page.locator("#conversations tr.conversation", has_text="Combien coûte une part ?").wait_for()
    screenshot(page, "console-filtered")

    page.locator("a.conversation-link", has_text="Combien coûte une part ?").click()
    page.wait_for_url("**/console/conversations/c_*")
    messages = page.locator("section.message")
    messages.first.wait_for()
    assert messages.count() == 2
    first = messages.first
    assert first.locator("table.passages tr.passage").count() >= 1
    assert first.locator("table.passages tr.cited").count() >= 1
    assert "30 €" in first.locator(".answer").inner_text()
    assert first.locator("ul.feedback").inner_text().strip(), "the member's thumbs down is shown"
    screenshot(page, "console-conversation")


def test_review_with_a_correction(page: Any, site: ConsoleSite) -> None:
    answer = site.conversations["Wanneer wordt mijn loon betaald?"]
    log_in(page, site, "adviser", f"/console/conversations/{answer['conversation_id']}")
    form = page.locator(f"section.message[data-id='{answer['message_id']}'] form.review")
    form.wait_for()
    form.locator("input[name=verdict][value=incomplete]").check()
    form.locator("textarea[name=corrected_answer]").fill("Binnen zeven werkdagen na de prestatie.")
    form.locator("input[name=expected_doc_ids]").fill("salaire-wanneer")
    form.locator("button.doc-suggestion[data-doc-id='salaire-wanneer-uitbetaald-nl']").click()
    form.locator("textarea[name=note]").fill("Le délai manque.")
    form.locator("button[type=submit]").click()
    page.locator(".review-saved", has_text="Revue enregistrée").wait_for()
    screenshot(page, "console-review")
    r = schema.reviews
    row = None
    for _ in range(50):
        with site.service.store.engine.connect() as conn:
            row = conn.execute(select(r).where(r.c.message_id == answer["message_id"])).first()
        if row is not None:
            break
        time.sleep(0.1)
    assert row is not None and row.verdict == "incomplete" and row.reviewer_email == USERS["adviser"]
    assert row.expected_doc_ids == ["salaire-wanneer-uitbetaald-nl"]
    assert row.corrected_answer == "Binnen zeven werkdagen na de prestatie."


def test_retrieval_preview(page: Any, site: ConsoleSite) -> None:
    log_in(page, site, "editor", "/console/preview")
    page.fill("#preview-form textarea[name=question]", "Combien coûte une part ?")
    page.click("#preview-form button[type=submit]")
    page.locator("#preview-decision", has_text="Répondrait").wait_for()
    assert page.locator("table#preview-passages tbody tr").count() >= 1
    assert "societariat-prix-part" in page.locator("table#preview-passages").inner_text()
    assert "gate_min_dense" in page.locator("#preview-thresholds").inner_text()
    screenshot(page, "console-preview")
    page.fill("#preview-form textarea[name=question]", "Quel temps fera-t-il demain à Bruxelles ?")
    page.click("#preview-form button[type=submit]")
    page.locator("#preview-decision", has_text="Refuserait").wait_for()


def test_gaps_report_and_csv(page: Any, site: ConsoleSite) -> None:
    log_in(page, site, "editor", "/console/gaps")
    groups = page.locator(".gap-group")
    groups.first.wait_for()
    assert "Quel temps fera-t-il demain à Bruxelles ?" in page.locator("main").inner_text()
    screenshot(page, "console-gaps")
    with page.expect_download() as info:
        page.click("a#gaps-csv")
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("group,count,languages") and len(text.splitlines()) == groups.count() + 1


def test_status_and_audit_pages_for_an_admin(page: Any, site: ConsoleSite) -> None:
    log_in(page, site, "admin", "/console/status")
    page.locator("#status-build-id", has_text=site.service.index_build or "?").wait_for()
    assert page.locator("#changes-added li").count() == 7
    screenshot(page, "console-status")
    page.goto(site.base + "/console/audit")
    page.locator("#audit tr.audit-entry").first.wait_for()
    assert "login" in page.locator("#audit").inner_text()
    screenshot(page, "console-audit")


def test_a_page_beyond_the_role_is_refused_and_logout_ends_the_session(page: Any, site: ConsoleSite) -> None:
    log_in(page, site, "adviser")
    response = page.goto(site.base + "/console/audit")
    assert response is not None and response.status == 403
    assert "Accès refusé" in page.locator("h1").inner_text()
    page.goto(site.base + "/console")
    page.click("#logout")
    page.wait_for_url(re.compile(r"/console/login"))
    page.goto(site.base + "/console")
    page.wait_for_url("**/console/login?next=/console")


@pytest.mark.parametrize("target", ["//evil.example/console", "https://evil.example/", "/\\evil.example"])
def test_login_never_sends_the_browser_off_site(page: Any, site: ConsoleSite, target: str) -> None:
    page.goto(f"{site.base}/console/login?next={target}")
    page.fill("#email", USERS["editor"])
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.locator("#user-email", has_text=USERS["editor"]).wait_for()
    assert page.url.startswith(site.base + "/console"), page.url
