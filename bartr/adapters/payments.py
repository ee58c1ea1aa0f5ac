"""Payments: Stripe Checkout for credit packs and Stripe's webhook signatures.

The service decides what is bought and what a verified event means; this module only
talks to Stripe (opening a hosted checkout page) and checks signatures with the official
library, adding the one check the library leaves out (timestamps from the future).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

import stripe

log = logging.getLogger(__name__)

TOLERANCE_SECONDS = 300


class ProviderUnavailable(Exception):
    """The provider could not be reached or refused the request; nothing was charged."""


class InvalidSignature(Exception):
    """A webhook whose signature, timestamp or shape does not check out."""


@dataclass(frozen=True)
class CheckoutPage:
    id: str
    url: str


class PaymentGateway(Protocol):
    def create_checkout(self, params: dict[str, Any], *, idempotency_key: str) -> CheckoutPage:
        """Open a hosted checkout page (no database work: call it outside transactions)."""
        ...

    def verify_webhook(
        self, payload: bytes, sig_header: str, *, now: float | None = None
    ) -> dict[str, Any]:
        """The event as a dict, if signed with our secret within the tolerance window."""
        ...


def _header_timestamp(sig_header: str) -> int:
    for item in sig_header.split(","):
        name, _, value = item.strip().partition("=")
        if name == "t":
            return int(value)
    raise ValueError("no timestamp")


class StripeGateway:
    def __init__(self, *, secret_key: str, webhook_secret: str, api_base: str | None) -> None:
        self._secret_key = secret_key
        self._webhook_secret = webhook_secret
        self._api_base = api_base

    def _client(self) -> stripe.StripeClient:
        base: dict[str, str] = {"api": self._api_base.rstrip("/")} if self._api_base else {}
        return stripe.StripeClient(
            self._secret_key,
            base_addresses=base,  # type: ignore[arg-type]
            max_network_retries=1,
            http_client=stripe.new_default_http_client(timeout=20),
        )

    def create_checkout(self, params: dict[str, Any], *, idempotency_key: str) -> CheckoutPage:
        try:
            session = self._client().v1.checkout.sessions.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            log.warning("Stripe checkout creation failed (%s): %s", idempotency_key, exc)
            raise ProviderUnavailable(str(exc)) from exc
        if not session.url:
            raise ProviderUnavailable("no checkout URL returned")
        return CheckoutPage(id=str(session.id), url=str(session.url))

    def verify_webhook(
        self, payload: bytes, sig_header: str, *, now: float | None = None
    ) -> dict[str, Any]:
        if not self._webhook_secret:
            raise InvalidSignature("Webhook secret is not configured.")
        try:
            stripe.Webhook.construct_event(
                payload, sig_header, self._webhook_secret, tolerance=TOLERANCE_SECONDS
            )
            timestamp = _header_timestamp(sig_header or "")
            event = json.loads(payload)
        except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as exc:
            raise InvalidSignature("Invalid Stripe signature.") from exc
        current = now if now is not None else time.time()
        # The library checks staleness against the clock but accepts any future timestamp.
        if abs(timestamp - current) > TOLERANCE_SECONDS:
            raise InvalidSignature("Stripe signature timestamp is outside the tolerance window.")
        if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
            raise InvalidSignature("Malformed Stripe event.")
        return event
