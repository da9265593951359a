"""Walk a corpus folder and load every file with the loader of its format.

Each file gets one line in the LoadReport: loaded (with its document id), warning, error or skipped. A bad
file never stops the others from loading.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guidebot.documents import Document
from guidebot.ingest.html import parse_html, slug_from_url
from guidebot.ingest.metadata import (
    MetadataError,
    normalise_lang,
    read_sidecar,
    slugify,
    split_front_matter,
    validate,
)
from guidebot.ingest.pdf import PdfError, read_pdf
from guidebot.ingest.textfile import EncodingProblem, decode_text

log = logging.getLogger(__name__)

FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".pdf": "pdf", ".txt": "text"}
# Files that document the corpus rather than belong to it.
IGNORED_NAMES = {"readme.md", "coverage.md"}


@dataclass
class FileReport:
    """What happened to one file."""

    path: str
    status: str  # loaded | warning | error | skipped
    message: str = ""
    doc_id: str | None = None


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)

    @property
    def errors(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "error"]

    @property
    def failed_paths(self) -> set[str]:
        return {f.path for f in self.errors}


class LoadError(ValueError):
    """A file that cannot become a document; the message is shown to the user as is."""


def iter_corpus_files(corpus_dir: Path) -> Iterator[Path]:
    """Every candidate file under corpus_dir, in a stable order, skipping hidden folders and sidecars."""
    for root, dirs, files in os.walk(corpus_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")) and d != "coverage-parts")
        for name in sorted(files):
            if name.startswith(".") or name.endswith(".meta.yaml") or name.lower() in IGNORED_NAMES:
                continue
            yield Path(root) / name


def load_corpus(corpus_dir: Path, *, max_file_bytes: int = 20_000_000) -> LoadResult:
    """Load every document under corpus_dir. Duplicate ids are resolved later, by the index builder."""
    result = LoadResult()
    if not corpus_dir.is_dir():
        raise LoadError(f"corpus folder {corpus_dir} does not exist")
    for path in iter_corpus_files(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            result.files.append(FileReport(rel, "skipped", f"unsupported file type {path.suffix or '(none)'}"))
            continue
        try:
            size = path.stat().st_size
            if size == 0:
                raise LoadError("empty file")
            if size > max_file_bytes:
                raise LoadError(f"file too large ({size:,} bytes > {max_file_bytes:,})")
            doc, warning = load_file(path, rel, fmt)
        except (LoadError, MetadataError, PdfError, EncodingProblem, OSError) as exc:
            result.files.append(FileReport(rel, "error", str(exc)))
            continue
        result.documents.append(doc)
        result.files.append(FileReport(rel, "warning" if warning else "loaded", warning or "", doc.id))
    return result


def load_file(path: Path, rel: str, fmt: str) -> tuple[Document, str | None]:
    """Load one file of a known format; returns the document and an optional warning."""
    data = path.read_bytes()
    if fmt == "markdown":
        return _load_markdown(data, rel)
    if fmt == "html":
        return _load_html(data, path, rel), None
    if fmt == "pdf":
        return _load_pdf(data, path, rel), None
    return _load_text(data, path, rel)


def _load_markdown(data: bytes, rel: str) -> tuple[Document, str | None]:
    text, warning = decode_text(data)
    meta, body = split_front_matter(text)
    if not meta:
        raise LoadError("no front matter (a Markdown document starts with '---' and its metadata)")
    fields = validate(meta)
    body = body.strip()
    if not body:
        raise LoadError("front matter but no text")
    return Document(text=body + "\n", path=rel, format="markdown", **fields), warning


def _load_html(data: bytes, path: Path, rel: str) -> Document:
    page = parse_html(data)
    if not page.markdown.strip():
        raise LoadError("no article text found in the page (no body, or only navigation and boilerplate)")
    meta: dict[str, Any] = dict(page.meta)
    meta.update(read_sidecar(path))
    meta.setdefault("source", "guide")
    if "url" in meta and "id" not in meta:
        meta["id"] = slugify(slug_from_url(str(meta["url"])))
    meta.setdefault("id", slugify(path.stem))
    meta.setdefault("updated", _mtime_date(path))
    if "lang" in meta:
        meta["lang"] = normalise_lang(meta["lang"])
    fields = validate(meta)
    return Document(text=page.markdown, path=rel, format="html", **fields)


def _load_pdf(data: bytes, path: Path, rel: str) -> Document:
    markdown, pdf_title = read_pdf(data)
    if not markdown.replace("<!-- page:", "").strip(" \n0123456789->"):
        raise LoadError("no extractable text in the PDF (scanned images need OCR first)")
    meta = read_sidecar(path)
    if pdf_title:
        meta.setdefault("title", pdf_title)
    meta.setdefault("id", slugify(path.stem))
    meta.setdefault("source", "guide")
    meta.setdefault("updated", _mtime_date(path))
    fields = validate(meta)
    return Document(text=markdown, path=rel, format="pdf", **fields)


def _load_text(data: bytes, path: Path, rel: str) -> tuple[Document, str | None]:
    text, warning = decode_text(data)
    if not text.strip():
        raise LoadError("only whitespace")
    meta = read_sidecar(path)
    first = text.strip().splitlines()[0].strip()
    meta.setdefault("title", first[:200])
    meta.setdefault("id", slugify(path.stem))
    meta.setdefault("source", "guide")
    meta.setdefault("updated", _mtime_date(path))
    fields = validate(meta)
    return Document(text=text.strip() + "\n", path=rel, format="text", **fields), warning


def _mtime_date(path: Path) -> str:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).date().isoformat()
