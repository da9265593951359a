"""The console's ES modules in Debian's Chromium under the console's own CSP: every page loads the whole module graph
from /console/assets/, as JavaScript, with no script error and nothing refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import launch, screenshot
from consolesite import PASSWORD, USERS, ConsoleSite, console_site
from guidebot.api.console import MODULES_DIR

MODULES = sorted(p.name for p in (Path(__file__).resolve().parents[1] / "web" / "console" / MODULES_DIR).glob("*.js"))
PAGES = ["/console", "/console/preview", "/console/gaps", "/console/status", "/console/evals", "/console/audit"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, embedder: Any, cache_dir: Path) -> Iterator[ConsoleSite]:
    with console_site(tmp_path_factory.mktemp("console-modules"), cache_dir, embedder) as s:
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


def test_every_page_loads_every_module_under_the_csp(browser: Any, site: ConsoleSite) -> None:
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def logged(message: Any) -> None:
        # the browser's own favicon request is no page's doing (the console declares no icon)
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", logged)
    scripts: dict[str, tuple[int, str]] = {}

    def seen(response: Any) -> None:
        if response.status >= 400:
            errors.append(f"{response.status} {response.url}")
        if response.request.resource_type == "script":
            scripts[response.url] = (response.status, response.headers.get("content-type", ""))

    page.on("response", seen)
    try:
        page.goto(site.base + "/console/login")
        page.locator("#lang-select").wait_for()
        assert page.locator("h1").inner_text() == "Log in"  # strings.js and language.js ran
        loaded = sorted(re.sub(r"^.*/console/assets/", "", url) for url in scripts)
        assert loaded == MODULES, "the login page loads the whole graph from main.js"
        assert set(scripts.values()) == {(200, "text/javascript; charset=utf-8")}

        page.fill("#email", USERS["admin"])
        page.fill("#password", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url("**/console")
        for path in PAGES:
            page.goto(site.base + path)
            page.locator("#user-email", has_text=USERS["admin"]).wait_for()
            page.locator("main h1").first.wait_for()
            assert page.locator(f'#nav-list a[href="{path}"][aria-current="page"]').count() == 1, path
        screenshot(page, "console-modules-audit")
        assert page.evaluate("Object.keys(window.GuidebotConsole).sort()") == [
            "fmtDate",
            "language",
            "missingStrings",
            "safeNext",
            "safeUrl",
        ]
    finally:
        ctx.close()
    assert errors == [], f"script errors or refusals in the console: {errors}"


def test_the_preview_takes_its_question_limit_from_the_server(browser: Any, site: ConsoleSite) -> None:
    """The console holds no limit of its own: /me says the chat's, and the preview's text box takes it."""
    with site.session("editor") as (http, _):
        limit = http.get("/api/console/me").json()["max_question_chars"]
    assert limit == 2000
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-BE")
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    try:
        page.goto(site.base + "/console/login")
        page.fill("#email", USERS["editor"])
        page.fill("#password", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url("**/console")
        page.goto(site.base + "/console/preview")
        page.locator("#preview-question").wait_for()
        assert page.locator("#preview-question").get_attribute("maxlength") == str(limit)
    finally:
        ctx.close()
