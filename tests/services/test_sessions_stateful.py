"""Random sequences of actions by random actors with random clock jumps (hypothesis).

Whatever happens, the books balance (`ledger.check_invariants`), a live session (open,
scheduled or disputed) holds exactly its cost in escrow, a closed one (completed, cancelled,
declined, expired, no_show) holds nothing, the pair's credits are conserved, and the teacher
has been paid exactly what the written policy says for every closed session.

The machine is steered so it gets somewhere. Each step draws one move among those that
make sense now: an action some participant is offered (`sessions.allowed_actions`), which
must then go through; a request at times inside the teacher's availability; a clock jump
to the next moments that matter (a start, an end, an expiry, the end of the dispute and
no-show windows) after which the job runs; a plain clock advance (the job lagging); the job;
or "chaos" (any action by anyone on any session, which the service must refuse exactly when
the buttons would not offer it). Weights favour moving forward, and a per-example "mood"
tilts them (keen, absent, quarrelsome, hesitant, slow). `test_the_machine_reaches_every_ending`
fails if a change makes the machine stop reaching any of the endings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine
from sqlmodel import Session, select

from bartr.models.accounts import Role
from bartr.models.sessions import (
    TERMINAL_STATES,
    DisputeResolution,
    SessionState,
    SkillSession,
)
from bartr.services import jobs, ledger, ratings, sessions
from bartr.services.errors import Conflict, DomainError, ValidationFailed
from bartr.services.sessions.policy import POLICY
from tests.factories import make_user
from tests.services.session_factories import T0, make_pair

ACTIONS = sessions.USER_ACTIONS
ACTORS = ("learner", "teacher", "stranger", "admin")
# The only refusals of an offered action: a time that overlaps, is taken or lies outside
# the teacher's hours, which the buttons cannot know.
INPUT_ERRORS = (Conflict, ValidationFailed)
INPUT_ACTIONS = ("accept", "propose_reschedule")
# `make_pair`'s teacher is in Berlin with ALL_WEEK availability (00:00-24:00 every day);
# a session must not cross local midnight, so request times are drawn 07:00-21:30 local.
TEACHER_TZ = ZoneInfo("Europe/Berlin")
MAX_LIVE = 2  # open/scheduled/disputed sessions at once: enough to clash, few enough to finish

# Per example, a mood multiplies some weights (0: never, except through `chaos`).
MOODS: dict[str, dict[str, int]] = {
    "plain": {},
    "keen": {"accept": 2, "mark_complete": 3, "confirm_complete": 3, "cancel": 0, "decline": 0},
    "absent": {"report_no_show": 4, "dispute": 0, "mark_complete": 0},
    "quarrelsome": {"dispute": 4, "resolve_dispute": 2, "report_no_show": 2},
    "hesitant": {"cancel": 3, "decline": 3, "withdraw": 2, "propose_reschedule": 3},
    "slow": {"advance": 3, "run_job": 2, "chaos": 2, "accept": 0},
}

# (days ahead, local hour, half past?) of one proposed start.
slot_st = st.tuples(st.integers(0, 3), st.integers(7, 21), st.booleans())
slots_st = st.lists(slot_st, min_size=1, max_size=3, unique=True)

# The moves of `step`, most advanced first (hypothesis favours the first entry a little),
# with how often each is picked when it makes sense: moving forward is likelier than
# backing out.
WEIGHTS = {
    "resolve_dispute": 3,
    "confirm_complete": 3,
    "mark_complete": 3,
    "report_no_show": 2,
    "dispute": 1,
    "accept": 6,
    "jump": 4,
    "request": 2,
    "run_job": 1,
    "chaos": 2,
    "propose_reschedule": 1,
    "cancel": 2,
    "decline": 2,
    "withdraw": 1,
    "advance": 1,
}

# The endings the machine must reach (checked by test_the_machine_reaches_every_ending):
# name -> does this transition (from_state, to_state) count?
ENDINGS: dict[str, Callable[[str, str], bool]] = {
    "completed": lambda a, b: a == "scheduled" and b == "completed",
    "cancelled after scheduled": lambda a, b: a == "scheduled" and b == "cancelled",
    "declined": lambda a, b: b == "declined",
    "expired": lambda a, b: b == "expired",
    "dispute resolved": lambda a, b: a == "disputed",
    "no_show": lambda a, b: b == "no_show",
}


def local_slot(now: datetime, days: int, hour: int, half: bool) -> datetime:
    """A start `days` after now's local date at hh:00/hh:30 in the teacher's zone; a day
    later while that is not in the future."""
    day = now.astimezone(TEACHER_TZ).date() + timedelta(days=days)
    start = datetime(day.year, day.month, day.day, hour, 30 if half else 0, tzinfo=TEACHER_TZ)
    start = start.astimezone(UTC)
    while start <= now:
        start += timedelta(days=1)
    return start


class SessionMachine(RuleBasedStateMachine):
    def __init__(self, db: Session, reach: Counter[str] | None = None) -> None:
        super().__init__()
        self.db = db
        # Transitions seen, "from->to", across examples (for the reach test).
        self.reach = reach if reach is not None else Counter()

    # ------------------------------------------------------------------ setup and helpers

    @initialize(mood=st.sampled_from(list(MOODS)))
    def setup(self, mood: str) -> None:
        # Our own swarm testing: each example's people have a mood that makes some moves
        # likelier (or rarer), so that every ending comes up regularly.
        factors = MOODS[mood]
        self.weights = {move: w * factors.get(move, 1) for move, w in WEIGHTS.items()}
        event(f"mood: {mood}")
        self.pair = make_pair(self.db, learner_credits=6000)
        self.people = {
            "learner": self.pair.learner,
            "teacher": self.pair.teacher,
            "stranger": make_user(self.db),
            "admin": make_user(self.db, role=Role.ADMIN),
        }
        self.now = T0
        self.ids: list[int] = []
        self.states: dict[int, str] = {}
        self.rows: dict[int, SkillSession] = {}
        # (action) -> [(session id, actor name)] the buttons offer now.
        self.enabled: dict[str, list[tuple[int, str]]] = {}
        self.start_wallets = {name: self._wallet(name) for name in self.people}
        self.start_total = self._wallet("learner") + self._wallet("teacher")
        self.owed_to_teacher = 0  # what the policy says the closed sessions paid the teacher

    def _wallet(self, name: str) -> int:
        return ledger.available_balance(self.db, self.people[name].id or 0)

    def _attempt(self, fn: Callable[[], object]) -> DomainError | None:
        try:
            fn()
        except DomainError as error:
            self.db.rollback()
            return error
        self.db.commit()
        return None

    def _live(self) -> list[SkillSession]:
        return [s for s in self.rows.values() if SessionState(s.state) not in TERMINAL_STATES]

    def _times(self, slots: list[tuple[int, int, bool]]) -> list[datetime]:
        return sorted({local_slot(self.now, *s) for s in slots})

    # ------------------------------------------------------------------ moves

    def _moves(self) -> list[str]:
        """The moves that make sense now, each repeated by its weight."""
        possible = {"chaos", "advance", "run_job", *self.enabled}
        if len(self._live()) < MAX_LIVE:
            possible.add("request")
        if self._jump_targets():
            possible.add("jump")
        return [m for m, weight in self.weights.items() if m in possible for _ in range(weight)]

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        """One move, drawn among those that make sense now (see `_moves`).

        A single rule on purpose: hypothesis' swarm testing switches whole rules off for an
        example, and a lifecycle needs request, accept, a clock jump and the job together.
        """
        move = data.draw(st.sampled_from(self._moves()), label="move")
        event(f"move: {move}")
        if move in ACTIONS:
            self._offered(move, data)
        else:
            getattr(self, f"_{move}")(data)

    def _rate_completed(self) -> None:
        """The rating gate: a learner rates every completed session before booking again."""
        for pending in ratings.pending_for(self.db, actor=self.pair.learner, limit=50):
            if pending.required:
                ratings.do_rate(
                    self.db, actor=self.pair.learner, session_id=pending.session_id, stars=5,
                    text="A good session, thank you.", now=self.now,
                )  # fmt: skip
        self.db.commit()

    def _request(self, data: st.DataObject) -> None:
        self._rate_completed()
        slots = data.draw(slots_st, label="times")
        duration = data.draw(st.sampled_from([30, 60, 90, 120]), label="duration")
        made: list[SkillSession] = []
        error = self._attempt(
            lambda: made.append(
                sessions.do_request_session(
                    self.db,
                    actor=self.pair.learner,
                    skill_id=self.pair.skill_id,
                    duration_minutes=duration,
                    start_times=self._times(slots),
                    now=self.now,
                )
            )
        )
        if error is None:
            self.ids.append(made[0].id or 0)
        else:  # a time that clashes with a scheduled session of theirs
            assert isinstance(error, Conflict), repr(error)

    def _args(self, action: str, sid: int, actor: str, data: st.DataObject) -> dict[str, object]:
        kwargs: dict[str, object] = {"actor": self.people[actor], "session_id": sid}
        kwargs["now"] = self.now
        if action == "accept":
            times = sessions.open_times(self.db, sessions.get_session(self.db, sid)) or [self.now]
            kwargs["starts_at"] = data.draw(st.sampled_from(times), label="starts_at")
        elif action == "propose_reschedule":
            kwargs["start_times"] = self._times(data.draw(slots_st, label="times"))
        elif action == "dispute":
            kwargs["reason"] = "Something went wrong."
        elif action == "resolve_dispute":
            kwargs["resolution"] = data.draw(
                st.sampled_from(list(DisputeResolution)), label="resolution"
            )
        return kwargs

    def _offered(self, action: str, data: st.DataObject) -> None:
        """Take `action` where the buttons offer it; it must go through (bar input errors)."""
        sid, actor = data.draw(st.sampled_from(self.enabled[action]), label="session, actor")
        kwargs = self._args(action, sid, actor, data)
        error = self._attempt(lambda: getattr(sessions, f"do_{action}")(self.db, **kwargs))
        if error is not None:
            assert action in INPUT_ACTIONS and isinstance(error, INPUT_ERRORS), (
                action,
                actor,
                repr(error),
            )
            event(f"offered {action} refused: {type(error).__name__}")

    def _chaos(self, data: st.DataObject) -> None:
        """Any action by anyone on any session: refused exactly when not offered."""
        if not self.ids:
            return
        sid = data.draw(st.sampled_from(self.ids), label="session")
        action = data.draw(st.sampled_from(ACTIONS), label="action")
        actor = data.draw(st.sampled_from(ACTORS), label="actor")
        kwargs = self._args(action, sid, actor, data)
        allowed = sessions.allowed_actions(
            self.db,
            session=sessions.get_session(self.db, sid),
            actor=self.people[actor],
            now=self.now,
        )
        error = self._attempt(lambda: getattr(sessions, f"do_{action}")(self.db, **kwargs))
        if error is None:
            assert action in allowed, (action, actor)
        elif action not in INPUT_ACTIONS or not isinstance(error, INPUT_ERRORS):
            assert action not in allowed, (action, actor, repr(error))

    def _advance(self, data: st.DataObject) -> None:
        self.now += timedelta(minutes=data.draw(st.integers(10, 3 * 24 * 60), label="minutes"))

    def _jump_targets(self) -> list[tuple[datetime, str]]:
        """Moments that matter for the live sessions, from now on."""
        targets: list[tuple[datetime, str]] = []
        for s in self._live():
            if s.starts_at and s.ends_at:
                targets += [
                    (s.starts_at, "start"),
                    (s.ends_at, "end"),
                    # inside the late-cancellation window, before the start
                    (s.starts_at - timedelta(hours=POLICY.free_cancel_hours - 4), "late notice"),
                    (s.ends_at + timedelta(hours=POLICY.auto_complete_hours), "auto-complete"),
                ]
            if s.expires_at:
                targets.append((s.expires_at, "expiry"))
            if s.no_show_reported_at:
                final = s.no_show_reported_at + timedelta(hours=POLICY.no_show_dispute_hours)
                targets.append((final, "no-show final"))
        return sorted(t for t in targets if t[0] >= self.now)

    def _jump(self, data: st.DataObject) -> None:
        """Move the clock to (or just past) one of the next two such moments, so that time
        passes through every window (to report, to dispute) instead of leaping over them;
        the job has run by then (`advance` is the clock moving while the job lags)."""
        when, what = data.draw(st.sampled_from(self._jump_targets()[:2]), label="jump to")
        self.now = when + timedelta(
            minutes=data.draw(st.sampled_from([0, 1, 29, 61]), label="plus minutes")
        )
        event(f"jump to {what}")
        self._run_job(data)

    def _run_job(self, data: st.DataObject) -> None:
        del data
        counts = jobs.run_due_transitions(self.db, now=self.now)
        self.db.commit()
        assert counts["failed"] == 0, counts

    # ------------------------------------------------------------------ invariants

    def _teacher_share(self, s: SkillSession, before: str) -> int:
        """What the written policy pays the teacher for a session that just closed."""
        state = SessionState(s.state)
        if state == SessionState.COMPLETED:
            if s.resolution == DisputeResolution.SPLIT:
                return s.cost * POLICY.dispute_split_teacher_percent // 100
            return s.cost
        if state == SessionState.NO_SHOW:
            return s.cost if s.no_show_reported_by == "teacher" else 0
        if (
            state == SessionState.CANCELLED
            and before == SessionState.SCHEDULED
            and s.cancelled_by == self.pair.learner.id
            and s.starts_at is not None
            and s.starts_at - self.now < timedelta(hours=POLICY.free_cancel_hours)
        ):
            return s.cost * POLICY.late_cancel_teacher_percent // 100
        return 0

    @invariant()
    def books_balance(self) -> None:
        if not hasattr(self, "ids"):
            return
        assert ledger.check_invariants(self.db) == []
        rows = self.db.exec(
            select(SkillSession)
            .where(SkillSession.id.in_(self.ids))  # type: ignore[union-attr]
            .execution_options(populate_existing=True)
        ).all()
        held_total = 0
        for s in rows:
            sid = s.id or 0
            before = self.states.get(sid, "")
            if before != s.state:
                if before:
                    self.reach[f"{before}->{s.state}"] += 1
                    event(f"{before} -> {s.state}")
                if SessionState(s.state) in TERMINAL_STATES:
                    self.owed_to_teacher += self._teacher_share(s, before)
            held = ledger.escrow_balance(self.db, sid)
            held_total += held
            if SessionState(s.state) in TERMINAL_STATES:
                assert held == 0, (sid, s.state, held)
            else:
                assert held == s.cost, (sid, s.state, held)
            self.states[sid] = s.state
            self.rows[sid] = s
        # Credits only move between the learner, the teacher and the escrows.
        learner, teacher = self._wallet("learner"), self._wallet("teacher")
        assert learner + teacher + held_total == self.start_total
        assert ledger.held_balance(self.db, self.pair.learner.id or 0) == held_total
        assert teacher - self.start_wallets["teacher"] == self.owed_to_teacher
        for name in ("stranger", "admin"):
            assert self._wallet(name) == self.start_wallets[name]
        self.db.commit()
        # What the buttons offer now: `step` draws offered actions from this.
        enabled: dict[str, list[tuple[int, str]]] = {}
        for s in self._live():
            for name in ("learner", "teacher", "admin"):
                offered = sessions.allowed_actions(
                    self.db, session=s, actor=self.people[name], now=self.now
                )
                for action in offered:
                    enabled.setdefault(action, []).append((s.id or 0, name))
        self.enabled = enabled


BASE = settings(deadline=None, suppress_health_check=list(HealthCheck))


def test_random_lifecycles_keep_the_books(db: Session) -> None:
    run_state_machine_as_test(
        lambda: SessionMachine(db),
        settings=settings(BASE, max_examples=10, stateful_step_count=40),
    )


def test_the_machine_reaches_every_ending(sqlite_engine: Engine) -> None:
    """Guard against a degenerate machine: 60 derandomised examples reach every ending.

    One backend is enough here: what is measured is the strategy, not the database.
    """
    reach: Counter[str] = Counter()
    with Session(sqlite_engine, expire_on_commit=False) as db:
        run_state_machine_as_test(
            lambda: SessionMachine(db, reach),
            settings=settings(
                BASE, max_examples=60, stateful_step_count=40, derandomize=True, database=None
            ),
        )
    reached = {
        name: sum(n for key, n in reach.items() if counts(*key.split("->")))
        for name, counts in ENDINGS.items()
    }
    assert all(reached.values()), (reached, dict(reach))
