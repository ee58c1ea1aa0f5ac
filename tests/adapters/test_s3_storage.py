"""S3 storage against a real S3-compatible server on loopback (moto_server over HTTP)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest

from bartr.adapters.s3_storage import S3Storage
from bartr.adapters.storage import StorageError

MB = 1024 * 1024


def _pattern(n: int) -> bytes:
    return bytes((i * 7 + i // 251) % 256 for i in range(n))


def test_small_file_round_trip_and_ranges(s3_storage: S3Storage) -> None:
    data = _pattern(300_000)
    assert s3_storage.save("course/abc/notes.pdf", iter([data[:1000], data[1000:]])) == len(data)
    assert s3_storage.size("course/abc/notes.pdf") == len(data)
    assert b"".join(s3_storage.read("course/abc/notes.pdf")) == data
    assert b"".join(s3_storage.read("course/abc/notes.pdf", start=10, end=19)) == data[10:20]
    assert b"".join(s3_storage.read("course/abc/notes.pdf", start=len(data) - 5)) == data[-5:]
    assert s3_storage.local_path("course/abc/notes.pdf") is None


def test_large_file_goes_up_in_parts_without_holding_it_whole(s3_storage: S3Storage) -> None:
    """18 MiB in 1 MiB chunks: three parts of 8/8/2 MiB; the buffer never exceeds one part."""
    seen: list[int] = []
    calls: list[str] = []
    real_client = s3_storage.client

    class Spy:
        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            calls.append(name)
            return getattr(real_client, name)

    s3_storage._client = Spy()
    chunk = _pattern(MB)

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(18):
            seen.append(1)
            yield chunk

    assert s3_storage.save("course/big/video.mp4", chunks()) == 18 * MB
    s3_storage._client = real_client
    assert calls.count("upload_part") == 3
    assert "complete_multipart_upload" in calls and "put_object" not in calls
    assert s3_storage.size("course/big/video.mp4") == 18 * MB
    tail = b"".join(s3_storage.read("course/big/video.mp4", start=17 * MB + 3, end=17 * MB + 9))
    assert tail == chunk[3:10]


def test_failed_multipart_upload_is_aborted_and_leaves_nothing(s3_storage: S3Storage) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(9):
            yield _pattern(MB)
        raise OSError("client went away")

    with pytest.raises(OSError):
        s3_storage.save("course/x/video.mp4", chunks())
    assert s3_storage.size("course/x/video.mp4") is None
    uploads = s3_storage.client.list_multipart_uploads(Bucket=s3_storage.bucket)
    assert uploads.get("Uploads", []) == []


def test_missing_deleted_and_bad_keys(s3_storage: S3Storage) -> None:
    assert s3_storage.size("course/none/a.pdf") is None
    with pytest.raises(StorageError):
        list(s3_storage.read("course/none/a.pdf"))
    s3_storage.save("course/a/b.pdf", [b"abc"])
    s3_storage.delete("course/a/b.pdf")
    s3_storage.delete("course/a/b.pdf")
    assert s3_storage.size("course/a/b.pdf") is None
    for key in ["../x", "course/../../etc/passwd", "/etc/passwd", ""]:
        with pytest.raises(StorageError):
            s3_storage.save(key, [b"x"])


def test_presigned_url_serves_the_bytes_with_our_headers_and_expires(
    s3_storage: S3Storage,
) -> None:
    s3_storage.save("course/p/notes.pdf", [b"%PDF-1.4 hello"])
    before = time.time()
    url = s3_storage.presigned_url(
        "course/p/notes.pdf", expires_in=120, filename="Notes é.pdf", content_type="application/pdf"
    )
    assert url is not None
    query = parse_qs(urlparse(url).query)
    # Signed for two minutes from now, SigV4: S3 refuses it after that.
    assert query["X-Amz-Expires"] == ["120"]
    signed_at = time.mktime(time.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ"))
    assert abs(signed_at - time.mktime(time.gmtime(before))) < 5
    assert "X-Amz-Signature" in query
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.read() == b"%PDF-1.4 hello"
        assert resp.headers["Content-Type"] == "application/pdf"
        disposition = resp.headers["Content-Disposition"]
        assert disposition.startswith("inline;") and "UTF-8''Notes%20%C3%A9.pdf" in disposition
        assert resp.headers["Cache-Control"] == "private, no-store"
    # A URL with no signature gets nothing: the bucket is private.
    bare = url.split("?", 1)[0]
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(bare + "?X-Amz-Expires=1", timeout=10)


def test_registry_picks_s3_when_a_bucket_is_configured(
    monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> None:
    from bartr.adapters import registry
    from bartr.adapters.storage import LocalStorage
    from bartr.settings import get_settings

    monkeypatch.setenv("BARTR_S3_BUCKET", "bartr-media")
    monkeypatch.setenv("BARTR_S3_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("BARTR_S3_REGION", "eu-central-1")
    get_settings.cache_clear()
    try:
        store = registry.storage()
        assert isinstance(store, S3Storage)
        assert (store.bucket, store.region, store.endpoint_url) == (
            "bartr-media",
            "eu-central-1",
            moto_endpoint,
        )
        assert registry.storage() is store  # one client per configuration
    finally:
        monkeypatch.delenv("BARTR_S3_BUCKET")
        get_settings.cache_clear()
    assert isinstance(registry.storage(), LocalStorage)
