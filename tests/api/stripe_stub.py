"""A tiny loopback stand-in for Stripe's HTTP API, plus signing helpers for webhooks.

Only `POST /v1/checkout/sessions` is answered (with a checkout session object); every
request is recorded with its parsed form body so tests can assert what was sent.
Nothing here talks to the internet.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
import stripe

from bartr.settings import get_settings

WEBHOOK_SECRET = "whsec_test_bartr_0123456789"
SECRET_KEY = "sk_test_bartr_stub"


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class StripeStub:
    url: str
    requests: list[RecordedRequest] = field(default_factory=list)
    fail_with: int | None = None  # answer every request with this HTTP status

    @property
    def last(self) -> RecordedRequest:
        return self.requests[-1]


_ids = itertools.count(1)


def _make_handler(stub: StripeStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:  # keep test output quiet
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_stub_{next(_ids)}")
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # http.server calls it by this name
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            stub.requests.append(
                RecordedRequest(
                    method="POST",
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    form=dict(parse_qsl(raw, keep_blank_values=True)),
                )
            )
            if stub.fail_with:
                self._answer(
                    stub.fail_with,
                    {"error": {"type": "api_error", "message": "stub failure"}},
                )
                return
            if self.path != "/v1/checkout/sessions":
                self._answer(404, {"error": {"type": "invalid_request_error"}})
                return
            form = stub.last.form
            cs_id = f"cs_test_stub{next(_ids):04d}"
            self._answer(
                200,
                {
                    "id": cs_id,
                    "object": "checkout.session",
                    "mode": form.get("mode"),
                    "status": "open",
                    "payment_status": "unpaid",
                    "client_reference_id": form.get("client_reference_id"),
                    "amount_total": int(form.get("line_items[0][price_data][unit_amount]", 0)),
                    "currency": form.get("line_items[0][price_data][currency]"),
                    "metadata": {
                        k[len("metadata[") : -1]: v
                        for k, v in form.items()
                        if k.startswith("metadata[")
                    },
                    "url": f"https://checkout.stripe.test/c/pay/{cs_id}",
                },
            )

    return Handler


@pytest.fixture
def stripe_stub() -> Iterator[StripeStub]:
    stub = StripeStub(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(stub))
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield stub
    server.shutdown()
    server.server_close()


@pytest.fixture
def stripe_on(monkeypatch: pytest.MonkeyPatch, stripe_stub: StripeStub) -> Iterator[StripeStub]:
    """Payments configured with test secrets, the API pointed at the loopback stub."""
    monkeypatch.setenv("BARTR_STRIPE_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("BARTR_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("BARTR_STRIPE_API_BASE", stripe_stub.url)
    get_settings.cache_clear()
    yield stripe_stub
    get_settings.cache_clear()


@pytest.fixture
def stripe_off(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("BARTR_STRIPE_SECRET_KEY", "")
    monkeypatch.setenv("BARTR_STRIPE_WEBHOOK_SECRET", "")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def sign(
    payload: bytes | str, *, timestamp: int | None = None, secret: str = WEBHOOK_SECRET
) -> str:
    """A `Stripe-Signature` header made by the stripe library's own signing helper."""
    text = payload.decode() if isinstance(payload, bytes) else payload
    return stripe.WebhookSignature.generate_signature_header(
        text, secret, timestamp=int(time.time()) if timestamp is None else timestamp
    )


def checkout_event(
    *,
    event_id: str,
    checkout_id: str,
    payment_id: int,
    amount_total: int,
    type: str = "checkout.session.completed",
    payment_status: str = "paid",
    currency: str = "eur",
) -> bytes:
    """A webhook body shaped like Stripe's (only the fields BARTR reads, plus a few)."""
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()),
            "livemode": False,
            "type": type,
            "data": {
                "object": {
                    "id": checkout_id,
                    "object": "checkout.session",
                    "client_reference_id": str(payment_id),
                    "amount_total": amount_total,
                    "currency": currency,
                    "payment_status": payment_status,
                    "status": "complete" if payment_status == "paid" else "open",
                    "metadata": {"payment_id": str(payment_id)},
                }
            },
        }
    ).encode()


def start_checkout(db, *, actor, pack_id, success_url="http://x/s", cancel_url="http://x/c"):  # type: ignore[no-untyped-def]
    """What the wallet's Buy does: record, commit, call Stripe outside the transaction,
    record the session id (or close the payment), commit; returns the checkout URL."""
    from bartr.adapters import registry
    from bartr.services import payments

    request = payments.do_create_checkout_request(
        db, actor=actor, pack_id=pack_id, success_url=success_url, cancel_url=cancel_url
    )
    db.commit()
    try:
        checkout_id, url = payments.open_checkout(request, gateway=registry.payments())
    except Exception:
        payments.do_record_checkout(
            db, actor=actor, payment_id=request.payment_id, checkout_session_id=None
        )
        db.commit()
        raise
    payments.do_record_checkout(
        db, actor=actor, payment_id=request.payment_id, checkout_session_id=checkout_id
    )
    db.commit()
    return url
