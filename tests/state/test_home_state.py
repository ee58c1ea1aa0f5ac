"""The home page shows live figures and real skills, and a member's own to-do counts."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bartr import demo_data
from bartr.db import unit_of_work
from bartr.models.accounts import User
from bartr.models.base import utcnow
from bartr.services import accounts
from bartr.state.home import HomeState
from tests.factories import events_of


def test_visitor_sees_live_figures_and_featured_skills(make_state) -> None:  # type: ignore[no-untyped-def]
    demo_data.seed()
    home = make_state(HomeState)
    events_of(home.load())
    assert not home.failed and home.loaded
    assert home.members == len(demo_data.PEOPLE)
    assert home.skills_offered == sum(len(p.teaches) for p in demo_data.PEOPLE)
    assert home.hours_exchanged >= 5
    assert 0 < len(home.featured) <= 6
    assert not home.logged_in and home.for_you == []


def test_member_sees_their_counts_balance_and_matches(make_state) -> None:  # type: ignore[no-untyped-def]
    demo_data.seed()
    with unit_of_work() as db:
        token = accounts.do_login(
            db, email="tom@demo.bartr.app", password=demo_data.DEMO_PASSWORD
        ).token
    home = make_state(HomeState, token=token)
    events_of(home.load())
    assert home.logged_in and home.viewer_name == "Tom Becker"
    assert home.balance_label not in ("", "0")
    # Tom wants to learn Spanish: the Spanish teachers are suggested.
    assert any(rec.skill_title.endswith("Spanish") for rec in home.for_you)
    assert home.to_answer == 0 and home.upcoming == 0


def _tom(make_state):  # type: ignore[no-untyped-def]
    with unit_of_work() as db:
        token = accounts.do_login(
            db, email="tom@demo.bartr.app", password=demo_data.DEMO_PASSWORD
        ).token
    return make_state(HomeState, token=token)


def test_popular_leaves_out_the_teachers_already_suggested_for_you(make_state) -> None:  # type: ignore[no-untyped-def]
    demo_data.seed()
    home = _tom(make_state)
    events_of(home.load())
    suggested = {rec.profile_url for rec in home.for_you}
    assert suggested and home.featured
    assert not suggested & {card.profile_url for card in home.featured}


def test_a_member_who_joined_today_is_welcomed_not_welcomed_back(make_state) -> None:  # type: ignore[no-untyped-def]
    demo_data.seed()
    home = _tom(make_state)
    for joined, greeting in (
        (timedelta(hours=2), "Welcome to BARTR, "),
        (timedelta(days=3), "Welcome back, "),
    ):
        with unit_of_work() as db:
            tom = db.exec(select(User).where(User.email == "tom@demo.bartr.app")).one()
            tom.created_at = utcnow() - joined
            db.add(tom)
        events_of(home.load())
        assert home.greeting == greeting
