"""Input normalisation shared by every form: trimming, length bounds, time zones."""

from __future__ import annotations

import re
import unicodedata
from importlib import resources
from pathlib import Path
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
_ALIASES: dict[str, str] | None = None


def _zone_aliases() -> dict[str, str]:
    """Legacy name -> canonical name ("Asia/Calcutta" -> "Asia/Kolkata"), from the IANA data.

    Browsers still report some legacy names; storing them would show members a zone they
    never picked in the list. The pinned `tzdata` package ships the link table (tzdata.zi);
    the system copy is the fallback.
    """
    global _ALIASES
    if _ALIASES is None:
        text = ""
        try:
            text = (resources.files("tzdata") / "zoneinfo" / "tzdata.zi").read_text()
        except (ModuleNotFoundError, OSError):
            system = Path("/usr/share/zoneinfo/tzdata.zi")
            text = system.read_text() if system.exists() else ""
        _ALIASES = {
            parts[2]: parts[1]
            for parts in (line.split() for line in text.splitlines() if line.startswith("L "))
            if len(parts) == 3
        }
    return _ALIASES


def canonical_timezone(name: str) -> str:
    """The canonical IANA name for `name` (unchanged when it is already canonical)."""
    if name == "UTC":
        return name  # our own spelling of the zero zone, listed last in the picker
    aliases = _zone_aliases()
    seen = 0
    while name in aliases and seen < 5:  # links may chain; bounded on purpose
        name, seen = aliases[name], seen + 1
    return name


def clean_timezone(value: str | None) -> str:
    global _ZONES
    name = canonical_timezone((value or "").strip())
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
    """The zones members pick from: canonical names only (no legacy aliases), UTC last."""
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    aliases = _zone_aliases()
    return [
        *sorted(
            z
            for z in _ZONES
            if "/" in z and not z.startswith(("Etc/", "SystemV/")) and z not in aliases
        ),
        "UTC",
    ]
