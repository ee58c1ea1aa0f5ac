"""GET /api/courses/items/<id>/file: a course file, for those who may open it, checked per request.

The member comes from the session cookie on every request; the same NotFound answers a
missing item, a locked one, a deleted one and a logged-out browser, so a copied URL tells
nothing. A local store streams the bytes with HTTP Range support (206 for seekable video);
a remote store (S3) answers with a redirect to a presigned URL valid for minutes. Every
answer carries Content-Disposition, `X-Content-Type-Options: nosniff` and no-store caching.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from bartr.adapters import registry
from bartr.adapters.storage import StorageError, content_disposition
from bartr.db import read_session
from bartr.services import accounts, course_access
from bartr.services.errors import DomainError
from bartr.settings import get_settings

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
BASE_HEADERS = {
    "x-content-type-options": "nosniff",
    "cache-control": "private, no-store",
    "cross-origin-resource-policy": "same-origin",
    # The file may be shown in a frame of our own pages, nowhere else.
    "content-security-policy": "frame-ancestors 'self'",
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "no-referrer",
}


@dataclass(frozen=True)
class _Target:
    key: str
    content_type: str
    name: str
    size: int


def parse_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """(start, end) inclusive for one satisfiable range; None for no/ignored range;
    False when the range cannot be satisfied (answer 416)."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None  # several ranges or another unit: serve the whole file
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        n = int(last)
        if n == 0:
            return False
        return max(0, size - n), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        return False
    return start, min(end, size - 1)


def _not_found() -> Response:
    return Response(
        "That file does not exist or is not available to you.",
        status_code=404,
        media_type="text/plain",
        headers=BASE_HEADERS,
    )


async def course_file(request: Request) -> Response:
    item_id = int(request.path_params["item_id"])
    token = request.cookies.get("bartr_session")

    def check() -> _Target:
        with read_session() as db:
            user = accounts.user_for_token(db, token)
            item, _ = course_access.check_can_open(db, actor=user, item_id=item_id)
            return _Target(item.storage_key, item.content_type, item.original_name, item.size_bytes)

    try:
        target = await run_in_threadpool(check)
    except DomainError:
        return _not_found()
    inline = request.query_params.get("download") != "1"
    store = registry.storage()
    url = await run_in_threadpool(
        store.presigned_url,
        target.key,
        expires_in=get_settings().s3_presign_seconds,
        filename=target.name,
        content_type=target.content_type,
    )
    if url is not None:
        return RedirectResponse(url, status_code=302, headers=BASE_HEADERS)
    return await _stream(request, target, inline=inline)


async def _stream(request: Request, target: _Target, *, inline: bool) -> Response:
    store = registry.storage()
    size = await run_in_threadpool(store.size, target.key)
    if size is None:
        return _not_found()
    headers = {
        **BASE_HEADERS,
        "accept-ranges": "bytes",
        "content-disposition": content_disposition(target.name, inline=inline),
    }
    wanted = parse_range(request.headers.get("range"), size)
    if wanted is False:
        return Response(status_code=416, headers={**headers, "content-range": f"bytes */{size}"})
    start, end = wanted if isinstance(wanted, tuple) else (0, size - 1)
    status = 206 if isinstance(wanted, tuple) else 200
    headers["content-length"] = str(end - start + 1)
    if status == 206:
        headers["content-range"] = f"bytes {start}-{end}/{size}"
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=target.content_type)

    def body() -> Iterator[bytes]:
        try:
            yield from store.read(target.key, start=start, end=end)
        except StorageError:
            return

    return StreamingResponse(
        body(), status_code=status, headers=headers, media_type=target.content_type
    )
