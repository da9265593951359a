"""On-disk layout of an index and its atomic switch.

    indexes/<name>/
        CURRENT              the build id of the version being served (replaced atomically)
        .build.lock          held by the one process building
        versions/<build id>/ manifest.json (written last), chunks.jsonl, lexical/<lang>/, chroma/,
                             units.npy + units.json (a vector per sentence, list item, table row)

A build writes a new version folder beside the served one and only then replaces CURRENT with
os.replace, so a reader sees either the old complete version or the new complete one. A build killed
midway leaves an unfinished folder (no manifest, not CURRENT) that the next build removes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guidebot.documents import Chunk
from guidebot.errors import EmbedderMismatchError, IndexBusyError

if TYPE_CHECKING:
    from guidebot.index.embedders import Embedder

CURRENT = "CURRENT"
VERSIONS = "versions"
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
LEXICAL = "lexical"
UNIT_VECTORS = "units.npy"
UNIT_INDEX = "units.json"


def new_build_id() -> str:
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%S%f") + "-" + secrets.token_hex(3)


def versions_dir(root: Path) -> Path:
    return root / VERSIONS


def current_build_id(root: Path) -> str | None:
    try:
        value = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return value or None


def current_version_dir(root: Path) -> Path | None:
    build_id = current_build_id(root)
    if build_id is None:
        return None
    path = versions_dir(root) / build_id
    return path if (path / MANIFEST).is_file() else None


def write_json_durably(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def fsync_tree(path: Path) -> None:
    """Flush every file and folder under path to disk before the version becomes visible."""
    for root, _dirs, files in os.walk(path):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(root))


def switch_current(root: Path, build_id: str) -> None:
    """Point CURRENT at build_id, atomically."""
    tmp = root / (CURRENT + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(build_id + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / CURRENT)
    _fsync_dir(root)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Exclusive lock for building this index; fails at once if another build holds it."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexBusyError(f"another process is building the index in {root}; try again when it ends") from exc
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def stale_versions(root: Path, keep: int, grace_s: float = 0.0) -> list[Path]:
    """Folders to delete: unfinished builds, and finished ones older than the newest ``keep`` that stopped
    serving more than ``grace_s`` seconds ago (a reader that opened one just before a switch can finish).

    Call only while holding the build lock (an unfinished folder then belongs to a dead build).
    """
    vdir = versions_dir(root)
    if not vdir.is_dir():
        return []
    current = current_build_id(root)
    finished = sorted(p for p in vdir.iterdir() if p.is_dir() and (p / MANIFEST).is_file())
    unfinished = [p for p in vdir.iterdir() if p.is_dir() and not (p / MANIFEST).is_file()]
    keep_set = {p.name for p in finished[-keep:]}
    if current:
        keep_set.add(current)
    now = time.time()
    stale = []
    for i, p in enumerate(finished):
        if p.name in keep_set:
            continue
        # a version stopped serving when the next one was written
        retired_at = (finished[i + 1] / MANIFEST).stat().st_mtime if i + 1 < len(finished) else now
        if now - retired_at >= grace_s:
            stale.append(p)
    return sorted(unfinished) + stale


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def read_manifest(version_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((version_dir / MANIFEST).read_text(encoding="utf-8"))
    return data


def read_chunks(version_dir: Path) -> list[Chunk]:
    with open(version_dir / CHUNKS, encoding="utf-8") as fh:
        return [Chunk.from_record(json.loads(line)) for line in fh if line.strip()]


def check_embedder(manifest: dict[str, Any], embedder: Embedder) -> None:
    """Refuse an index built with another embedder: its vectors mean nothing to this one."""
    built = manifest.get("embedder", {})
    if built.get("name") != embedder.name or built.get("dim") != embedder.dim:
        raise EmbedderMismatchError(
            f"this index was built with the embedder {built.get('name')} ({built.get('dim')} dimensions) but "
            f"{embedder.name} ({embedder.dim} dimensions) is configured. Rebuild it with `guidebot index --full`, "
            f"or set GUIDEBOT_EMBEDDER back to the embedder it was built with."
        )
