"""Home: live community figures for visitors, a dashboard for members."""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr.db import read_session
from bartr.services import stats
from bartr.state.auth import AuthState, log


class HomeState(AuthState):
    members: int = 0
    skills_offered: int = 0
    hours_exchanged: int = 0
    loaded: bool = False

    @rx.event
    def load(self) -> Any:
        try:
            with read_session() as db:
                figures = stats.community_figures(db)
        except Exception:
            log.exception("home figures")
            return None
        self.members = figures.members
        self.skills_offered = figures.skills_offered
        self.hours_exchanged = figures.hours_exchanged
        self.loaded = True
        return None
