"""The composition root: each adapter built from the current settings (cheap: no I/O).

Only the web layer (states, API routes, the background loop) calls these; services take
the adapter they need as an argument. Tests replace one with `override`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bartr.adapters.mail import FileMailer, Mailer, SmtpMailer
from bartr.adapters.payments import PaymentGateway, StripeGateway
from bartr.adapters.storage import FileStorage, LocalStorage
from bartr.adapters.video import LiveKitGateway, VideoGateway
from bartr.settings import get_settings

_overrides: dict[str, Any] = {}


def override(name: str, adapter: Any | None) -> None:
    """Swap an adapter for the rest of the process (tests); None restores the real one."""
    if adapter is None:
        _overrides.pop(name, None)
    else:
        _overrides[name] = adapter


def _storage() -> FileStorage:
    s = get_settings()
    if s.s3_enabled:
        return _s3(
            s.s3_bucket,
            s.s3_region,
            s.s3_endpoint_url or None,
            s.aws_access_key_id,
            s.aws_secret_access_key,
        )
    return LocalStorage(s.media_path)


@lru_cache(maxsize=4)
def _s3(
    bucket: str, region: str, endpoint_url: str | None, key_id: str, secret: str
) -> FileStorage:
    """One S3Storage per configuration: its boto3 client is built once and shared."""
    from bartr.adapters.s3_storage import S3Storage

    return S3Storage(
        bucket=bucket,
        region=region,
        endpoint_url=endpoint_url,
        access_key_id=key_id,
        secret_access_key=secret,
    )


def _payments() -> PaymentGateway:
    s = get_settings()
    return StripeGateway(
        secret_key=s.stripe_secret_key,
        webhook_secret=s.stripe_webhook_secret,
        api_base=s.stripe_api_base,
    )


def _mailer() -> Mailer:
    s = get_settings()
    return SmtpMailer(s.smtp_url) if s.smtp_url else FileMailer(s.outbox_path)


def storage() -> FileStorage:
    return _overrides.get("storage") or _storage()  # type: ignore[no-any-return]


def payments() -> PaymentGateway:
    return _overrides.get("payments") or _payments()  # type: ignore[no-any-return]


def mailer() -> Mailer:
    return _overrides.get("mailer") or _mailer()  # type: ignore[no-any-return]


def video() -> VideoGateway | None:
    """The LiveKit gateway, or None when video is not configured."""
    if "video" in _overrides:
        return _overrides["video"]  # type: ignore[no-any-return]
    s = get_settings()
    if not s.livekit_enabled:
        return None
    return LiveKitGateway(
        url=s.livekit_url, api_key=s.livekit_api_key, api_secret=s.livekit_api_secret
    )
