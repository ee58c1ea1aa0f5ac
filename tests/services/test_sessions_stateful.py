"""Random sequences of actions by random actors with random clock jumps (hypothesis).

Whatever happens, the books balance (`ledger.check_invariants`), a live session holds
exactly its cost in escrow, and a closed one (completed, cancelled, declined, expired,
no_show) holds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlmodel import Session, select

from bartr.models.accounts import Role
from bartr.models.sessions import TERMINAL_STATES, SessionState, SkillSession
from bartr.services import jobs, ledger, sessions
from bartr.services.errors import DomainError
from tests.factories import make_user
from tests.services.session_factories import T0, make_pair

ACTIONS = sessions.USER_ACTIONS
ACTORS = ("learner", "teacher", "stranger", "admin")


class SessionMachine(RuleBasedStateMachine):
    sessions_ = Bundle("sessions")

    def __init__(self, db: Session) -> None:
        super().__init__()
        self.db = db

    @initialize()
    def setup(self) -> None:
        self.pair = make_pair(self.db, learner_credits=6000)
        self.people = {
            "learner": self.pair.learner,
            "teacher": self.pair.teacher,
            "stranger": make_user(self.db),
            "admin": make_user(self.db, role=Role.ADMIN),
        }
        self.now = T0
        self.ids: list[int] = []

    def _attempt(self, fn) -> bool:  # type: ignore[no-untyped-def]
        try:
            fn()
        except DomainError:
            self.db.rollback()
            return False
        self.db.commit()
        return True

    @rule(
        target=sessions_,
        hours=st.lists(st.integers(1, 120), min_size=1, max_size=3, unique=True),
        duration=st.sampled_from([30, 60, 90, 120]),
    )
    def request(self, hours: list[int], duration: int):  # type: ignore[no-untyped-def]
        made: list[SkillSession] = []

        def go() -> None:
            made.append(
                sessions.do_request_session(
                    self.db,
                    actor=self.pair.learner,
                    skill_id=self.pair.skill_id,
                    duration_minutes=duration,
                    start_times=[self.now + timedelta(hours=h) for h in hours],
                    now=self.now,
                )
            )

        if self._attempt(go):
            self.ids.append(made[0].id or 0)
            return made[0].id
        return -1

    @rule(
        sid=sessions_,
        action=st.sampled_from(ACTIONS),
        actor=st.sampled_from(ACTORS),
        pick=st.integers(0, 2),
        hours=st.integers(1, 120),
        resolution=st.sampled_from(["teacher", "learner", "split"]),
    )
    def act(self, sid: int, action: str, actor: str, pick: int, hours: int, resolution: str):  # type: ignore[no-untyped-def]
        if sid < 0:
            return
        kwargs: dict = {"actor": self.people[actor], "session_id": sid, "now": self.now}  # type: ignore[type-arg]
        if action == "accept":
            times = sessions.open_times(self.db, sessions.get_session(self.db, sid)) or [self.now]
            kwargs["starts_at"] = times[pick % len(times)]
        elif action == "propose_reschedule":
            kwargs["start_times"] = [self.now + timedelta(hours=hours)]
        elif action == "dispute":
            kwargs["reason"] = "Something went wrong."
        elif action == "resolve_dispute":
            kwargs["resolution"] = resolution
        allowed = sessions.allowed_actions(
            self.db,
            session=sessions.get_session(self.db, sid),
            actor=self.people[actor],
            now=self.now,
        )
        done = self._attempt(lambda: getattr(sessions, f"do_{action}")(self.db, **kwargs))
        # A refused action is never one the page offered, except for input problems
        # (a time that overlaps or is taken), which the buttons cannot know.
        if not done and action not in ("accept", "propose_reschedule"):
            assert action not in allowed, (action, actor)
        if done:
            assert action in allowed, (action, actor)

    @rule(minutes=st.integers(10, 60 * 60))
    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule()
    def run_job(self) -> None:
        jobs.run_due_transitions(self.db, now=self.now)
        self.db.commit()

    @invariant()
    def books_balance(self) -> None:
        if not hasattr(self, "ids"):
            return
        assert ledger.check_invariants(self.db) == []
        for s in self.db.exec(
            select(SkillSession)
            .where(SkillSession.id.in_(self.ids))  # type: ignore[union-attr]
            .execution_options(populate_existing=True)
        ).all():
            held = ledger.escrow_balance(self.db, s.id or 0)
            if SessionState(s.state) in TERMINAL_STATES:
                assert held == 0, (s.id, s.state, held)
            else:
                assert held == s.cost, (s.id, s.state, held)
        self.db.commit()


def test_random_lifecycles_keep_the_books(db: Session) -> None:
    run_state_machine_as_test(
        lambda: SessionMachine(db),
        settings=settings(
            max_examples=8,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
