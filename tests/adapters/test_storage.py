"""Local file storage: whole-or-nothing writes, ranges, and keys that cannot escape the root."""

from __future__ import annotations

from pathlib import Path

import pytest

from bartr.adapters.storage import LocalStorage, StorageError
from tests.doubles import MemoryStorage


def test_save_and_read_back_in_ranges(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    data = bytes(range(256)) * 9000  # ~2.3 MB: several chunks
    assert store.save("course/abc/video.mp4", iter([data[:1000], data[1000:]])) == len(data)
    assert store.size("course/abc/video.mp4") == len(data)
    assert b"".join(store.read("course/abc/video.mp4")) == data
    assert b"".join(store.read("course/abc/video.mp4", start=10, end=19)) == data[10:20]
    tail = b"".join(store.read("course/abc/video.mp4", start=len(data) - 5))
    assert tail == data[-5:]
    assert store.local_path("course/abc/video.mp4") == tmp_path / "course/abc/video.mp4"


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)

    def chunks():  # type: ignore[no-untyped-def]
        yield b"first part"
        raise OSError("client went away")

    with pytest.raises(OSError):
        store.save("avatars/x.webp", chunks())
    assert store.size("avatars/x.webp") is None
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(
    "key", ["../x", "avatars/../../etc/passwd", "/etc/passwd", "avatars/.hidden", "a", "a//b", ""]
)
def test_keys_cannot_escape_the_root(tmp_path: Path, key: str) -> None:
    store = LocalStorage(tmp_path / "media")
    with pytest.raises(StorageError):
        store.save(key, [b"x"])
    with pytest.raises(StorageError):
        store.size(key)


def test_missing_and_deleted(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    with pytest.raises(StorageError):
        list(store.read("avatars/none.webp"))
    store.save("avatars/a.webp", [b"abc"])
    store.delete("avatars/a.webp")
    store.delete("avatars/a.webp")  # deleting twice is fine
    assert store.local_path("avatars/a.webp") is None
    assert (
        store.presigned_url("avatars/a.webp", expires_in=60, filename="a", content_type="x") is None
    )


def test_memory_double_behaves_like_the_folder() -> None:
    store = MemoryStorage()
    store.save("avatars/a.webp", [b"ab", b"cd"])
    assert store.size("avatars/a.webp") == 4
    assert b"".join(store.read("avatars/a.webp", start=1, end=2)) == b"bc"
    with pytest.raises(StorageError):
        store.save("../a", [b"x"])


@pytest.mark.parametrize("key", ["avatars/-F9hpEOBnp-rnDMbAUtXJQ.webp", "avatars/_x.webp", "a-b/c"])
def test_random_keys_starting_with_a_dash_are_accepted(tmp_path: Path, key: str) -> None:
    """token_urlsafe may start a name with '-' or '_': such keys must store (a flaky CI once)."""
    store = LocalStorage(tmp_path / "media")
    assert store.save(key, [b"xy"]) == 2
    assert store.size(key) == 2


@pytest.mark.parametrize(
    ("name", "ascii_part"),
    [
        ("notes.pdf", 'filename="notes.pdf"'),
        ('Leçon "1"; x.pdf', 'filename="Lecon _1__ x.pdf"'),
        ("日本語.pdf", 'filename=".pdf"'),
        ("\r\nSet-Cookie: a=b", 'filename="__Set-Cookie_ a_b"'),
    ],
)
def test_content_disposition_is_header_safe_for_any_name(name: str, ascii_part: str) -> None:
    from urllib.parse import unquote

    from bartr.adapters.storage import content_disposition

    value = content_disposition(name, inline=False)
    assert value.startswith("attachment; ") and ascii_part in value
    assert "\r" not in value and "\n" not in value
    assert unquote(value.split("UTF-8''", 1)[1]) == name
