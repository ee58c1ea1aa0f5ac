"""File storage: where uploaded bytes live (avatars today, course files next).

Keys are opaque, random, slash-separated names chosen by services ("avatars/abc.webp");
the storage never trusts a key to stay inside its root, and never serves anything by
itself: downloads go through routes that check who is asking first.
"""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import quote

_KEY = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)+$")
CHUNK = 1024 * 1024


class StorageError(Exception):
    """The store could not keep or find the bytes (missing key, I/O or provider error)."""


def check_key(key: str) -> str:
    """Refuse keys that could step outside the store (``..``, absolute paths, odd bytes)."""
    if not _KEY.match(key) or ".." in key:
        raise StorageError(f"invalid storage key {key!r}")
    return key


def content_disposition(filename: str, *, inline: bool) -> str:
    """A Content-Disposition value safe for any name: ASCII fallback plus RFC 5987 UTF-8."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = re.sub(r"[^A-Za-z0-9._ -]", "_", fallback).strip() or "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class FileStorage(Protocol):
    def save(self, key: str, chunks: Iterable[bytes]) -> int:
        """Store the chunks under `key` (written whole or not at all); returns the size."""
        ...

    def size(self, key: str) -> int | None:
        """The stored size in bytes, or None when nothing is stored under `key`."""
        ...

    def read(self, key: str, *, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes start..end (inclusive, like an HTTP Range) in chunks."""
        ...

    def delete(self, key: str) -> None: ...

    def local_path(self, key: str) -> Path | None:
        """A file on this machine a route may stream from, or None (remote store)."""
        ...

    def presigned_url(
        self, key: str, *, expires_in: int, filename: str, content_type: str
    ) -> str | None:
        """A short-lived direct URL (remote store), or None: serve through `read` instead."""
        ...


class LocalStorage:
    """A folder outside every public web root (the embedded default)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def save(self, key: str, chunks: Iterable[bytes]) -> int:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
        size = 0
        try:
            with open(tmp, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            tmp.replace(target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return size

    def size(self, key: str) -> int | None:
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    def read(self, key: str, *, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        path = self._path(key)
        if not path.is_file():
            raise StorageError(f"nothing stored under {key!r}")
        return _read_file(path, start, end)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None

    def presigned_url(
        self, key: str, *, expires_in: int, filename: str, content_type: str
    ) -> str | None:
        return None


def _read_file(path: Path, start: int, end: int | None) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        yield from read_span(handle, start, end)


def read_span(handle: BinaryIO, start: int, end: int | None) -> Iterator[bytes]:
    """Yield bytes start..end (inclusive) of an open file in CHUNK-sized pieces."""
    handle.seek(start)
    left = None if end is None else end - start + 1
    while left is None or left > 0:
        chunk = handle.read(CHUNK if left is None else min(CHUNK, left))
        if not chunk:
            return
        if left is not None:
            left -= len(chunk)
        yield chunk
