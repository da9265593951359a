"""HTML pages as a help-center site serves them -> clean Markdown and metadata.

Navigation, header, footer, cookie banners, scripts, styles and forms are removed; headings, paragraphs,
lists and tables are kept. The page's text is only ever read as text: nothing in it is executed.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, NavigableString

# Elements that never hold article content.
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "dialog",
    "link",
    "meta",
)
# id/class/role words that mark boilerplate blocks (cookie consent, breadcrumbs, share bars, feedback).
_BOILERPLATE = re.compile(
    r"cookie|consent|gdpr|rgpd|banner|breadcrumb|share|social|newsletter|related|feedback|sidebar|skip-link"
    r"|navbar|menu|popup|modal|(^|[-_ ])meta($|[-_ ])|byline|author|last-updated|updated-at|toolbar|print-button",
    re.IGNORECASE,
)
_BOILERPLATE_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog"}
_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "figure",
    "figcaption",
    "dl",
    "dd",
    "dt",
    "address",
    "details",
    "summary",
    "body",
}


class HtmlPage:
    """The useful parts of one HTML page."""

    def __init__(self, markdown: str, meta: dict[str, Any]) -> None:
        self.markdown = markdown
        self.meta = meta


def parse_html(raw: bytes | str) -> HtmlPage:
    """Parse a page: returns its article as Markdown and the metadata found in the page."""
    soup = BeautifulSoup(raw, "lxml")
    meta = _page_meta(soup)
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    root = _content_root(soup)
    if root is None:
        return HtmlPage("", meta)
    for tag in root.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in root.find_all(True):
        if tag.decomposed:
            continue
        if _is_boilerplate(tag):
            tag.decompose()
    lines: list[str] = []
    _render(root, lines)
    markdown = _tidy("\n".join(lines))
    if not meta.get("title"):
        h1 = re.search(r"^# (.+)$", markdown, re.MULTILINE)
        if h1:
            meta["title"] = h1.group(1).strip()
    return HtmlPage(markdown, meta)


def _page_meta(soup: BeautifulSoup) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    html = soup.find("html")
    if isinstance(html, Tag) and html.get("lang"):
        meta["lang"] = str(html.get("lang"))
    canonical = soup.find("link", rel=lambda v: v is not None and "canonical" in v)
    if isinstance(canonical, Tag) and canonical.get("href"):
        meta["url"] = str(canonical["href"]).strip()
    else:
        og_url = _meta_content(soup, property="og:url")
        if og_url:
            meta["url"] = og_url
    for key, attrs in (
        ("updated", {"property": "article:modified_time"}),
        ("updated", {"property": "og:updated_time"}),
        ("updated", {"name": "last-modified"}),
        ("updated", {"itemprop": "dateModified"}),
        ("updated", {"name": "dcterms.modified"}),
        ("updated", {"property": "article:published_time"}),
    ):
        if key not in meta:
            value = _meta_content(soup, **attrs)
            if value:
                meta[key] = value
    if "updated" not in meta:
        time_tag = soup.find("time", attrs={"datetime": True})
        if isinstance(time_tag, Tag):
            meta["updated"] = str(time_tag["datetime"])
    h1 = soup.find("h1")
    title = _meta_content(soup, property="og:title")
    if isinstance(h1, Tag) and h1.get_text(strip=True):
        title = h1.get_text(" ", strip=True)
    elif not title and soup.title and soup.title.string:
        title = re.split(r"\s+[|–—-]\s+", soup.title.string.strip())[0]
    if title:
        meta["title"] = " ".join(title.split())
    return meta


def _meta_content(soup: BeautifulSoup, **attrs: str) -> str | None:
    tag = soup.find("meta", attrs=dict(attrs.items()))
    if isinstance(tag, Tag) and tag.get("content"):
        return str(tag["content"]).strip()
    return None


def _content_root(soup: BeautifulSoup) -> Tag | None:
    candidates = (soup.find("article"), soup.find("main"), soup.find(role="main"), soup.find("body"))
    return next((c for c in candidates if isinstance(c, Tag)), None)


def _is_boilerplate(tag: Tag) -> bool:
    if tag.name in ("article", "main", "body", "html", "table", "thead", "tbody", "tr", "td", "th"):
        return False
    if str(tag.get("role", "")).lower() in _BOILERPLATE_ROLES:
        return True
    if tag.get("aria-hidden") == "true" or tag.has_attr("hidden"):
        return True
    attrs = " ".join([str(tag.get("id", ""))] + [str(c) for c in tag.get("class") or []])
    return bool(attrs.strip()) and bool(_BOILERPLATE.search(attrs))


def _render(node: Tag, out: list[str]) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            text = _clean(str(child))
            if text:
                _append_inline(out, text)
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = child.get_text(" ", strip=True)
            if text:
                out.extend(["", "#" * int(name[1]) + " " + " ".join(text.split()), ""])
        elif name in ("ul", "ol"):
            out.append("")
            _render_list(child, out, depth=0)
            out.append("")
        elif name == "table":
            out.append("")
            out.extend(_render_table(child))
            out.append("")
        elif name == "pre":
            out.extend(["", "```", child.get_text().strip("\n"), "```", ""])
        elif name == "br":
            out.append("")
        elif name == "hr":
            out.append("")
        elif name in _BLOCKS:
            out.append("")
            _render(child, out)
            out.append("")
        else:
            _render(child, out)


def _append_inline(out: list[str], text: str) -> None:
    if out and out[-1] and not out[-1].startswith(("#", "|", "```")):
        out[-1] = out[-1] + ("" if text[:1] in ",.;:!?)" else " ") + text
    else:
        out.append(text)


def _render_list(node: Tag, out: list[str], depth: int) -> None:
    ordered = node.name == "ol"
    n = 0
    for item in node.find_all("li", recursive=False):
        n += 1
        parts: list[str] = []
        nested: list[Tag] = []
        for child in item.children:
            if isinstance(child, Tag) and child.name in ("ul", "ol"):
                nested.append(child)
            elif isinstance(child, Tag):
                parts.append(child.get_text(" ", strip=True))
            elif isinstance(child, NavigableString):
                parts.append(_clean(str(child)))
        text = " ".join(p for p in parts if p)
        marker = f"{n}." if ordered else "-"
        if text:
            out.append("  " * depth + f"{marker} {' '.join(text.split())}")
        for sub in nested:
            _render_list(sub, out, depth + 1)


def _render_table(table: Tag) -> list[str]:
    lines: list[str] = []
    caption = table.find("caption")
    if isinstance(caption, Tag) and caption.get_text(strip=True):
        lines.extend([f"**{' '.join(caption.get_text(' ', strip=True).split())}**", ""])
    rows: list[list[str]] = []
    header_rows = 0
    for tr in table.find_all("tr"):
        cells = [" ".join(c.get_text(" ", strip=True).split()).replace("|", "\\|") for c in tr.find_all(["th", "td"])]
        if not cells:
            continue
        if not rows and (tr.find_parent("thead") is not None or all(c.name == "th" for c in tr.find_all(["th", "td"]))):
            header_rows = 1
        rows.append(cells)
    if not rows:
        return lines
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    header = rows[0] if header_rows else [""] * width
    body = rows[1:] if header_rows else rows
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---"] * width) + "|")
    lines.extend("| " + " | ".join(r) + " |" for r in body)
    return lines


def _clean(text: str) -> str:
    return " ".join(text.split())


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n" if text.strip() else ""


def slug_from_url(url: str) -> str:
    """A stable id from a page address: https://x/fr/articles/123-facturer -> fr-articles-123-facturer."""
    parsed = urlparse(url)
    path = parsed.path.strip("/")
    path = re.sub(r"\.(html?|php|aspx?|pdf)$", "", path)
    return path.replace("/", "-") or parsed.netloc
