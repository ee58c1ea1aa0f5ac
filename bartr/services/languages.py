"""Languages a member can say they speak (English names, shown as-is)."""

from __future__ import annotations

from bartr.services.errors import ValidationFailed

LANGUAGES: tuple[str, ...] = (
    "Arabic", "Bengali", "Chinese (Mandarin)", "Czech", "Danish", "Dutch", "English",
    "Finnish", "French", "German", "Greek", "Hebrew", "Hindi", "Hungarian", "Indonesian",
    "Italian", "Japanese", "Korean", "Malay", "Norwegian", "Persian", "Polish",
    "Portuguese", "Punjabi", "Romanian", "Russian", "Spanish", "Swahili", "Swedish",
    "Tagalog", "Tamil", "Thai", "Turkish", "Ukrainian", "Urdu", "Vietnamese",
)  # fmt: skip

_BY_LOWER = {name.lower(): name for name in LANGUAGES}


def clean_languages(values: list[str] | str | None, *, required: bool = True) -> list[str]:
    if isinstance(values, str):
        values = [v for v in values.split(",")]
    result: list[str] = []
    for raw in values or []:
        key = raw.strip().lower()
        if not key:
            continue
        if key not in _BY_LOWER:
            raise ValidationFailed(f"Unknown language: {raw.strip()[:40]!r}.", field="languages")
        name = _BY_LOWER[key]
        if name not in result:
            result.append(name)
    if required and not result:
        raise ValidationFailed("Pick at least one language you speak.", field="languages")
    if len(result) > 10:
        raise ValidationFailed("Pick at most 10 languages.", field="languages")
    return result


def toggled(current: list[str], name: str, *, limit: int = 10) -> list[str]:
    """The chosen languages after a click on `name` (unknown names and overflow ignored)."""
    if name in current:
        return [n for n in current if n != name]
    if name in LANGUAGES and len(current) < limit:
        return [*current, name]
    return current
