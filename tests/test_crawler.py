"""The crawler against a real HTTP server on 127.0.0.1 that the test starts and scripts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from guidebot.config import Settings
from guidebot.ingest import load_corpus
from guidebot.ingest.crawler import CrawlError, SiteCrawler


def page(title: str, body: str, *, canonical: str | None = None) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<!DOCTYPE html><html lang="fr"><head><title>{title} | Guide</title>{link}</head><body>'
        f'<nav>Menu</nav><div class="cookie-banner">Cookies</div><main><article><h1>{title}</h1><p>{body}</p>'
        f"</article></main><footer>Pied de page</footer></body></html>"
    ).encode()


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    ctype: str = "text/html; charset=utf-8"
    etag: str | None = None
    location: str | None = None
    delay: float = 0.0


@dataclass
class Site:
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[tuple[str, str | None]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""

    def sitemap(self, paths: list[str]) -> None:
        urls = "".join(f"<url><loc>{self.base}{p}</loc><lastmod>2024-05-01</lastmod></url>" for p in paths)
        xml = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        self.routes["/sitemap.xml"] = Route(body=xml.encode(), ctype="application/xml")


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            with state.lock:
                state.hits.append((self.path, self.headers.get("If-None-Match")))
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                route = state.routes.get(self.path, Route(status=404, body=b"not found"))
                time.sleep(route.delay)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.ctype)
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.location:
                    self.send_header("Location", route.location)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with state.lock:
                    state.in_flight -= 1

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def _settings(tmp_path: Path, **kw: object) -> Settings:
    base = {"corpus_dir": tmp_path, "cache_dir": tmp_path / "cache", "crawl_delay_s": 0.05, "crawl_timeout_s": 1.0}
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]


def test_crawl_then_recrawl(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "guide"
    site.routes.update(
        {
            "/robots.txt": Route(body=b"User-agent: *\nDisallow: /private/\n", ctype="text/plain"),
            "/fr/facturer": Route(body=page("Facturer", "Smart facture le client."), etag='"v1"'),
            "/fr/salaire": Route(body=page("Salaire", "Versé sous 7 jours."), etag='"s1"'),
            "/fr/ancien": Route(status=301, location="/fr/nouveau"),
            "/fr/nouveau": Route(body=page("Nouveau", "Page déplacée.")),
            "/fr/ailleurs": Route(status=302, location="http://example.invalid/x"),
            "/fr/erreur": Route(status=500, body=b"boom"),
            "/fr/lent": Route(body=page("Lent", "Trop lent."), delay=2.0),
            "/fr/image.png": Route(body=b"\x89PNG", ctype="image/png"),
            "/fr/guide.pdf": Route(body=b"%PDF-1.4 fake", ctype="application/pdf"),
            "/private/secret": Route(body=page("Secret", "Interdit.")),
        }
    )
    paths = [
        "/fr/facturer",
        "/fr/salaire",
        "/fr/ancien",
        "/fr/ailleurs",
        "/fr/erreur",
        "/fr/lent",
        "/fr/image.png",
        "/fr/guide.pdf",
        "/fr/disparue",
        "/private/secret",
    ]
    site.sitemap(paths)
    report = SiteCrawler(_settings(tmp_path), out).run(f"{site.base}/sitemap.xml")
    status = {e.url.removeprefix(site.base): e.status for e in report.events}
    assert status == {
        "/fr/facturer": "fetched",
        "/fr/salaire": "fetched",
        "/fr/ancien": "fetched",
        "/fr/ailleurs": "skipped",
        "/fr/erreur": "error",
        "/fr/lent": "error",
        "/fr/image.png": "skipped",
        "/fr/guide.pdf": "fetched",
        "/fr/disparue": "error",
        "/private/secret": "disallowed",
    }
    assert ("/private/secret", None) not in site.hits
    assert site.max_in_flight <= 2
    stored = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert stored == sorted(
        [
            "fr-facturer.html",
            "fr-facturer.meta.yaml",
            "fr-salaire.html",
            "fr-salaire.meta.yaml",
            "fr-ancien.html",
            "fr-ancien.meta.yaml",
            "fr-guide.pdf",
            "fr-guide.meta.yaml",
        ]
    )
    side = yaml.safe_load((out / "fr-ancien.meta.yaml").read_text())
    assert side["url"] == f"{site.base}/fr/nouveau" and side["id"] == "fr-ancien" and side["updated"] == "2024-05-01"

    # The crawled pages load as documents, boilerplate stripped.
    docs = {d.id: d for d in load_corpus(out).documents}
    assert docs["fr-facturer"].title == "Facturer" and "Menu" not in docs["fr-facturer"].text
    assert "Cookies" not in docs["fr-facturer"].text and "Smart facture le client." in docs["fr-facturer"].text

    # Second crawl: a changed page, an unchanged one (ETag), a removed one, a recovered error.
    site.hits.clear()
    site.routes["/fr/facturer"] = Route(body=page("Facturer", "Nouveau texte sur la facture."), etag='"v2"')
    site.routes["/fr/erreur"] = Route(status=500)
    site.sitemap(["/fr/facturer", "/fr/salaire", "/fr/erreur"])
    report = SiteCrawler(_settings(tmp_path), out).run(f"{site.base}/sitemap.xml")
    status = {e.url.removeprefix(site.base): e.status for e in report.events}
    assert status["/fr/facturer"] == "fetched" and status["/fr/salaire"] == "unchanged"
    assert status["/fr/ancien"] == "removed" and status["/fr/guide.pdf"] == "removed"
    assert ("/fr/salaire", '"s1"') in site.hits  # conditional request sent
    assert "Nouveau texte" in (out / "fr-facturer.html").read_text()
    assert not (out / "fr-ancien.html").exists() and not (out / "fr-ancien.meta.yaml").exists()
    assert (out / "fr-salaire.html").exists()

    # A page that now answers 404 is removed from the folder.
    site.routes["/fr/salaire"] = Route(status=404)
    SiteCrawler(_settings(tmp_path), out).run(f"{site.base}/sitemap.xml")
    assert not (out / "fr-salaire.html").exists()


def test_robots_5xx_disallows_everything_and_bad_sitemap_is_a_clear_error(site: Site, tmp_path: Path) -> None:
    site.routes["/robots.txt"] = Route(status=503)
    site.routes["/fr/a"] = Route(body=page("A", "Texte."))
    site.sitemap(["/fr/a"])
    report = SiteCrawler(_settings(tmp_path), tmp_path / "out").run(f"{site.base}/sitemap.xml")
    assert report.summary()["disallowed"] == 1 and report.summary()["fetched"] == 0

    site.routes["/sitemap.xml"] = Route(body=b"<urlset><url><loc>", ctype="application/xml")
    with pytest.raises(CrawlError, match="cannot read the sitemap"):
        SiteCrawler(_settings(tmp_path), tmp_path / "out").run(f"{site.base}/sitemap.xml")
