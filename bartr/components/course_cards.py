"""Course cards: a course's title, what is in it, and whether it is open to the viewer."""

from __future__ import annotations

import reflex as rx


def course_card(card: rx.Var) -> rx.Component:
    """`card` is a CourseCardVM var (bartr/state/course_cards.py)."""
    return rx.link(
        rx.card(
            rx.hstack(
                rx.box(
                    rx.icon(rx.cond(card.unlocked, "book-open", "lock"), size=18),
                    color=rx.cond(card.unlocked, rx.color("accent", 11), rx.color("gray", 10)),
                    background=rx.cond(card.unlocked, rx.color("accent", 3), rx.color("gray", 3)),
                    padding="8px",
                    border_radius="10px",
                    display="flex",
                ),
                rx.vstack(
                    rx.text(card.title, weight="bold", size="2"),
                    rx.text(card.summary, size="1", color=rx.color("gray", 11)),
                    rx.cond(
                        card.unlocked,
                        rx.text("Open course", size="1", color=rx.color("accent", 11)),
                        rx.text(card.lock_reason, size="1", color=rx.color("gray", 10)),
                    ),
                    spacing="1",
                    min_width="0",
                ),
                spacing="3",
                align="start",
            ),
            size="2",
            width="100%",
            variant="surface",
            class_name="course-card",
        ),
        href=card.url,
        underline="none",
        color="inherit",
        width="100%",
    )


def course_cards(cards: rx.Var, *, empty: rx.Component | None = None) -> rx.Component:
    body = rx.vstack(rx.foreach(cards, course_card), spacing="2", width="100%")
    if empty is None:
        return body
    return rx.cond(cards.length() > 0, body, empty)
