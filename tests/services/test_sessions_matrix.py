"""Every situation a session can be in x every action x every kind of actor.

For each situation (a state, plus the clock and flags that matter: before/after the start,
marked as taught, a pending no-show report, a lapsed request), the test states the exact
set of actions each actor may take, checks `allowed_actions` against it, checks that every
other action is refused by its `do_*` with a typed error and writes nothing, and then, for
each allowed action, performs it on a fresh copy and checks the next state and which
credits moved (escrow, learner wallet, teacher wallet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, func, select

from bartr.models.accounts import Role, User
from bartr.models.sessions import SessionEvent, SessionState
from bartr.services import jobs, ledger, sessions
from bartr.services.errors import InvalidTransition, NotAllowed
from tests.factories import make_user
from tests.services.session_factories import T0, Pair, make_pair, request, wallet

START = T0 + timedelta(days=3, hours=2)  # Thursday 10:00 UTC
END = START + timedelta(hours=1)
COUNTER = T0 + timedelta(days=5, hours=2)  # a time the teacher counter-proposes
NEW_TIMES = [T0 + timedelta(days=8, hours=2)]  # what propose_reschedule offers in the matrix
H = timedelta(hours=1)
M = timedelta(minutes=1)

ACTORS = ("learner", "teacher", "stranger", "admin")


@dataclass
class Ctx:
    pair: Pair
    stranger: User
    admin: User
    session_id: int
    now: datetime

    def actor(self, name: str) -> User:
        return {
            "learner": self.pair.learner,
            "teacher": self.pair.teacher,
            "stranger": self.stranger,
            "admin": self.admin,
        }[name]


def _act(db: Session, fn, who: User, sid: int, at: datetime, **kw) -> None:  # type: ignore[no-untyped-def]
    fn(db, actor=who, session_id=sid, now=at, **kw)
    db.commit()


def build(db: Session, name: str) -> Ctx:
    pair = make_pair(db)
    stranger = make_user(db)
    admin = make_user(db, role=Role.ADMIN)
    sid = request(db, pair, times=[START], now=T0).id or 0
    L, T = pair.learner, pair.teacher
    s = sessions

    def accept() -> None:
        _act(db, s.do_accept, T, sid, T0 + H, starts_at=START)

    now: datetime
    if name == "requested":
        now = T0 + H
    elif name == "requested_lapsed":
        now = T0 + 72 * H + M
    elif name == "counter_by_teacher":
        _act(db, s.do_propose_reschedule, T, sid, T0 + H, start_times=[COUNTER])
        now = T0 + 2 * H
    elif name == "counter_by_learner":
        _act(db, s.do_propose_reschedule, T, sid, T0 + H, start_times=[COUNTER])
        _act(db, s.do_propose_reschedule, L, sid, T0 + 2 * H, start_times=[COUNTER + H])
        now = T0 + 3 * H
    elif name == "moved_by_learner":
        accept()
        _act(db, s.do_propose_reschedule, L, sid, T0 + 2 * H, start_times=[COUNTER])
        now = T0 + 3 * H
    elif name == "scheduled_early":
        accept()
        now = T0 + 2 * H
    elif name == "scheduled_late":
        accept()
        now = START - 2 * H
    elif name == "in_progress":
        accept()
        now = START + 30 * M
    elif name == "ended":
        accept()
        now = END + H
    elif name == "marked":
        accept()
        _act(db, s.do_mark_complete, T, sid, END + H)
        now = END + 2 * H
    elif name == "ended_past_window":
        accept()
        now = END + 25 * H
    elif name == "claim_by_learner":
        accept()
        _act(db, s.do_report_no_show, L, sid, START + 20 * M)
        now = START + 30 * M
    elif name == "claim_by_teacher":
        accept()
        _act(db, s.do_report_no_show, T, sid, START + 20 * M)
        now = START + 30 * M
    elif name == "disputed":
        accept()
        _act(db, s.do_dispute, L, sid, END + H, reason="The teacher left after ten minutes.")
        now = END + 2 * H
    elif name == "declined":
        _act(db, s.do_decline, T, sid, T0 + H)
        now = T0 + 2 * H
    elif name == "withdrawn":
        _act(db, s.do_withdraw, L, sid, T0 + H)
        now = T0 + 2 * H
    elif name == "cancelled":
        accept()
        _act(db, s.do_cancel, T, sid, T0 + 2 * H)
        now = T0 + 3 * H
    elif name == "expired":
        jobs.run_due_transitions(db, now=T0 + 72 * H + M)
        db.commit()
        now = T0 + 73 * H
    elif name == "completed":
        accept()
        _act(db, s.do_mark_complete, T, sid, END + H)
        _act(db, s.do_confirm_complete, L, sid, END + 2 * H)
        now = END + 3 * H
    elif name == "no_show":
        accept()
        _act(db, s.do_report_no_show, L, sid, START + 20 * M)
        s.do_finalize_no_show(db, session_id=sid, now=START + 20 * M + 24 * H)
        db.commit()
        now = START + 26 * H
    elif name == "resolved":
        accept()
        _act(db, s.do_dispute, L, sid, END + H, reason="Half the time was lost.")
        _act(db, s.do_resolve_dispute, admin, sid, END + 2 * H, resolution="split")
        now = END + 3 * H
    else:  # pragma: no cover
        raise AssertionError(name)
    return Ctx(pair=pair, stranger=stranger, admin=admin, session_id=sid, now=now)


# situation -> the stage `rules.stage_of` reads from it (the row key in TRANSITIONS).
STAGE = sessions.Stage
SITUATION_STAGE: dict[str, sessions.Stage] = {
    "requested": STAGE.REQUESTED,
    "requested_lapsed": STAGE.EXPIRED,
    "counter_by_teacher": STAGE.RESCHEDULE_PROPOSED,
    "counter_by_learner": STAGE.RESCHEDULE_PROPOSED,
    "moved_by_learner": STAGE.RESCHEDULE_PROPOSED,
    "scheduled_early": STAGE.SCHEDULED,
    "scheduled_late": STAGE.SCHEDULED,
    "in_progress": STAGE.SCHEDULED,
    "ended": STAGE.SCHEDULED,
    "marked": STAGE.MARKED,
    "ended_past_window": STAGE.SCHEDULED,
    "claim_by_learner": STAGE.NO_SHOW_REPORTED,
    "claim_by_teacher": STAGE.NO_SHOW_REPORTED,
    "disputed": STAGE.DISPUTED,
    "declined": STAGE.DECLINED,
    "withdrawn": STAGE.CANCELLED,
    "cancelled": STAGE.CANCELLED,
    "expired": STAGE.EXPIRED,
    "completed": STAGE.COMPLETED,
    "no_show": STAGE.NO_SHOW,
    "resolved": STAGE.COMPLETED,
}

NONE: dict[str, set[str]] = {}
# situation -> {actor: allowed actions}; actors not named may do nothing.
ALLOWED: dict[str, dict[str, set[str]]] = {
    "requested": {"learner": {"withdraw"}, "teacher": {"accept", "propose_reschedule", "decline"}},
    "requested_lapsed": NONE,
    "counter_by_teacher": {
        "learner": {"accept", "propose_reschedule", "cancel"},
        "teacher": {"cancel"},
    },
    "counter_by_learner": {
        "learner": {"cancel"},
        "teacher": {"accept", "propose_reschedule", "decline", "cancel"},
    },
    "moved_by_learner": {
        "learner": {"cancel"},
        "teacher": {"accept", "propose_reschedule", "decline", "cancel"},
    },
    "scheduled_early": {
        "learner": {"propose_reschedule", "cancel"},
        "teacher": {"propose_reschedule", "cancel"},
    },
    "scheduled_late": {"learner": {"cancel"}, "teacher": {"cancel"}},
    "in_progress": {"learner": {"report_no_show"}, "teacher": {"report_no_show"}},
    "ended": {
        "learner": {"report_no_show", "dispute"},
        "teacher": {"mark_complete", "report_no_show"},
    },
    "marked": {"learner": {"confirm_complete", "report_no_show", "dispute"}},
    "ended_past_window": {"teacher": {"mark_complete"}},
    "claim_by_learner": {"teacher": {"dispute"}},
    "claim_by_teacher": {"learner": {"dispute"}},
    "disputed": {"admin": {"resolve_dispute"}},
    "declined": NONE,
    "withdrawn": NONE,
    "cancelled": NONE,
    "expired": NONE,
    "completed": NONE,
    "no_show": NONE,
    "resolved": NONE,
}

# (situation, actor, action, extra kwargs) -> (next state, escrow after, learner +, teacher +)
# The learner's 60-minute session costs 60 minor units, held at request time.
EFFECTS: list[tuple[str, str, str, dict, tuple[str, int, int, int]]] = [  # type: ignore[type-arg]
    ("requested", "teacher", "accept", {}, ("scheduled", 60, 0, 0)),
    ("requested", "teacher", "propose_reschedule", {}, ("reschedule_proposed", 60, 0, 0)),
    ("requested", "teacher", "decline", {}, ("declined", 0, 60, 0)),
    ("requested", "learner", "withdraw", {}, ("cancelled", 0, 60, 0)),
    ("counter_by_teacher", "learner", "accept", {}, ("scheduled", 60, 0, 0)),
    ("counter_by_teacher", "learner", "propose_reschedule", {}, ("reschedule_proposed", 60, 0, 0)),
    ("counter_by_teacher", "learner", "cancel", {}, ("cancelled", 0, 60, 0)),
    ("counter_by_teacher", "teacher", "cancel", {}, ("cancelled", 0, 60, 0)),
    ("counter_by_learner", "teacher", "accept", {}, ("scheduled", 60, 0, 0)),
    ("counter_by_learner", "teacher", "propose_reschedule", {}, ("reschedule_proposed", 60, 0, 0)),
    ("counter_by_learner", "teacher", "decline", {}, ("declined", 0, 60, 0)),
    ("counter_by_learner", "teacher", "cancel", {}, ("cancelled", 0, 60, 0)),
    ("counter_by_learner", "learner", "cancel", {}, ("cancelled", 0, 60, 0)),
    ("moved_by_learner", "teacher", "accept", {}, ("scheduled", 60, 0, 0)),
    ("moved_by_learner", "teacher", "propose_reschedule", {}, ("reschedule_proposed", 60, 0, 0)),
    ("moved_by_learner", "teacher", "decline", {}, ("declined", 0, 60, 0)),
    ("moved_by_learner", "teacher", "cancel", {}, ("cancelled", 0, 60, 0)),
    ("moved_by_learner", "learner", "cancel", {}, ("cancelled", 0, 60, 0)),
    ("scheduled_early", "learner", "propose_reschedule", {}, ("reschedule_proposed", 60, 0, 0)),
    ("scheduled_early", "teacher", "propose_reschedule", {}, ("reschedule_proposed", 60, 0, 0)),
    ("scheduled_early", "learner", "cancel", {}, ("cancelled", 0, 60, 0)),
    ("scheduled_early", "teacher", "cancel", {}, ("cancelled", 0, 60, 0)),
    ("scheduled_late", "learner", "cancel", {}, ("cancelled", 0, 30, 30)),
    ("scheduled_late", "teacher", "cancel", {}, ("cancelled", 0, 60, 0)),
    ("in_progress", "learner", "report_no_show", {}, ("scheduled", 60, 0, 0)),
    ("in_progress", "teacher", "report_no_show", {}, ("scheduled", 60, 0, 0)),
    ("ended", "learner", "report_no_show", {}, ("scheduled", 60, 0, 0)),
    ("ended", "teacher", "report_no_show", {}, ("scheduled", 60, 0, 0)),
    ("ended", "learner", "dispute", {}, ("disputed", 60, 0, 0)),
    ("ended", "teacher", "mark_complete", {}, ("scheduled", 60, 0, 0)),
    ("marked", "learner", "confirm_complete", {}, ("completed", 0, 0, 60)),
    ("marked", "learner", "report_no_show", {}, ("scheduled", 60, 0, 0)),
    ("marked", "learner", "dispute", {}, ("disputed", 60, 0, 0)),
    ("ended_past_window", "teacher", "mark_complete", {}, ("scheduled", 60, 0, 0)),
    ("claim_by_learner", "teacher", "dispute", {}, ("disputed", 60, 0, 0)),
    ("claim_by_teacher", "learner", "dispute", {}, ("disputed", 60, 0, 0)),
    ("disputed", "admin", "resolve_dispute", {"resolution": "teacher"}, ("completed", 0, 0, 60)),
    ("disputed", "admin", "resolve_dispute", {"resolution": "learner"}, ("cancelled", 0, 60, 0)),
    ("disputed", "admin", "resolve_dispute", {"resolution": "split"}, ("completed", 0, 30, 30)),
]


def _call(db: Session, ctx: Ctx, actor: str, action: str, **extra) -> None:  # type: ignore[no-untyped-def]
    who = ctx.actor(actor)
    sid = ctx.session_id
    kwargs: dict = {"actor": who, "session_id": sid, "now": ctx.now}  # type: ignore[type-arg]
    if action == "accept":
        session = sessions.get_session(db, sid)
        times = sessions.open_times(db, session)
        kwargs["starts_at"] = times[0] if times else START
    elif action == "propose_reschedule":
        kwargs["start_times"] = NEW_TIMES
    elif action == "dispute":
        kwargs["reason"] = "It did not go as agreed."
    elif action == "resolve_dispute":
        kwargs["resolution"] = extra.get("resolution", "split")
    getattr(sessions, f"do_{action}")(db, **kwargs)


def _events(db: Session, sid: int) -> int:
    return db.exec(
        select(func.count()).select_from(SessionEvent).where(SessionEvent.session_id == sid)
    ).one()


def test_matrix_covers_every_state_and_action() -> None:
    states_seen = {
        "requested",
        "reschedule_proposed",
        "scheduled",
        "disputed",
        "declined",
        "cancelled",
        "expired",
        "completed",
        "no_show",
    }
    assert states_seen == {s.value for s in SessionState}
    assert set(ALLOWED) >= {"requested", "disputed", "expired", "no_show", "completed"}
    for situation, actor, action, _, _ in EFFECTS:
        assert action in ALLOWED[situation].get(actor, set()), (situation, actor, action)
    for situation, by_actor in ALLOWED.items():
        for actor, actions in by_actor.items():
            for action in actions:
                assert any(e[:3] == (situation, actor, action) for e in EFFECTS), (
                    "no effect row for",
                    situation,
                    actor,
                    action,
                )


def test_every_person_row_of_the_table_is_exercised() -> None:
    """Each (stage, action) row a person can fire has an effect row here, and vice versa."""
    exercised = {(SITUATION_STAGE[e[0]], e[2]) for e in EFFECTS}
    person_rows = {
        key
        for key, row in sessions.TRANSITIONS.items()
        if row.stage is not None and row.who != sessions.Who.SYSTEM
    }
    assert exercised == person_rows
    # Terminal stages have no way out.
    assert not any(
        row.stage
        in (STAGE.COMPLETED, STAGE.CANCELLED, STAGE.DECLINED, STAGE.EXPIRED, STAGE.NO_SHOW)
        for row in sessions.TRANSITIONS.values()
    )


@pytest.mark.parametrize("situation", list(ALLOWED))
def test_allowed_actions_and_refusals(db: Session, situation: str) -> None:
    ctx = build(db, situation)
    session = sessions.get_session(db, ctx.session_id)
    assert sessions.stage_of(session, ctx.now) == SITUATION_STAGE[situation]
    escrow = ledger.escrow_balance(db, ctx.session_id)
    events = _events(db, ctx.session_id)
    for actor in ACTORS:
        expected = ALLOWED[situation].get(actor, set())
        got = sessions.allowed_actions(db, session=session, actor=ctx.actor(actor), now=ctx.now)
        assert set(got) == expected, (situation, actor)
        for action in sessions.USER_ACTIONS:
            if action in expected:
                continue
            with pytest.raises((InvalidTransition, NotAllowed)) as err:
                _call(db, ctx, actor, action)
            assert err.value.message
            if actor == "stranger":
                assert isinstance(err.value, NotAllowed)
            db.rollback()
    # Refusals wrote nothing.
    assert ledger.escrow_balance(db, ctx.session_id) == escrow
    assert _events(db, ctx.session_id) == events
    assert ledger.check_invariants(db) == []


@pytest.mark.parametrize(
    ("situation", "actor", "action", "extra", "outcome"),
    EFFECTS,
    ids=[f"{e[0]}-{e[1]}-{e[2]}-{e[3].get('resolution', '')}" for e in EFFECTS],
)
def test_effect_of_each_allowed_action(
    db: Session,
    situation: str,
    actor: str,
    action: str,
    extra: dict,  # type: ignore[type-arg]
    outcome: tuple[str, int, int, int],
) -> None:
    ctx = build(db, situation)
    row = sessions.TRANSITIONS[(SITUATION_STAGE[situation], action)]
    learner0, teacher0 = wallet(db, ctx.pair.learner), wallet(db, ctx.pair.teacher)
    events0 = _events(db, ctx.session_id)
    _call(db, ctx, actor, action, **extra)
    db.commit()
    state, escrow, learner_gain, teacher_gain = outcome
    session = sessions.get_session(db, ctx.session_id)
    db.refresh(session)
    assert session.state == state
    assert state in {stage.state.value for stage in row.to}  # the table names the outcome
    assert sessions.stage_of(session, ctx.now) in row.to
    assert ledger.escrow_balance(db, ctx.session_id) == escrow
    assert (escrow == 0) == row.effect.empties_escrow  # ... and whether credits moved
    assert wallet(db, ctx.pair.learner) - learner0 == learner_gain
    assert wallet(db, ctx.pair.teacher) - teacher0 == teacher_gain
    assert _events(db, ctx.session_id) == events0 + 1
    last = db.exec(
        select(SessionEvent)
        .where(SessionEvent.session_id == ctx.session_id)
        .order_by(SessionEvent.id.desc())  # type: ignore[union-attr]
    ).first()
    assert last is not None and last.action == action and last.to_state == state
    assert last.actor_id == ctx.actor(actor).id
    assert ledger.check_invariants(db) == []
    # Firing the same action again is refused and moves nothing more.
    with pytest.raises((InvalidTransition, NotAllowed)):
        _call(db, ctx, actor, action, **extra)
    db.rollback()
    assert wallet(db, ctx.pair.learner) - learner0 == learner_gain
