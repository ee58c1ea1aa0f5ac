"""The cancellation / refund policy as a pure function, and its plain-words text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bartr.models.sessions import DisputeResolution, Side
from bartr.services.sessions import policy as p

START = datetime(2030, 3, 10, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("side", "before_start", "scheduled", "to_teacher"),
    [
        (Side.TEACHER, 48 * H, True, 0),
        (Side.TEACHER, 1 * H, True, 0),  # the teacher cancelling late still refunds in full
        (Side.LEARNER, 24 * H, True, 0),  # exactly 24 h is enough notice
        (Side.LEARNER, 24 * H - timedelta(seconds=1), True, 45),
        (Side.LEARNER, 1 * H, True, 45),
        (Side.LEARNER, 1 * H, False, 0),  # no agreed time (reschedule open): full refund
    ],
)
def test_cancellation(
    side: Side, before_start: timedelta, scheduled: bool, to_teacher: int
) -> None:
    s = p.cancellation_settlement(
        cost=90, cancelled_by=side, starts_at=START, now=START - before_start, scheduled=scheduled
    )
    assert (s.to_teacher, s.to_learner) == (to_teacher, 90 - to_teacher)


def test_no_show_completion_and_disputes() -> None:
    assert p.no_show_settlement(cost=60, absent=Side.TEACHER) == p.Settlement(0, 60)
    assert p.no_show_settlement(cost=60, absent=Side.LEARNER) == p.Settlement(60, 0)
    assert p.completion_settlement(cost=120) == p.Settlement(120, 0)
    assert p.dispute_settlement(cost=30, resolution=DisputeResolution.SPLIT) == p.Settlement(15, 15)
    assert p.dispute_settlement(cost=30, resolution=DisputeResolution.LEARNER).is_full_refund


def test_expiry_and_windows() -> None:
    sent = START - 100 * H
    assert p.request_expires_at(proposed_at=sent, start_times=[START]) == sent + 72 * H
    assert p.request_expires_at(proposed_at=START - 10 * H, start_times=[START + H, START]) == START
    assert p.auto_complete_at(ends_at=START) == START + 24 * H
    assert p.can_reschedule(starts_at=START, now=START - 24 * H)
    assert not p.can_reschedule(starts_at=START, now=START - 23 * H)


@given(
    cost=st.sampled_from([30, 60, 90, 120]),
    side=st.sampled_from(list(Side)),
    minutes_before=st.integers(-600, 10_000),
    scheduled=st.booleans(),
)
def test_settlements_always_add_up(
    cost: int, side: Side, minutes_before: int, scheduled: bool
) -> None:
    s = p.cancellation_settlement(
        cost=cost,
        cancelled_by=side,
        starts_at=START,
        now=START - timedelta(minutes=minutes_before),
        scheduled=scheduled,
    )
    assert s.to_teacher + s.to_learner == cost and 0 <= s.to_teacher <= cost


def test_policy_text_is_plain_and_complete() -> None:
    lines = p.policy_text()
    text = " ".join(lines)
    for words in ("24 hours", "72 hours", "50%", "full", "dispute", "admin", "no-show"):
        assert words in text
    assert "0.75 credits" in " ".join(p.policy_text(cost=90))
