"""What a course card shows (profile and session pages share it; no state lives here)."""

from __future__ import annotations

import dataclasses

from bartr import routes
from bartr.services.courses import CourseCard


@dataclasses.dataclass(frozen=True)
class CourseCardVM:
    id: int
    title: str
    skill_title: str
    summary: str  # "2 videos · 3 PDFs"
    unlocked: bool
    lock_reason: str
    url: str


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def card_vm(card: CourseCard) -> CourseCardVM:
    parts = [_plural(card.videos, "video"), _plural(card.pdfs, "PDF")]
    summary = " · ".join(p for p in parts if not p.startswith("0 ")) or "No files yet"
    return CourseCardVM(
        id=card.id,
        title=card.title,
        skill_title=card.skill_title,
        summary=summary,
        unlocked=card.unlocked,
        lock_reason=card.lock_reason,
        url=routes.course(card.id),
    )
