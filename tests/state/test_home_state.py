"""The home page shows live figures and real skills, and a member's own to-do counts."""

from __future__ import annotations

from bartr import demo_data
from bartr.db import unit_of_work
from bartr.services import accounts
from bartr.state.home import HomeState


def test_visitor_sees_live_figures_and_featured_skills(make_state) -> None:  # type: ignore[no-untyped-def]
    demo_data.seed()
    home = make_state(HomeState)
    home.load()
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
    home.load()
    assert home.logged_in and home.viewer_name == "Tom Becker"
    assert home.balance_label not in ("", "0")
    # Tom wants to learn Spanish: the Spanish teachers are suggested.
    assert any(rec.skill_title.endswith("Spanish") for rec in home.for_you)
    assert home.to_answer == 0 and home.upcoming == 0
