"""The credit unit. 1 credit = 1 hour of teaching; amounts are integer minutes.

Storing minutes keeps every duration (30/60/90/120) and every policy split (half of a
90-minute session) an exact integer: no floats anywhere near a balance.
"""

from __future__ import annotations

MINOR_PER_CREDIT = 60


def credits(n: int | float) -> int:
    """Whole or half credits as minor units: credits(1.5) == 90."""
    minor = round(n * MINOR_PER_CREDIT)
    if abs(minor - n * MINOR_PER_CREDIT) > 1e-9:
        raise ValueError(f"{n} credits is not a whole number of minutes")
    return minor


def format_credits(minor: int, *, signed: bool = False) -> str:
    """120 -> '2', 90 -> '1.5', 20 -> '0.33'; with signed, '+2' / '−1.5'."""
    value = minor / MINOR_PER_CREDIT
    text = f"{abs(value):.2f}".rstrip("0").rstrip(".")
    if signed:
        return ("+" if minor > 0 else "−" if minor < 0 else "") + text
    return ("−" if minor < 0 else "") + text


def session_cost(duration_minutes: int) -> int:
    """Cost of a session in minor units: one minute of teaching costs one minute of credit."""
    return duration_minutes


def credits_phrase(minor: int) -> str:
    """'1 credit', '1.5 credits', '0 credits'."""
    text = format_credits(minor)
    return f"{text} credit" if abs(minor) == MINOR_PER_CREDIT else f"{text} credits"


def signed_credits_phrase(minor: int) -> str:
    """'+1 credit', '−0.75 credits': a history amount read aloud with its plural."""
    unit = "credit" if abs(minor) == MINOR_PER_CREDIT else "credits"
    return f"{format_credits(minor, signed=True)} {unit}"
