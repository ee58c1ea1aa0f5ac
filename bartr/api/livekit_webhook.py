"""POST /api/livekit/webhook: LiveKit's signed room events (joins, leaves, room finished).

LiveKit signs each delivery with a JWT in the `Authorization` header whose `sha256` claim
is the body's hash; `services/video` checks it with livekit-api's `WebhookReceiver` and
answers 401 otherwise. The body is anonymous until then, so its size is bounded *before*
it is read: a declared Content-Length over the limit is refused at once, and a body
streamed without one stops being read at the limit. The database work runs in a thread.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bartr.adapters import registry
from bartr.db import unit_of_work
from bartr.services import video
from bartr.services.errors import BadSignature

log = logging.getLogger(__name__)

# LiveKit's events are a few kilobytes (a room and a participant with their tracks).
MAX_BODY_BYTES = 64 * 1024


class _TooLarge(Exception):
    pass


async def _bounded_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _handle(body: str, authorization: str) -> str:
    gateway = registry.video()
    assert gateway is not None
    with unit_of_work() as db:
        return video.handle_webhook(db, body=body, authorization=authorization, gateway=gateway)


async def livekit_webhook(request: Request) -> Response:
    if registry.video() is None:
        return JSONResponse({"error": "Video calls are switched off on this server."}, 503)
    authorization = request.headers.get("authorization", "")
    if not authorization:
        return JSONResponse({"error": "Missing signature."}, 401)
    try:
        raw = await _bounded_body(request)
    except _TooLarge:
        return JSONResponse({"error": "Payload too large."}, 413)
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return JSONResponse({"error": "The body is not UTF-8 JSON."}, 400)
    try:
        outcome = await run_in_threadpool(_handle, body, authorization)
    except BadSignature as exc:
        log.warning("Rejected LiveKit webhook: %s", exc.message)
        return JSONResponse({"error": exc.message}, 401)
    except Exception:
        log.exception("LiveKit webhook failed; LiveKit will retry")
        return JSONResponse({"error": "Internal error."}, 500)
    return JSONResponse({"received": True, "outcome": outcome})
