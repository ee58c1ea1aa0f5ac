"""S3 (or any S3-compatible store) behind the FileStorage interface, through boto3.

Bucket, region and endpoint URL come from settings, so MinIO, R2 or a local
`moto_server` work as well as AWS. Large files go up as a multipart upload in parts of
`PART_SIZE` (S3's minimum is 5 MiB): at most one part is held in memory, and a failed
upload is aborted so no half object (or orphaned parts) is left behind. Downloads are
either streamed with a Range GET or, for browsers, a short-lived presigned GET URL that
carries its own Content-Disposition and Content-Type.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bartr.adapters.storage import CHUNK, StorageError, check_key, content_disposition

PART_SIZE = 8 * 1024 * 1024


class S3Storage:
    """Files kept as objects of one private bucket; nothing in it is public."""

    def __init__(
        self,
        *,
        bucket: str,
        region: str = "us-east-1",
        endpoint_url: str | None = None,
        access_key_id: str = "",
        secret_access_key: str = "",
        part_size: int = PART_SIZE,
    ) -> None:
        self.bucket = bucket
        self.region = region
        self.endpoint_url = endpoint_url or None
        self._credentials = (access_key_id, secret_access_key)
        self.part_size = max(part_size, 5 * 1024 * 1024)
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        """One boto3 client per storage (thread-safe; building one costs tens of ms)."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3
                    from botocore.config import Config

                    key_id, secret = self._credentials
                    extra: dict[str, Any] = {}
                    if key_id and secret:
                        extra = {"aws_access_key_id": key_id, "aws_secret_access_key": secret}
                    # A custom endpoint (MinIO, moto, an IP) rarely resolves bucket subdomains.
                    style = "path" if self.endpoint_url else "auto"
                    self._client = boto3.client(
                        "s3",
                        region_name=self.region,
                        endpoint_url=self.endpoint_url,
                        config=Config(
                            signature_version="s3v4",
                            s3={"addressing_style": style},
                            retries={"max_attempts": 3, "mode": "standard"},
                        ),
                        **extra,
                    )
        return self._client

    def save(self, key: str, chunks: Iterable[bytes]) -> int:
        check_key(key)
        buffer = bytearray()
        size = 0
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            for chunk in chunks:
                buffer += chunk
                size += len(chunk)
                while len(buffer) >= self.part_size:
                    if upload_id is None:
                        upload_id = self.client.create_multipart_upload(
                            Bucket=self.bucket, Key=key
                        )["UploadId"]
                    part = bytes(buffer[: self.part_size])
                    del buffer[: self.part_size]
                    parts.append(self._upload_part(key, upload_id, len(parts) + 1, part))
            if upload_id is None:
                self.client.put_object(Bucket=self.bucket, Key=key, Body=bytes(buffer))
                return size
            if buffer or not parts:
                parts.append(self._upload_part(key, upload_id, len(parts) + 1, bytes(buffer)))
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException as exc:
            if upload_id is not None:
                # Best effort: the original error is the one worth raising.
                with contextlib.suppress(Exception):
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=key, UploadId=upload_id
                    )
            if _is_client_error(exc):
                raise StorageError(f"S3 refused to store {key!r}: {exc}") from exc
            raise
        return size

    def _upload_part(self, key: str, upload_id: str, number: int, body: bytes) -> dict[str, Any]:
        answer = self.client.upload_part(
            Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
        )
        return {"ETag": answer["ETag"], "PartNumber": number}

    def size(self, key: str) -> int | None:
        check_key(key)
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            if _status(exc) == 404:
                return None
            raise StorageError(f"S3 could not describe {key!r}: {exc}") from exc
        return int(head["ContentLength"])

    def read(self, key: str, *, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        check_key(key)
        byte_range = f"bytes={start}-" if end is None else f"bytes={start}-{end}"
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key, Range=byte_range)
        except Exception as exc:
            raise StorageError(f"nothing readable under {key!r}: {exc}") from exc
        return _stream(answer["Body"])

    def delete(self, key: str) -> None:
        check_key(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            if _status(exc) != 404:
                raise StorageError(f"S3 could not delete {key!r}: {exc}") from exc

    def local_path(self, key: str) -> Path | None:
        return None

    def presigned_url(
        self, key: str, *, expires_in: int, filename: str, content_type: str
    ) -> str | None:
        """A GET URL valid for `expires_in` seconds that answers with our own headers."""
        check_key(key)
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": content_disposition(filename, inline=True),
                "ResponseCacheControl": "private, no-store",
            },
            ExpiresIn=expires_in,
        )
        return url

    def ensure_bucket(self) -> None:
        """Create the bucket when it is missing (local S3-compatible servers, tests)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as exc:
            if _status(exc) not in (404, 400):
                raise StorageError(f"S3 bucket {self.bucket!r} is not reachable: {exc}") from exc
            params: dict[str, Any] = {"Bucket": self.bucket}
            if self.region != "us-east-1":
                params["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
            self.client.create_bucket(**params)


def _stream(body: Any) -> Iterator[bytes]:
    try:
        while True:
            chunk = body.read(CHUNK)
            if not chunk:
                return
            yield chunk
    finally:
        body.close()


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if status is None:
        code = response.get("Error", {}).get("Code")
        return 404 if code in ("404", "NoSuchKey", "NotFound", "NoSuchBucket") else None
    return int(status)


def _is_client_error(exc: BaseException) -> bool:
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, ClientError | BotoCoreError)
