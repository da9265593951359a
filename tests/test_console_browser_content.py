"""The console's pages for advisers and the content team in Debian's Chromium (Playwright), in French, Dutch and
English: an answer rendered as the member saw it with the evidence in words, one review form at a time with
sources chosen by title and refusals shown in the console's language, gap marks and trends, corpus usage, the
evals page, and the 403 page with the console's header. The CSP stays on; screenshots go to artifacts/."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import launch, screenshot
from consolesite import COMMENT, PASSWORD, USERS, ConsoleSite
from guidebot.evals.jobs import EvalRunner
from test_console_content import PART, TOOL, WEATHER, WORSE_RUN, content_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, embedder: Any, cache_dir: Path) -> Iterator[ConsoleSite]:
    with content_site(tmp_path_factory.mktemp("console-content-browser"), cache_dir, embedder) as s:
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


def new_page(browser: Any, locale: str) -> tuple[Any, list[str]]:
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale=locale)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    p, errors = new_page(browser, "fr-BE")
    yield p
    p.context.close()
    assert errors == [], f"script errors in the console: {errors}"


def log_in(page: Any, site: ConsoleSite, role: str, start: str) -> None:
    page.goto(site.base + start)
    page.wait_for_url(re.compile(r"/console/login\?next="))
    page.fill("#email", USERS[role])
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(start.split("#")[0]) + r"(#.*)?$"))
    page.locator("#user-email", has_text=USERS[role]).wait_for()


def choose_language(page: Any, lang: str) -> None:
    with page.expect_navigation():
        page.select_option("#lang-select", lang)
    page.locator("#user-email").filter(has_text="@").wait_for()


def test_every_string_exists_in_the_three_languages(page: Any, site: ConsoleSite) -> None:
    page.goto(site.base + "/console/login")
    assert page.evaluate("window.GuidebotConsole.missingStrings()") == []
    assert (
        page.evaluate("window.GuidebotConsole.language") == "fr" and page.locator("html").get_attribute("lang") == "fr"
    )


def test_an_answer_as_the_member_saw_it_and_why_in_three_languages(page: Any, site: ConsoleSite) -> None:
    part = site.conversations[PART]
    log_in(page, site, "adviser", f"/console/conversations/{part['conversation_id']}")
    first = page.locator("section.message").first
    answer = first.locator(".answer.markdown")
    answer.wait_for()
    assert "30 €" in answer.inner_text() and "**" not in answer.inner_text()
    marker = answer.locator("a.cite-marker").first
    assert marker.inner_text() == "[1]" and marker.get_attribute("href") == part["citations"][0]["url"]
    assert marker.get_attribute("target") == "_blank" and "noopener" in (marker.get_attribute("rel") or "")
    closest = first.locator(".evidence a.closest-title")
    assert closest.inner_text() == "Combien coûte une part de Smart ?"
    assert closest.get_attribute("href") == "https://smartbe.be/fr/faq/"
    why = first.locator(".evidence .why")
    assert why.inner_text().startswith(
        "guidebot a répondu : l’article le plus proche, « Combien coûte une part de Smart ? »"
    )
    assert re.search(r"contient \d des \d mots clés", why.inner_text())
    passages = first.locator("details.evidence-details table.passages")
    assert not passages.is_visible(), "raw scores wait behind the details toggle"
    first.locator("details.evidence-details > summary").click()
    passages.wait_for()
    assert "societariat-prix-part" in passages.inner_text()
    assert first.locator("details.evidence-details dl.gate").inner_text().count("top_dense") == 1
    screenshot(page, "console-evidence-fr")

    choose_language(page, "nl")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("#logout").inner_text() == "Afmelden"
    nl = page.locator("section.message").first.locator(".evidence .why")
    assert nl.inner_text().startswith(
        "guidebot antwoordde: het dichtstbijzijnde artikel, ‘Combien coûte une part de Smart ?’"
    )
    screenshot(page, "console-evidence-nl")
    weather = site.conversations[WEATHER]
    page.goto(f"{site.base}/console/conversations/{weather['conversation_id']}")
    refused = page.locator("section.message").first.locator(".evidence .why")
    assert refused.inner_text().startswith("guidebot weigerde:")
    choose_language(page, "en")
    english = page.locator("section.message").first.locator(".evidence .why")
    assert english.inner_text().startswith("guidebot refused:")
    assert page.locator("#nav-list a[data-perm=view]").inner_text() == "Conversations"
    screenshot(page, "console-evidence-refused-en")
    choose_language(page, "fr")


def test_one_review_form_sources_by_title_and_errors_in_the_consoles_language(page: Any, site: ConsoleSite) -> None:
    part = site.conversations[PART]
    log_in(page, site, "adviser", f"/console/conversations/{part['conversation_id']}")
    page.locator("section.message").nth(1).wait_for()
    assert page.locator("form.review").count() == 0, "two answers: no form opens until one is chosen"
    openers = page.locator("button.review-open")
    openers.nth(1).click()
    second = page.locator("section.message").nth(1).locator("form.review")
    second.wait_for()
    openers.nth(0).click()
    form = page.locator("section.message").first.locator("form.review")
    form.wait_for()
    assert page.locator("form.review").count() == 1, "opening a form closes the other"
    assert page.evaluate("document.activeElement.name") == "verdict"

    form.locator("input[name=expected_doc_ids]").fill("coute une")
    suggestion = form.locator("button.doc-suggestion[data-doc-id='societariat-prix-part']")
    assert suggestion.inner_text().startswith("Combien coûte une part de Smart ?")
    suggestion.click()
    chosen = form.locator("ul.chosen-docs li.chosen-doc")
    chosen.first.wait_for()
    assert chosen.count() == 1 and "Combien coûte une part de Smart ?" in chosen.inner_text()
    assert form.locator("input[name=expected_doc_ids]").input_value() == "", "no slug typed in the form"
    form.locator("input[name=verdict][value=incomplete]").check()
    form.locator("textarea[name=note]").fill("Il manque la règle d'une part par année.")
    form.locator("button[type=submit]").click()
    error = form.locator(".review-error")
    error.filter(has_text="Une réponse incomplète demande la réponse corrigée").wait_for()
    assert form.locator("textarea[name=corrected_answer]").get_attribute("aria-invalid") == "true"
    screenshot(page, "console-review-refused-fr")

    choose_language(page, "en")
    page.locator("button.review-open").first.click()
    form = page.locator("section.message").first.locator("form.review")
    form.locator("input[name=verdict][value=incomplete]").check()
    form.locator("button[type=submit]").click()
    form.locator(".review-error", has_text="An incomplete answer needs the corrected, complete answer").wait_for()
    form.locator("textarea[name=corrected_answer]").fill("Une part coûte 30 €, une par année d'utilisation.")
    form.locator("button[type=submit]").click()
    form.locator(".review-saved", has_text="Review saved").wait_for()
    assert "Incomplete" in page.locator("section.message").first.locator(".review-current").inner_text()
    form.locator("button.review-cancel").click()
    assert page.locator("form.review").count() == 0
    screenshot(page, "console-review-saved-en")
    choose_language(page, "fr")


def test_gap_groups_show_trends_comments_and_can_be_marked(page: Any, site: ConsoleSite) -> None:
    log_in(page, site, "editor", "/console/gaps")
    groups = page.locator(".gap-group")
    groups.first.wait_for()
    weather = groups.filter(has_text=WEATHER)
    assert weather.count() == 1
    bars = weather.locator("svg.trend rect")
    assert bars.count() == 13 and weather.locator("svg.trend").get_attribute("role") == "img"
    assert bars.last.get_attribute("data-count") == weather.get_attribute("data-count")
    assert "Questions par semaine" in (weather.locator("svg.trend").get_attribute("aria-label") or "")
    tool = groups.filter(has_text=TOOL)
    assert COMMENT in tool.locator(".gap-comments").inner_text()
    assert "relue : incorrecte" in page.locator("main").inner_text(), "the adviser's review brings a gap"
    screenshot(page, "console-gaps-trends")

    weather.locator("select.mark-status").select_option("out_of_scope")
    weather.locator("button.mark").click()
    page.locator("#gaps-notice", has_text="Groupe marqué").wait_for()
    page.locator(".gap-group", has_text=WEATHER).wait_for(state="detached")
    page.select_option("#g-view", "marked")
    page.click("#gaps-filters button[type=submit]")
    page.wait_for_url("**view=marked**")
    marked = page.locator(".gap-group.marked", has_text=WEATHER)
    marked.wait_for()
    assert "Hors sujet — marqué par " + USERS["editor"] in marked.locator(".mark-state").inner_text()
    screenshot(page, "console-gaps-marked")
    marked.locator("button.unmark").click()
    page.locator("#gaps-notice", has_text="Marque retirée").wait_for()
    page.locator(".gap-group", has_text=WEATHER).wait_for(state="detached")


def test_corpus_status_lists_old_uncited_and_thumbs_down_articles(page: Any, site: ConsoleSite) -> None:
    log_in(page, site, "editor", "/console/status")
    stale = page.locator("table#stale")
    stale.wait_for()
    assert "L'ancien barème de la contribution" in stale.inner_text() and "2019-03-01" in stale.inner_text()
    assert "L'ancien barème de la contribution" in page.locator("table#never-cited").inner_text()
    assert "Combien coûte une part de Smart ?" in page.locator("table#thumbs-down-cited").inner_text()
    assert page.locator("#status-build-id").inner_text() == site.service.index_build
    assert not page.locator("#changes-added").is_visible(), "the build's details wait behind a toggle"
    screenshot(page, "console-corpus-status")
    page.locator("#build-details > summary").click()
    page.locator("#changes-added").wait_for()
    assert page.locator("#changes-added li").count() == 8


def test_the_403_page_keeps_the_header_and_a_logout(browser: Any, site: ConsoleSite) -> None:
    page, errors = new_page(browser, "nl-BE")
    log_in(page, site, "adviser", "/console")
    response = page.goto(site.base + "/console/gaps")
    assert response is not None and response.status == 403
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"] and headers["x-frame-options"] == "DENY"
    page.locator("h1", has_text="Toegang geweigerd").wait_for()
    assert page.locator("#user-email").inner_text() == USERS["adviser"]
    assert "gaps" not in [a.get_attribute("data-perm") for a in page.locator("#nav-list a").all()]
    screenshot(page, "console-403-nl")
    page.click("#logout")
    page.wait_for_url(re.compile(r"/console/login"))
    assert page.locator("h1").inner_text() == "Aanmelden"
    page.context.close()
    assert errors == []


def test_an_editor_starts_the_eval_and_reads_the_comparison(page: Any, site: ConsoleSite) -> None:
    runner: EvalRunner = site.app.state.evals
    log_in(page, site, "editor", "/console/evals")
    page.locator("#eval-runs", has_text="Aucun passage").wait_for()
    page.click("#eval-start")  # the real `guidebot eval` on the two test questions
    page.locator("#eval-job[data-state=succeeded]").wait_for(timeout=180_000)
    rows = page.locator("#eval-runs-table tr.eval-run")
    assert rows.count() == 1
    runner.command = lambda settings, split: [sys.executable, "-c", WORSE_RUN, str(settings.eval_runs_dir)]
    page.wait_for_timeout(1100)  # run files are named to the second
    page.click("#eval-start")
    page.locator("#eval-runs-table tr.eval-run").nth(1).wait_for(timeout=60_000)
    page.locator("#eval-job[data-state=succeeded]").wait_for()
    comparison = page.locator("#eval-comparison")
    assert "Comparaison avec le passage précédent" in comparison.inner_text()
    assert comparison.locator("tr.delta.worse[data-metric=fact_accuracy]").count() == 1
    assert "moins bien traitée" in comparison.inner_text()
    report = rows.first.locator("a.eval-report")
    assert report.get_attribute("href", timeout=5000) is not None
    screenshot(page, "console-evals")
    with page.context.expect_page() as opened:
        report.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert "guidebot eval" in tab.title()


def test_stored_markdown_renders_as_elements_never_as_markup(page: Any, site: ConsoleSite) -> None:
    from sqlalchemy import update

    from guidebot.store import schema

    hostile = next(q for q in site.conversations if q.startswith("<img"))
    answer = site.conversations[hostile]
    markdown = (
        '**<img src=x onerror="window.__pwned=3">** et *italique*\n\n'
        "- [un lien](javascript:window.__pwned=4) puis [1]\n- https://smartbe.be/fr/faq/\n\n1. premier\n2. second"
    )
    with site.service.store.engine.begin() as conn:
        m = schema.messages
        conn.execute(update(m).where(m.c.id == answer["message_id"]).values(answer=markdown))
    log_in(page, site, "adviser", f"/console/conversations/{answer['conversation_id']}")
    box = page.locator("section.message").first.locator(".answer.markdown")
    box.wait_for()
    assert box.locator("strong").inner_text() == '<img src=x onerror="window.__pwned=3">'
    assert box.locator("em").inner_text() == "italique"
    assert box.locator("ul li").count() == 2 and box.locator("ol li").count() == 2
    assert box.locator("img").count() == 0 and page.evaluate("window.__pwned") is None
    assert box.locator("a[href^='javascript']").count() == 0 and "un lien" in box.inner_text()
    assert box.locator("a.answer-link").get_attribute("href") == "https://smartbe.be/fr/faq/"
    marker = box.locator("a.cite-marker")
    cited = answer["citations"][0]["url"] if answer["citations"] else "#cite-" + answer["message_id"] + "-1"
    assert marker.inner_text() == "[1]" and marker.get_attribute("href") == cited, "the source, or its entry here"
    screenshot(page, "console-answer-markdown")
