"""'How trust works' (/trust): the score's formula and the badges' rules in plain words.

Every number on this page comes from services/trust.py, so the page cannot drift from the
code that computes the score.
"""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.shell import page, page_title
from bartr.services import ratings, trust


def _part(icon: str, title: str, points: str, text: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.center(
                rx.icon(icon, size=20),
                width="40px",
                height="40px",
                border_radius="9999px",
                background=rx.color("accent", 3),
                color=rx.color("accent", 11),
                flex_shrink="0",
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(title, weight="bold", size="3"),
                    rx.badge(points, variant="soft", radius="full"),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(text, size="2", color=rx.color("gray", 11)),
                spacing="1",
            ),
            spacing="4",
            align="start",
        ),
        width="100%",
    )


def _badge(name: str, icon: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=18, color=rx.color("amber", 10)),
                rx.text(name, weight="bold"),
                spacing="2",
                align="center",
            ),
            rx.text(trust.BADGE_CRITERIA[name], size="2", color=rx.color("gray", 11)),
            rx.text("Lost as soon as this stops being true.", size="1", color=rx.color("gray", 10)),
            spacing="2",
        ),
        width="100%",
    )


def _section(title: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(title, size="5", as_="h2"), *children, spacing="3", width="100%")


HALF_LIFE_MONTHS = round(trust.HALF_LIFE_DAYS / 30)


@page(routes.TRUST, "How trust works")
def trust_page() -> rx.Component:
    return rx.vstack(
        page_title(
            "How trust works",
            "Every teacher's Trust Score (0–100) is computed from what actually happened, "
            "the same way for everyone. Here is the whole formula.",
        ),
        _section(
            "Four things count",
            _part(
                "star",
                "Rating",
                f"up to +{trust.RATING_POINTS:.0f}",
                "The stars learners gave, as a Bayesian average: every teacher starts with "
                f"{trust.PRIOR_WEIGHT:.0f} imaginary {trust.PRIOR_MEAN:.1f}-star reviews, so one "
                "5-star review (4.25) does not beat fifty reviews averaging 4.9 (4.85). "
                f"{trust.RATING_FLOOR} stars give 0 points, 5 stars give "
                f"{trust.RATING_POINTS:.0f}.",
            ),
            _part(
                "graduation-cap",
                "Sessions taught",
                f"up to +{trust.SESSIONS_POINTS:.0f}",
                "Completed sessions, with diminishing returns: the first "
                f"{trust.SESSIONS_HALF:.0f} give half of the {trust.SESSIONS_POINTS:.0f} points, "
                "the next ten half of what is left, and so on.",
            ),
            _part(
                "calendar-x",
                "Cancellations and no-shows",
                f"down to −{trust.CANCEL_MAX:.0f}",
                "Sessions the teacher cancelled or did not show up for, as a share of the "
                "sessions they committed to: "
                f"{trust.CANCEL_POINTS_PER_PERCENT} points per percent "
                "(2% costs 3 points). Cancellations by learners never count against a teacher.",
            ),
            _part(
                "flag",
                "Reports",
                f"−{trust.REPORT_UPHELD_POINTS:.0f} each when upheld",
                f"An upheld report costs {trust.REPORT_UPHELD_POINTS:.0f} points, a report "
                f"still being looked at {trust.REPORT_OPEN_POINTS:.0f}; a dismissed report costs "
                "nothing. Reports fade with age like everything else.",
            ),
            rx.text(
                "The four parts are added and kept between 0 and 100. A teacher with no "
                "session yet has no score: they show as New.",
                size="2",
            ),
        ),
        _section(
            "Recent matters more",
            rx.text(
                f"Every review, session, cancellation and report weighs less as it ages: its "
                f"weight halves every {HALF_LIFE_MONTHS} months. A bad month two years ago has "
                "faded to a sixteenth; what a teacher does now shows. Scores are updated the "
                "moment something happens, and once a day for this fading.",
                size="2",
            ),
        ),
        _section(
            "Fair reviews",
            rx.text(
                "After every completed session the learner rates the teacher (1–5 stars and a "
                "sentence); the teacher may rate the learner. Reviews are double-blind: a "
                "review stays hidden until both have rated, or "
                f"{ratings.BLIND_DAYS} days after the session, so nobody can retaliate. A "
                f"review can be changed for {ratings.EDIT_HOURS} hours while it is hidden. "
                "Learners rate each completed session before booking the next one. Teachers "
                "can reply once, publicly, to each review.",
                size="2",
            ),
        ),
        _section(
            "Badges",
            rx.grid(
                _badge(trust.TRUSTED_TEACHER, "shield-check"),
                _badge(trust.RISING_MENTOR, "sprout"),
                columns=rx.breakpoints(initial="1", sm="2"),
                gap="16px",
                width="100%",
            ),
        ),
        link_button("Find a teacher", href=routes.MARKETPLACE),
        spacing="6",
        width="100%",
        max_width="760px",
    )
