"""The chat widget in Debian's Chromium (Playwright) against the real server on loopback.

The widget is embedded twice: on the demo page the server serves at ``/`` (with its CSP), and on a page of
another origin with hostile CSS and no CSP at all, so that what keeps markup inert is the widget itself.
Screenshots land in artifacts/screenshots/.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from apiserver import free_port, running
from browser import launch, screenshot
from guidebot.api import ChatService, create_app
from guidebot.index.builder import IndexBuilder
from guidebot.store import schema
from test_api import sample_settings

HOST_PORT = free_port()
# Another origin than the API's (127.0.0.1), still on loopback: Chromium keeps a public page off loopback.
HOST_ORIGIN = f"http://localhost:{HOST_PORT}"
GUIDE_URL = "https://smartbe.be/fr/faq/"
HOSTILE_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Smart : un article du guide</title>
<style>
  * {{ font-family: serif !important; color: #0f0 !important; }}
  button, textarea, a, ol, li {{ display: inline !important; font-size: 40px !important; background: red !important; }}
  div {{ position: static !important; }}
</style></head>
<body><h1>Facturer un client</h1><p>Un article du guide, sur un autre site que guidebot.</p>
<script src="{base}/widget.js" data-guidebot-url="{base}" {data_lang} defer></script>
</body></html>"""


class Site:
    def __init__(self, base: str, service: ChatService) -> None:
        self.base = base
        self.service = service


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, embedder: Any, cache_dir: Path) -> Iterator[Site]:
    settings = sample_settings(
        tmp_path_factory.mktemp("widget"),
        cache_dir,
        cors_origins=[HOST_ORIGIN],
        adviser_url="https://www.smart.coop/contact",
        rate_limit_per_minute=10_000,
    )
    IndexBuilder(settings, embedder).build()
    service = ChatService(settings, embedder=embedder)
    with running(create_app(settings, service)) as base:
        yield Site(base, service)


@pytest.fixture(scope="module")
def host_site(site: Site) -> Iterator[str]:
    """A page of another site embedding the widget with one script tag, with hostile CSS and no CSP."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            lang = "nl" if "lang=nl" in self.path else "fr"
            data_lang = 'data-lang="nl"' if "data-lang=nl" in self.path else ""
            body = HOSTILE_PAGE.format(base=site.base, lang=lang, data_lang=data_lang).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", HOST_PORT), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield HOST_ORIGIN
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture
def context(browser: Any, site: Site, host_site: str) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-BE")
    # the guide's pages are on the internet, which this machine cannot reach: a stand-in answers for them
    ctx.route(f"{GUIDE_URL}**", lambda route: route.fulfill(body="<h1>Page du guide</h1>", content_type="text/html"))
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


def open_widget(page: Any) -> None:
    page.locator(".gb-launcher").click()
    page.locator(".gb-panel").wait_for(state="visible")


def ask(page: Any, question: str) -> Any:
    """Type a question, send it with Enter, wait for the finished answer; returns the answer's message locator."""
    before = page.locator(".gb-msg.gb-bot").count()
    page.locator("textarea.gb-input").fill(question)
    page.locator("textarea.gb-input").press("Enter")
    message = page.locator(".gb-msg.gb-bot").nth(before)
    page.wait_for_function(
        """n => {
            const root = document.querySelector('#guidebot-widget').shadowRoot;
            const m = root.querySelectorAll('.gb-msg.gb-bot')[n];
            return m && m.dataset.state === 'done';
        }""",
        arg=before,
    )
    return message


def watch_streaming(page: Any) -> None:
    """Record the answer's length each time the DOM changes while the answer is still streaming."""
    page.evaluate(
        """() => {
            const root = document.querySelector('#guidebot-widget').shadowRoot;
            window.__streamLengths = [];
            new MutationObserver(() => {
                const m = [...root.querySelectorAll('.gb-msg.gb-bot')].pop();
                const a = m && m.querySelector('.gb-answer');
                if (m && a && m.dataset.state === 'streaming') window.__streamLengths.push(a.textContent.length);
            }).observe(root, {subtree: true, childList: true, characterData: true});
        }"""
    )


def stored_messages(site: Site) -> list[Any]:
    m = schema.messages
    with site.service.store.engine.connect() as conn:
        return list(conn.execute(select(m.c.id, m.c.conversation_id, m.c.question).order_by(m.c.created_at)).all())


