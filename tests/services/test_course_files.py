"""Uploads: typed by their bytes, bounded while streaming, nothing kept when refused, on both
storage backends (a local folder and S3 over HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bartr.adapters.storage import FileStorage, LocalStorage
from bartr.services import course_files
from bartr.services.course_files import display_name, sniff, store_upload
from bartr.services.errors import ValidationFailed
from tests.services.course_factories import MP4, PDF, PDF_WITH_JS, WEBM


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStorage:
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    return request.getfixturevalue("s3_storage")  # type: ignore[no-any-return]


def _stored_keys(store: FileStorage, tmp_path: Path) -> list[str]:
    if isinstance(store, LocalStorage):
        return [str(p) for p in (tmp_path / "media").rglob("*") if p.is_file()]
    listing = store.client.list_objects_v2(Bucket=store.bucket)  # type: ignore[attr-defined]
    return [o["Key"] for o in listing.get("Contents", [])]


@pytest.mark.parametrize(
    ("data", "name", "fmt", "content_type"),
    [
        (PDF, "notes.pdf", "pdf", "application/pdf"),
        (MP4, "talk.mp4", "mp4", "video/mp4"),
        (WEBM, "talk.webm", "webm", "video/webm"),
        (PDF, "looks-like-a-video.mp4", "pdf", "application/pdf"),  # bytes win over the name
    ],
)
def test_accepted_files_are_typed_by_their_bytes(
    store: FileStorage, data: bytes, name: str, fmt: str, content_type: str
) -> None:
    # Chunks of odd sizes: the sniffer must gather the first bytes across chunks.
    chunks = [data[i : i + 7] for i in range(0, len(data), 7)]
    stored = store_upload(store, iter(chunks), course_id=3, filename=name)
    assert (stored.fmt, stored.content_type, stored.size) == (fmt, content_type, len(data))
    assert stored.key.startswith("courses/3/") and stored.key.endswith(f".{fmt}")
    assert name.split(".")[0] not in stored.key  # random, nothing of the uploader's name
    assert b"".join(store.read(stored.key)) == data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<html><script>alert(1)</script></html>" + b" " * 100, "not a PDF, MP4 or WebM"),
        (b"MZ\x90\x00" + b"\x00" * 100, "not a PDF, MP4 or WebM"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 64, "not a PDF"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x82\x88matroska" + b"\x00" * 64, "not a PDF"),
        (PDF_WITH_JS, "JavaScript"),
    ],
)
def test_refused_files_leave_nothing_behind(
    store: FileStorage, tmp_path: Path, data: bytes, message: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        store_upload(store, iter([data]), course_id=1, filename="notes.pdf")
    assert message in err.value.message
    assert _stored_keys(store, tmp_path) == []


def test_oversize_stops_while_streaming(
    store: FileStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(course_files, "limit_for", lambda fmt: 64 * 1024)
    pulled = 0

    def endless() -> Iterator[bytes]:
        nonlocal pulled
        yield PDF[:100]
        while True:
            pulled += 1
            yield b"y" * 8192

    with pytest.raises(ValidationFailed) as err:
        store_upload(store, endless(), course_id=1, filename="big.pdf")
    assert "too large" in err.value.message
    assert pulled <= 9  # stopped right after passing 64 KiB, never read the rest
    assert _stored_keys(store, tmp_path) == []


def test_javascript_split_across_chunks_is_found(store: FileStorage) -> None:
    head, tail = PDF_WITH_JS.split(b"/JavaScript")
    chunks = [head + b"/Java", b"Script" + tail]
    with pytest.raises(ValidationFailed):
        store_upload(store, iter(chunks), course_id=1, filename="x.pdf")


def test_json_is_not_javascript() -> None:
    data = PDF + b"<< /JSON 1 >>\n"
    stored = store_upload(
        __import__("tests.doubles", fromlist=["MemoryStorage"]).MemoryStorage(),
        [data],
        course_id=1,
        filename="x.pdf",
    )
    assert stored.fmt == "pdf"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("/abs/path/notes.pdf", "notes.pdf"),
        ("..", "file"),
        ("", "file"),
        (None, "file"),
        ("  .hidden.pdf ", "hidden.pdf"),
        ("Leçon d’été — 日本語.pdf", "Leçon d’été — 日本語.pdf"),
        ("Cafe\u0301.pdf", "Café.pdf"),  # NFC
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # no right-to-left override
        ("a\x00b\r\nc.pdf", "abc.pdf"),
    ],
)
def test_display_names_are_cleaned(raw: str | None, shown: str) -> None:
    assert display_name(raw) == shown


@given(st.text(max_size=400))
def test_display_name_is_always_a_short_single_segment(raw: str) -> None:
    name = display_name(raw)
    assert 0 < len(name) <= course_files.MAX_NAME
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert not any(ord(c) < 32 for c in name)


@given(st.binary(max_size=80))
def test_sniff_never_guesses_from_noise(data: bytes) -> None:
    fmt = sniff(data)
    assert fmt is None or data.startswith((b"%PDF-", b"\x1a\x45\xdf\xa3")) or data[4:8] == b"ftyp"
