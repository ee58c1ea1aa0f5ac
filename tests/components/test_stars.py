"""Fractional stars (#22): an average fills the stars to the nearest half."""

from __future__ import annotations

import pytest
import reflex as rx

from bartr.components.skill_card import rating
from bartr.components.stars import star_kind, stars_row
from bartr.state.profile_view import ProfileViewState
from bartr.state.view_models import star_value


@pytest.mark.parametrize(
    ("value", "kinds"),
    [
        (4.5, ["full"] * 4 + ["half"]),
        (4.2, ["full"] * 4 + ["empty"]),
        (4.3, ["full"] * 4 + ["half"]),
        (4.8, ["full"] * 5),
        (5.0, ["full"] * 5),
        (1.0, ["full"] + ["empty"] * 4),
        (2.6, ["full", "full", "half", "empty", "empty"]),
        (0.0, ["empty"] * 5),
    ],
)
def test_stars_fill_to_the_nearest_half(value: float, kinds: list[str]) -> None:
    assert [star_kind(value, n) for n in range(1, 6)] == kinds


def test_a_four_and_a_half_average_draws_four_full_stars_and_a_half_one() -> None:
    jsx = str(stars_row(4.5, size=14))
    assert jsx.count("LucideStarHalf") == 1
    assert jsx.count('["fill"] : "var(--amber-9)"') == 5  # four full stars and the half's fill
    assert '"4.5 of 5 stars"' in jsx


def test_a_numeric_var_chooses_the_star_in_the_browser() -> None:
    jsx = str(stars_row(ProfileViewState.review_stars, size=14))
    # Each star is decided from the var: full from n - 0.25, half from n - 0.75.
    assert ">= 4.75" in jsx and ">= 4.25" in jsx and "LucideStarHalf" in jsx


def test_cards_and_profiles_show_the_stars_beside_the_average() -> None:
    jsx = str(
        rating(
            ProfileViewState.rating, ProfileViewState.rating_count, ProfileViewState.rating_stars
        )
    )
    assert "rating_stars" in jsx and "LucideStarHalf" in jsx and '"New"' in jsx
    assert star_value(4.46, 12) == 4.5 and star_value(None, 0) == 0.0 and star_value(4.9, 0) == 0.0
    # Without a numeric average (older callers) a single star is kept.
    assert "LucideStarHalf" not in str(rating(rx.Var.create("4.5"), rx.Var.create(3)))
