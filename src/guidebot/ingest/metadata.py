"""Front matter and sidecar metadata: read, validate and turn into Document fields."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from guidebot.documents import LANGS, SOURCES, TOOLS

REQUIRED_FIELDS = ("id", "title", "url", "source", "lang", "updated")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,150}$")
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


class MetadataError(ValueError):
    """Front matter or sidecar metadata that cannot be used."""


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (front matter, body). A file without front matter gives ({}, text)."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    try:
        data = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise MetadataError(f"front matter is not valid YAML: {_first_line(str(exc))}") from exc
    if not isinstance(data, dict):
        raise MetadataError("front matter must be a YAML mapping")
    return data, text[m.end() :]


def read_sidecar(path: Path) -> dict[str, Any]:
    """Metadata from ``NAME.meta.yaml`` beside ``NAME.ext``, or {} when there is none."""
    side = sidecar_path(path)
    if not side.exists():
        return {}
    try:
        data = yaml.safe_load(side.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MetadataError(f"sidecar {side.name} is not valid YAML: {_first_line(str(exc))}") from exc
    if not isinstance(data, dict):
        raise MetadataError(f"sidecar {side.name} must be a YAML mapping")
    return data


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.stem + ".meta.yaml")


def slugify(text: str) -> str:
    """ASCII slug: 'Délais de paiement' -> 'delais-de-paiement'."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", norm).strip("-")
    return slug[:150] or "document"


def normalise_lang(value: Any) -> str:
    """'fr-BE' -> 'fr'; raises for a language guidebot does not serve."""
    lang = str(value or "").strip().lower().replace("_", "-").split("-")[0]
    if lang not in LANGS:
        raise MetadataError(f"unknown lang {value!r} (expected one of {', '.join(LANGS)})")
    return lang


def normalise_date(value: Any) -> str:
    """A date, datetime or ISO string -> 'YYYY-MM-DD'."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value or "").strip()
    if not text:
        raise MetadataError("missing date")
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    try:
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError) as exc:
        raise MetadataError(f"unparseable date {value!r}") from exc


def validate(meta: dict[str, Any], *, required: tuple[str, ...] = REQUIRED_FIELDS) -> dict[str, Any]:
    """Check and normalise metadata; returns the Document keyword fields (without text/path/format)."""
    missing = [f for f in required if meta.get(f) in (None, "")]
    if missing:
        raise MetadataError(f"missing field(s): {', '.join(missing)}")
    doc_id = str(meta["id"]).strip()
    if not ID_PATTERN.match(doc_id):
        raise MetadataError(f"id {doc_id!r} is not a slug (lowercase letters, digits, '-', '_', '.')")
    source = str(meta["source"]).strip()
    if source not in SOURCES:
        raise MetadataError(f"unknown source {source!r} (expected one of {', '.join(SOURCES)})")
    url = str(meta["url"]).strip()
    if not re.match(r"^https?://[^\s/]+", url):
        raise MetadataError(f"url {url!r} is not an http(s) address")
    tool = meta.get("tool")
    if tool is not None and str(tool) not in TOOLS:
        raise MetadataError(f"unknown tool {tool!r} (expected one of {', '.join(TOOLS)})")
    return {
        "id": doc_id,
        "title": " ".join(str(meta["title"]).split()),
        "url": url,
        "source": source,
        "lang": normalise_lang(meta["lang"]),
        "updated": normalise_date(meta["updated"]),
        "topics": _str_tuple(meta.get("topics"), "topics"),
        "tool": str(tool) if tool is not None else None,
        "sources": _str_tuple(meta.get("sources"), "sources"),
    }


def _str_tuple(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return tuple(str(v) for v in value)
    raise MetadataError(f"{name} must be a list of strings")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
