"""Crawl a help-center site from its sitemap into a corpus folder, politely and incrementally.

- reads robots.txt first and never fetches a disallowed page (a robots.txt that answers 5xx means
  "disallow everything", as RFC 9309 asks); honours its Crawl-delay when longer than ours;
- at most ``crawl_concurrency`` (<= 2) requests in flight, each worker pausing ``crawl_delay_s`` after a request;
- conditional requests (If-None-Match / If-Modified-Since) from the state file, so unchanged pages cost a
  304 and are not rewritten;
- stays on the sitemap's host (redirects elsewhere are refused);
- a page gone from the sitemap, or answering 404/410, is deleted from the folder (the next `guidebot index`
  drops its chunks); a 5xx, a timeout or a network error keeps the previous copy;
- HTML pages are stored as NAME.html, PDFs as NAME.pdf, each with NAME.meta.yaml (stable id, and the url and
  date when the page itself lacks them); other content types are skipped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse
from urllib.robotparser import RobotFileParser

import httpx
import yaml
from lxml import etree

from guidebot.config import Settings
from guidebot.ingest.html import parse_html, slug_from_url
from guidebot.ingest.metadata import slugify

log = logging.getLogger(__name__)

STATE_FILE = ".crawl-state.json"
_MAX_SITEMAPS = 50
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


@dataclass
class CrawlEvent:
    url: str
    status: str  # fetched | unchanged | removed | error | skipped | disallowed
    message: str = ""


@dataclass
class CrawlReport:
    events: list[CrawlEvent] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for e in self.events if e.status == status)

    def summary(self) -> dict[str, int]:
        keys = ("fetched", "unchanged", "removed", "error", "skipped", "disallowed")
        return {k: self.count(k) for k in keys}


class CrawlError(Exception):
    """The crawl could not start (sitemap unreadable)."""


class SiteCrawler:
    """Crawls one sitemap into one folder."""

    def __init__(self, settings: Settings, out_dir: Path, *, on_event: Callable[[CrawlEvent], None] | None = None):
        self.settings = settings
        self.out_dir = out_dir
        self.on_event = on_event
        self.report = CrawlReport()
        self.state: dict[str, dict[str, Any]] = {}
        self._delay = settings.crawl_delay_s

    def run(self, sitemap_url: str) -> CrawlReport:
        return asyncio.run(self.crawl(sitemap_url))

    async def crawl(self, sitemap_url: str) -> CrawlReport:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.state = self._load_state()
        host = urlparse(sitemap_url).netloc
        limits = httpx.Limits(max_connections=self.settings.crawl_concurrency)
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(self.settings.crawl_timeout_s),
            headers={"User-Agent": self.settings.crawl_user_agent},
            follow_redirects=False,
            limits=limits,
            trust_env=False,
        ) as client:
            robots = await self._robots(client, sitemap_url)
            urls = await self._sitemap_urls(client, sitemap_url, host)
            listed = {u for u, _ in urls}
            queue: asyncio.Queue[tuple[str, str | None]] = asyncio.Queue()
            for item in urls[: self.settings.crawl_max_pages]:
                if robots.can_fetch(self.settings.crawl_user_agent, item[0]):
                    queue.put_nowait(item)
                else:
                    self._event(item[0], "disallowed", "robots.txt forbids it")
            workers = [
                asyncio.create_task(self._worker(client, queue, host)) for _ in range(self.settings.crawl_concurrency)
            ]
            await queue.join()
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        for url in sorted(set(self.state) - listed):
            self._remove(url, "no longer in the sitemap")
        self._save_state()
        return self.report

    # --- robots and sitemap ----------------------------------------------------------------------
    async def _robots(self, client: httpx.AsyncClient, sitemap_url: str) -> RobotFileParser:
        parsed = urlparse(sitemap_url)
        robots_url = f"{parsed.scheme}://{parsed.netloc}/robots.txt"
        parser = RobotFileParser(robots_url)
        try:
            resp = await client.get(robots_url)
        except httpx.HTTPError:
            parser.parse([])
            return parser
        if resp.status_code >= 500:
            parser.parse(["User-agent: *", "Disallow: /"])
        elif resp.status_code >= 400:
            parser.parse([])
        else:
            parser.parse(resp.text.splitlines())
            delay = parser.crawl_delay(self.settings.crawl_user_agent)
            if delay is not None:
                self._delay = max(self._delay, float(delay))
        await asyncio.sleep(self._delay)
        return parser

    async def _sitemap_urls(
        self, client: httpx.AsyncClient, sitemap_url: str, host: str
    ) -> list[tuple[str, str | None]]:
        seen_maps: set[str] = set()
        pages: dict[str, str | None] = {}
        todo = [sitemap_url]
        while todo and len(seen_maps) < _MAX_SITEMAPS:
            url = todo.pop(0)
            if url in seen_maps:
                continue
            seen_maps.add(url)
            try:
                resp = await client.get(url)
                resp.raise_for_status()
                body = resp.content
                if body[:2] == b"\x1f\x8b":
                    body = gzip.decompress(body)[: self.settings.crawl_max_bytes]
                root = etree.fromstring(body, parser=_XML_PARSER)
            except (httpx.HTTPError, etree.XMLSyntaxError, OSError, EOFError) as exc:
                if url == sitemap_url:
                    raise CrawlError(f"cannot read the sitemap {url}: {exc}") from exc
                self._event(url, "error", f"sub-sitemap unreadable: {exc}")
                continue
            await asyncio.sleep(self._delay)
            tag = etree.QName(root).localname
            for node in root:
                if not isinstance(node.tag, str):
                    continue
                loc = _child_text(node, "loc")
                if not loc:
                    continue
                loc = urljoin(url, loc.strip())
                if urlparse(loc).netloc != host:
                    self._event(loc, "skipped", "outside the sitemap's host")
                    continue
                if tag == "sitemapindex":
                    todo.append(loc)
                else:
                    pages.setdefault(loc, _child_text(node, "lastmod"))
        return sorted(pages.items())

    # --- pages -------------------------------------------------------------------------------------
    async def _worker(self, client: httpx.AsyncClient, queue: asyncio.Queue[tuple[str, str | None]], host: str) -> None:
        while True:
            url, lastmod = await queue.get()
            try:
                await self._fetch(client, url, lastmod, host)
            except Exception as exc:  # one bad page never stops the crawl  # noqa: BLE001
                self._event(url, "error", f"{type(exc).__name__}: {exc}")
            finally:
                queue.task_done()
                await asyncio.sleep(self._delay)

    async def _fetch(self, client: httpx.AsyncClient, url: str, lastmod: str | None, host: str) -> None:
        known = self.state.get(url, {})
        headers = {}
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        try:
            resp = await self._get_on_site(client, url, headers, host)
            if resp is None:
                return
            try:
                if resp.status_code == 304:
                    self._event(url, "unchanged", "304 Not Modified")
                    return
                if resp.status_code in (404, 410):
                    self._remove(url, f"HTTP {resp.status_code}")
                    return
                if resp.status_code >= 400:
                    self._event(url, "error", f"HTTP {resp.status_code}; previous copy kept")
                    return
                body = bytearray()
                async for part in resp.aiter_bytes():
                    body.extend(part)
                    if len(body) > self.settings.crawl_max_bytes:
                        self._event(url, "error", f"page larger than {self.settings.crawl_max_bytes:,} bytes")
                        return
                ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                final_url = str(resp.url)
                etag, last_modified = resp.headers.get("etag"), resp.headers.get("last-modified")
            finally:
                await resp.aclose()
        except httpx.TimeoutException:
            self._event(url, "error", "timed out; previous copy kept")
            return
        except httpx.HTTPError as exc:
            self._event(url, "error", f"{type(exc).__name__}: {exc}; previous copy kept")
            return
        if ctype in ("text/html", "application/xhtml+xml"):
            ext = ".html"
        elif ctype == "application/pdf":
            ext = ".pdf"
        else:
            self._event(url, "skipped", f"content type {ctype or 'unknown'} is not HTML or PDF")
            return
        name = slugify(slug_from_url(url))
        sidecar: dict[str, Any] = {"id": name, "source": "guide"}
        date = _http_date(last_modified) or (lastmod[:10] if lastmod else None)
        if ext == ".html":
            page = parse_html(bytes(body))
            if not page.meta.get("url"):
                sidecar["url"] = final_url
            if not page.meta.get("updated") and date:
                sidecar["updated"] = date
        else:
            sidecar["url"] = final_url
            if date:
                sidecar["updated"] = date
        self._store(name, ext, bytes(body), sidecar, previous=known.get("file"))
        self.state[url] = {
            "file": name + ext,
            "etag": etag,
            "last_modified": last_modified,
            "lastmod": lastmod,
            "final_url": final_url,
            "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        note = "" if final_url == url else f"redirected to {final_url}"
        self._event(url, "fetched", note)

    async def _get_on_site(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str], host: str
    ) -> httpx.Response | None:
        """GET with redirects followed by hand (at most 5), refusing any that leave the site."""
        current = url
        for _ in range(6):
            resp = await client.send(client.build_request("GET", current, headers=headers), stream=True)
            if resp.status_code in (301, 302, 303, 307, 308) and resp.headers.get("location"):
                await resp.aclose()
                target = urljoin(current, resp.headers["location"])
                if urlparse(target).netloc != host:
                    self._event(url, "skipped", f"redirects off-site to {target}")
                    return None
                current = target
                continue
            return resp
        self._event(url, "error", "too many redirects")
        return None

    # --- files -------------------------------------------------------------------------------------
    def _store(self, name: str, ext: str, body: bytes, sidecar: dict[str, Any], previous: str | None) -> None:
        target = self.out_dir / (name + ext)
        _write_atomically(target, body)
        _write_atomically(
            self.out_dir / (name + ".meta.yaml"),
            yaml.safe_dump(sidecar, allow_unicode=True, sort_keys=True).encode("utf-8"),
        )
        if previous and previous != target.name:
            (self.out_dir / previous).unlink(missing_ok=True)

    def _remove(self, url: str, why: str) -> None:
        known = self.state.pop(url, None)
        if known and known.get("file"):
            stored = self.out_dir / known["file"]
            stored.unlink(missing_ok=True)
            stored.with_name(Path(known["file"]).stem + ".meta.yaml").unlink(missing_ok=True)
            self._event(url, "removed", why)
        else:
            self._event(url, "error" if why.startswith("HTTP") else "removed", why)

    def _event(self, url: str, status: str, message: str = "") -> None:
        event = CrawlEvent(url, status, message)
        self.report.events.append(event)
        log.info("%s %s %s", status, url, message)
        if self.on_event:
            self.on_event(event)

    def _load_state(self) -> dict[str, dict[str, Any]]:
        path = self.out_dir / STATE_FILE
        if not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("crawl state %s unreadable; every page will be fetched again", path)
            return {}
        return data if isinstance(data, dict) else {}

    def _save_state(self) -> None:
        _write_atomically(self.out_dir / STATE_FILE, json.dumps(self.state, indent=1, sort_keys=True).encode("utf-8"))


def _child_text(node: Any, name: str) -> str | None:
    for child in node:
        if isinstance(child.tag, str) and etree.QName(child).localname == name and child.text:
            return str(child.text).strip()
    return None


def _http_date(value: str | None) -> str | None:
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