def test_ask_on_the_demo_page_and_see_a_streamed_cited_answer(context: Any, site: Site) -> None:
    page = context.new_page()
    page.goto(site.base + "/")
    open_widget(page)
    assert page.locator(".gb-example").count() >= 2, "example questions on first open"
    assert page.locator("textarea.gb-input").evaluate("el => el === el.getRootNode().activeElement")
    watch_streaming(page)
    answer = ask(page, "Quand mon salaire est-il versé ?")
    lengths = page.evaluate("window.__streamLengths")
    assert len(set(lengths)) >= 2 and lengths == sorted(lengths), "the answer grew token by token"
    assert answer.get_attribute("data-refused") == "false"
    assert "sept jours ouvrables" in answer.locator(".gb-answer").inner_text()
    cite = answer.locator("a.gb-cite").first
    assert cite.get_attribute("href") == GUIDE_URL
    assert cite.get_attribute("target") == "_blank" and "noopener" in (cite.get_attribute("rel") or "")
    sources = answer.locator("ol.gb-sources li a.gb-source-link")
    assert sources.count() >= 1 and "Quand mon salaire est-il versé ?" in sources.first.inner_text()
    assert answer.get_attribute("data-message-id") == stored_messages(site)[-1].id
    screenshot(page, "widget-answer-desktop")

    with context.expect_page() as popup_info:
        cite.click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url == GUIDE_URL and "Page du guide" in popup.content()
    popup.close()


def test_a_followup_continues_the_conversation_and_survives_a_reload(context: Any, site: Site) -> None:
    page = context.new_page()
    page.goto(site.base + "/")
    open_widget(page)
    ask(page, "Combien coûte une part ?")
    ask(page, "et pour l'outil Activité ?")
    rows = stored_messages(site)[-2:]
    assert [r.question for r in rows] == ["Combien coûte une part ?", "et pour l'outil Activité ?"]
    assert rows[0].conversation_id == rows[1].conversation_id

    page.reload()
    if not page.locator(".gb-panel").is_visible():
        open_widget(page)
    assert page.locator(".gb-msg.gb-user").count() == 2
    assert page.locator(".gb-msg.gb-bot[data-state=done]").count() == 2
    assert page.locator(".gb-msg.gb-bot a.gb-cite").count() >= 1, "citations are restored as links"
    ask(page, "Quand mon salaire est-il versé ?")
    assert stored_messages(site)[-1].conversation_id == rows[0].conversation_id
    screenshot(page, "widget-after-reload")

    page.locator("button.gb-new").click()
    assert page.locator(".gb-msg").count() == 0 and page.locator(".gb-example").count() >= 2


def test_thumbs_down_with_a_comment_is_stored(context: Any, site: Site) -> None:
    page = context.new_page()
    page.goto(site.base + "/")
    open_widget(page)
    answer = ask(page, "Combien coûte une part ?")
    answer.locator("button.gb-down").click()
    answer.locator("textarea.gb-comment").fill("Il manque le prix pour une association.")
    answer.locator("button.gb-comment-send").click()
    answer.locator(".gb-thanks").wait_for(state="visible")
    assert answer.locator("button.gb-down").get_attribute("aria-pressed") == "true"
    f = schema.feedback
    message_id = answer.get_attribute("data-message-id")
    row = None
    for _ in range(50):
        with site.service.store.engine.connect() as conn:
            row = conn.execute(select(f).where(f.c.message_id == message_id)).first()
        if row is not None:
            break
        time.sleep(0.1)
    assert row is not None and row.rating == "down" and row.comment == "Il manque le prix pour une association."
    screenshot(page, "widget-feedback")


def test_a_refusal_offers_an_adviser(context: Any, site: Site) -> None:
    page = context.new_page()
    page.goto(site.base + "/")
    open_widget(page)
    answer = ask(page, "Comment faire une note de crédit ?")
    assert answer.get_attribute("data-refused") == "true"
    adviser = answer.locator("a.gb-adviser")
    assert adviser.is_visible() and adviser.get_attribute("href") == "https://www.smart.coop/contact"
    assert "conseiller" in adviser.inner_text().lower()
    assert answer.locator("a.gb-cite").count() == 0
    screenshot(page, "widget-refusal")


