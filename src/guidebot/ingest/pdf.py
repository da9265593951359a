"""PDF pages -> Markdown with page markers; tables found in the layout kept with title and header row."""

from __future__ import annotations

import io
import logging
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from guidebot.documents import PAGE_MARKER

log = logging.getLogger(__name__)

_CELL_GAP = re.compile(r"\s{2,}")


class PdfError(ValueError):
    """A PDF that cannot be read."""


def read_pdf(data: bytes) -> tuple[str, str | None]:
    """Return (markdown with one page marker per page, title from the PDF's info or None)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise PdfError("the PDF is encrypted")
        pages = list(reader.pages)
        title = None
        info = reader.metadata
        if info is not None and info.title:
            title = str(info.title).strip() or None
        parts: list[str] = []
        for n, page in enumerate(pages, start=1):
            text = page.extract_text(extraction_mode="layout") or ""
            parts.append(PAGE_MARKER.format(n=n))
            parts.append(layout_to_markdown(text))
    except PdfError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise PdfError(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    markdown = "\n\n".join(parts).strip() + "\n"
    return markdown, title


def layout_to_markdown(text: str) -> str:
    """Turn pypdf's layout text into paragraphs, with column-aligned rows rebuilt as Markdown tables.

    A table is two or more consecutive lines that split into the same number (>= 2) of cells on runs of
    two or more spaces; the short line just above it is its title, its first row its header.
    """
    lines = [ln.rstrip() for ln in text.splitlines()]
    out: list[str] = []
    i = 0
    while i < len(lines):
        cells = _cells(lines[i])
        if len(cells) >= 2:
            j = i + 1
            rows = [cells]
            while True:
                # layout text often puts one blank line between the rows of a table
                k = j + 1 if j < len(lines) and not lines[j].strip() else j
                if k < len(lines) and len(_cells(lines[k])) == len(cells):
                    rows.append(_cells(lines[k]))
                    j = k + 1
                else:
                    break
            if len(rows) >= 2:
                title = _pop_title(out)
                out.append("")
                if title:
                    out.extend([f"**{title}**", ""])
                out.append("| " + " | ".join(rows[0]) + " |")
                out.append("|" + "|".join(["---"] * len(cells)) + "|")
                out.extend("| " + " | ".join(r) + " |" for r in rows[1:])
                out.append("")
                i = j
                continue
        out.append(" ".join(lines[i].split()))
        i += 1
    return _paragraphs(out)


def _cells(line: str) -> list[str]:
    stripped = line.strip()
    if not stripped:
        return []
    return [c.replace("|", "\\|") for c in _CELL_GAP.split(stripped)]


def _pop_title(out: list[str]) -> str | None:
    while out and not out[-1]:
        out.pop()
    if out and len(out[-1]) <= 160 and not out[-1].startswith("|"):
        return out.pop()
    return None


def _paragraphs(lines: list[str]) -> str:
    """Join wrapped prose lines into paragraphs; keep table lines and blank lines as they are."""
    result: list[str] = []
    for line in lines:
        if (
            not line
            or line.startswith(("|", "**"))
            or not result
            or not result[-1]
            or result[-1].startswith(("|", "**"))
        ):
            result.append(line)
        else:
            result[-1] = result[-1] + " " + line
    return re.sub(r"\n{3,}", "\n\n", "\n".join(result)).strip()
