"""Test doubles for the adapters (bartr/adapters), used only by unit tests.

Browser tests and the running app always use the real adapters; these stand in where a
unit test wants to look inside (what was stored, what was sent) without a server.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from bartr.adapters.mail import MailNotSent
from bartr.adapters.payments import CheckoutPage, ProviderUnavailable
from bartr.adapters.storage import StorageError, check_key


class MemoryStorage:
    """Keeps files in a dict; `fail` makes every save raise (a full disk, a dead bucket)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.fail = False

    def save(self, key: str, chunks: Iterable[bytes]) -> int:
        check_key(key)
        if self.fail:
            raise StorageError("storage is down")
        self.files[key] = b"".join(chunks)
        return len(self.files[key])

    def size(self, key: str) -> int | None:
        data = self.files.get(check_key(key))
        return None if data is None else len(data)

    def read(self, key: str, *, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        if check_key(key) not in self.files:
            raise StorageError(f"nothing stored under {key!r}")
        data = self.files[key]
        yield data[start : None if end is None else end + 1]

    def delete(self, key: str) -> None:
        self.files.pop(check_key(key), None)

    def local_path(self, key: str) -> Path | None:
        return None

    def presigned_url(
        self, key: str, *, expires_in: int, filename: str, content_type: str
    ) -> str | None:
        return None


@dataclass
class RecordingMailer:
    """Keeps every message; `failures` makes that many next sends raise MailNotSent."""

    sent: list[EmailMessage] = field(default_factory=list)
    failures: int = 0

    def send(self, message: EmailMessage) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise MailNotSent("the mail server is away")
        self.sent.append(message)


@dataclass
class FakePaymentGateway:
    """Answers checkouts with made-up pages; `down` makes them fail like an unreachable Stripe."""

    down: bool = False
    created: list[dict[str, Any]] = field(default_factory=list)

    def create_checkout(self, params: dict[str, Any], *, idempotency_key: str) -> CheckoutPage:
        if self.down:
            raise ProviderUnavailable("connection refused")
        self.created.append(params)
        n = len(self.created)
        return CheckoutPage(id=f"cs_fake_{n}", url=f"https://checkout.invalid/{n}")

    def verify_webhook(
        self, payload: bytes, sig_header: str, *, now: float | None = None
    ) -> dict[str, Any]:
        raise NotImplementedError("webhook tests sign real payloads with the stripe library")