def test_hostile_markup_stays_inert_on_a_page_without_csp(context: Any, site: Site) -> None:
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{HOST_ORIGIN}/guide/facturer.html")
    open_widget(page)
    hostile_question = '<img src=x onerror="window.__pwned=1;alert(1)"> Que mettre dans le champ référence ?'
    page.locator("textarea.gb-input").fill(hostile_question)
    page.locator("textarea.gb-input").press("Enter")
    answer = page.locator(".gb-msg.gb-bot").first
    page.wait_for_function(
        "() => document.querySelector('#guidebot-widget').shadowRoot"
        ".querySelector('.gb-msg.gb-bot[data-state=done]') !== null"
    )
    assert page.locator(".gb-msg.gb-user .gb-text").inner_text() == hostile_question
    assert answer.get_attribute("data-refused") == "false", "the hostile passage is found and quoted"
    shown = answer.inner_text()
    assert "<img src=x" in shown or "<script>" in shown, "the passage's markup is shown as text"
    page.wait_for_timeout(300)  # an onerror handler would have run by now
    assert page.evaluate("window.__pwned") is None and dialogs == []
    injected = page.evaluate(
        """() => [...document.querySelector('#guidebot-widget').shadowRoot.querySelectorAll('*')]
            .filter(el => ['IMG', 'SCRIPT', 'IFRAME'].includes(el.tagName)
                || [...el.attributes].some(a => a.name.startsWith('on')))
            .map(el => el.outerHTML)"""
    )
    assert injected == [], "no element or event handler came from the text"
    # the host page's aggressive CSS does not reach inside the widget
    assert page.locator("button.gb-send").evaluate("el => getComputedStyle(el).fontSize") != "40px"
    screenshot(page, "widget-hostile-payload")


def test_phone_sized_screen_keyboard_and_screen_reader(browser: Any, site: Site) -> None:
    ctx = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    try:
        page.goto(site.base + "/")
        launcher = page.locator(".gb-launcher")
        assert launcher.get_attribute("aria-expanded") == "false" and launcher.get_attribute("aria-label")
        launcher.focus()
        page.keyboard.press("Enter")
        panel = page.locator(".gb-panel")
        panel.wait_for(state="visible")
        assert launcher.get_attribute("aria-expanded") == "true"
        assert panel.get_attribute("role") == "dialog" and panel.get_attribute("aria-label")
        box = panel.bounding_box()
        assert box is not None and box["width"] >= 370 and box["height"] >= 600, "full screen on a phone"
        assert page.locator(".gb-log").get_attribute("role") == "log"
        ask(page, "Combien coûte une part ?")
        live = page.locator("[aria-live]")
        assert live.count() >= 1
        for button in page.locator("button").all():
            if button.is_visible():
                assert button.get_attribute("aria-label") or button.inner_text().strip(), "every button has a name"
        screenshot(page, "widget-phone")
        page.keyboard.press("Escape")
        panel.wait_for(state="hidden")
        assert page.evaluate(
            "() => document.querySelector('#guidebot-widget').shadowRoot"
            ".activeElement?.classList.contains('gb-launcher')"
        ), "focus returns to the launcher"
        contrast = page.evaluate(CONTRAST_JS)
        assert contrast >= 4.5, f"launcher contrast {contrast:.2f}"
    finally:
        ctx.close()


def test_interface_strings_follow_data_lang_or_the_page(context: Any, site: Site) -> None:
    page = context.new_page()
    page.goto(f"{HOST_ORIGIN}/guide/page.html?data-lang=nl")
    open_widget(page)
    dutch = page.locator("textarea.gb-input").get_attribute("placeholder")
    page.goto(f"{HOST_ORIGIN}/guide/page.html")
    open_widget(page)
    french = page.locator("textarea.gb-input").get_attribute("placeholder")
    assert dutch and french and dutch != french
    assert page.locator("a.gb-adviser").count() == 0
    answer = ask(page, "Wanneer wordt mijn loon betaald?")
    assert "zeven werkdagen" in answer.locator(".gb-answer").inner_text()


CONTRAST_JS = """() => {
    const el = document.querySelector('#guidebot-widget').shadowRoot.querySelector('.gb-launcher');
    const rgb = s => (s.match(/\\d+(\\.\\d+)?/g) || []).slice(0, 3).map(Number);
    const lum = c => {
        const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const style = getComputedStyle(el);
    const a = lum(rgb(style.color)), b = lum(rgb(style.backgroundColor));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""
