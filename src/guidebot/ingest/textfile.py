"""Decode text files safely: UTF-8 first, then Windows-1252 with a warning; binary data is refused."""

from __future__ import annotations


class EncodingProblem(ValueError):
    """Bytes that are not text."""


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Return (text, warning or None). Raises EncodingProblem for binary data."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:8192]:
        raise EncodingProblem("binary data (NUL bytes), not a text file")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise EncodingProblem(f"not UTF-8 (byte {exc.start}) and not Windows-1252 either") from exc
        return text, f"not UTF-8 (byte {exc.start}); read as Windows-1252"
