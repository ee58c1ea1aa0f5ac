"""The teacher's own trust components on the profile editor, and what would raise them.

Read-only: computed live from the member's events by `trust.score_details` (the same pure
function the stored score comes from), so the bars always add up to what others see.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from bartr.db import read_session
from bartr.services import trust
from bartr.state.auth import AuthState, log


@dataclasses.dataclass(frozen=True)
class ComponentVM:
    label: str  # "Rating 4.7 from 23 reviews"
    points: str  # "+62", "−3"
    width: str  # CSS percentage of the component's maximum
    negative: bool


_MAX = {
    "rating": trust.RATING_POINTS,
    "sessions": trust.SESSIONS_POINTS,
    "cancellations": trust.CANCEL_MAX,
    "reports": trust.REPORT_UPHELD_POINTS * 2,
}


def component_vms(result: trust.TrustScore) -> list[ComponentVM]:
    return [
        ComponentVM(
            label=c.label[:1].upper() + c.label[1:],
            points=trust.signed(c.points),
            width=f"{min(abs(c.points) / _MAX[c.key], 1) * 100:.0f}%",
            negative=c.points < 0,
        )
        for c in result.components
    ]


class TrustEditorState(AuthState):
    has_score: bool = False
    score: str = ""
    components: list[ComponentVM] = []
    tips: list[str] = []

    @rx.event
    def load(self) -> None:
        try:
            with read_session() as db:
                user = self._current_user(db)
                if user is None:
                    return
                stats = trust.stats_for(db, user.id or 0)
                result = trust.score_details(db, user.id or 0)
        except Exception:
            log.exception("trust editor")
            return
        self.has_score = stats.trust_score is not None
        self.score = f"{stats.trust_score:.0f}" if stats.trust_score is not None else ""
        self.components = component_vms(result)
        self.tips = trust.how_to_raise(result, review_count=stats.rating_count)[:2]
