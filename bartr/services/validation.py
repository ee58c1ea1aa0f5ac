"""Input normalisation shared by every form: trimming, length bounds, time zones."""

from __future__ import annotations

import re
import unicodedata
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bartr.services.errors import ValidationFailed

_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}


def clean_text(
    value: str | None,
    *,
    field: str,
    label: str,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """Trim, normalise (NFC) and bound a piece of text typed by a person."""
    text = unicodedata.normalize("NFC", value or "").strip()
    allowed = {"\n", "\t"} if multiline else set()
    text = "".join(
        ch
        for ch in text
        if ch in allowed
        or unicodedata.category(ch) not in _CONTROL
        or ch in "\u200d\u200c"  # keep joiners used by emoji and Indic scripts
    )
    if multiline:
        text = text.replace("\r\n", "\n")
    if required and not text:
        raise ValidationFailed(f"{label} is required.", field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            f"{label} is too long ({len(text):,} characters; at most {max_length:,}).",
            field=field,
        )
    return text


def clean_email(value: str | None) -> str:
    email = (value or "").strip().lower()
    if not email:
        raise ValidationFailed("Email is required.", field="email")
    if len(email) > 254 or not _EMAIL_RE.match(email):
        raise ValidationFailed("Enter a valid email address, like maya@example.com.", field="email")
    return email


def canonical_mailbox(email: str) -> str:
    """The mailbox an address delivers to: lower case, '+tag' removed (same person)."""
    local, _, domain = email.lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in {"gmail.com", "googlemail.com"}:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


_ZONES: frozenset[str] | None = None


def clean_timezone(value: str | None) -> str:
    global _ZONES
    name = (value or "").strip()
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    if name not in _ZONES:
        raise ValidationFailed(
            "Choose a time zone from the list (for example Europe/Berlin).", field="timezone"
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed("Unknown time zone.", field="timezone") from exc
    return name


def all_timezones() -> list[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return [
        *sorted(z for z in _ZONES if "/" in z and not z.startswith(("Etc/", "SystemV/"))),
        "UTC",
    ]
