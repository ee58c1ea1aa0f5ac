"""POST /api/stripe/webhook: Stripe's signed events about credit-pack checkouts.

The raw body is what the signature covers, so it is read as bytes and handed to the
service untouched. The database work runs in a thread (the service is synchronous) inside
one unit of work; an error other than a bad signature answers 500 so Stripe retries.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bartr.adapters import registry
from bartr.db import unit_of_work
from bartr.services import payments
from bartr.settings import get_settings

log = logging.getLogger(__name__)


def _handle(payload: bytes, sig_header: str) -> str:
    with unit_of_work() as db:
        return payments.handle_stripe_event(
            db, payload=payload, sig_header=sig_header, gateway=registry.payments()
        )


async def stripe_webhook(request: Request) -> Response:
    if not payments.payments_enabled():
        return JSONResponse({"error": "Payments are switched off on this server."}, 503)
    # RequestLimits (in front of the app) already refused a larger body before reading it.
    payload = await request.body()
    if len(payload) > get_settings().stripe_webhook_max_bytes:
        return JSONResponse({"error": "Payload too large."}, 413)
    sig_header = request.headers.get("stripe-signature", "")
    try:
        outcome = await run_in_threadpool(_handle, payload, sig_header)
    except payments.BadSignature as exc:
        log.warning("Rejected Stripe webhook: %s", exc.message)
        return JSONResponse({"error": exc.message}, 400)
    except Exception:
        log.exception("Stripe webhook failed; Stripe will retry")
        return JSONResponse({"error": "Internal error."}, 500)
    return JSONResponse({"received": True, "outcome": outcome})
