"""The rating card of the session page (UI.md "Rating dialog"); read-only stars are in
components/stars.py."""

from __future__ import annotations

import reflex as rx

from bartr.components.forms import form_alert
from bartr.components.stars import stars_row
from bartr.state.rating import RatingState as R


def _star_picker() -> rx.Component:
    return rx.hstack(
        *[
            rx.icon_button(
                rx.icon(
                    "star",
                    size=28,
                    color=rx.cond(R.stars >= n, rx.color("amber", 9), rx.color("gray", 8)),
                    fill=rx.cond(R.stars >= n, rx.color("amber", 9), "none"),
                ),
                type="button",
                variant="ghost",
                size="3",
                on_click=R.set_stars(n),
                aria_label=f"{n} star{'s' if n > 1 else ''}",
                aria_pressed=rx.cond(R.stars == n, "true", "false"),
                data_testid=f"star-{n}",
            )
            for n in range(1, 6)
        ],
        spacing="1",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _star_picker(),
            rx.cond(R.field == "stars", rx.text(R.error, size="1", color=rx.color("red", 11))),
            rx.flex(
                rx.foreach(
                    R.prompts,
                    lambda p: rx.button(
                        p,
                        type="button",
                        size="1",
                        radius="full",
                        variant=rx.cond(R.chosen.contains(p), "solid", "outline"),
                        color_scheme=rx.cond(R.chosen.contains(p), "teal", "gray"),
                        on_click=R.toggle_prompt(p),
                        aria_pressed=rx.cond(R.chosen.contains(p), "true", "false"),
                    ),
                ),
                gap="8px",
                wrap="wrap",
            ),
            rx.text_area(
                value=R.text,
                on_change=R.set_text,
                placeholder="A sentence about the session (at least 10 characters)",
                rows="3",
                width="100%",
                aria_label="Your review",
                name="review",
            ),
            rx.cond(R.field == "text", rx.text(R.error, size="1", color=rx.color("red", 11))),
            rx.cond((R.error != "") & (R.field == ""), form_alert(R.error)),
            rx.text(R.hidden_note, size="1", color=rx.color("gray", 11)),
            rx.hstack(
                rx.button(
                    rx.cond(R.editing, "Save changes", "Send rating"),
                    type="submit",
                    loading=R.busy,
                ),
                rx.cond(
                    R.editing,
                    rx.button(
                        "Cancel",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=R.cancel_edit,
                    ),
                ),
                spacing="3",
            ),
            spacing="3",
            width="100%",
            align="start",
        ),
        on_submit=lambda _data: R.submit(),
        width="100%",
    )


def _mine() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Your rating", weight="medium", size="2"),
            stars_row(R.my_stars),
            rx.cond(
                R.my_published,
                rx.badge("Published", color_scheme="green", variant="soft", radius="full"),
                rx.badge(
                    "Hidden until both rated", color_scheme="gray", variant="soft", radius="full"
                ),
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(R.my_text, size="2"),
        rx.cond(
            R.my_edit_note != "",
            rx.hstack(
                rx.text(R.my_edit_note, size="1", color=rx.color("gray", 11)),
                rx.button("Edit", size="1", variant="soft", on_click=R.start_edit),
                spacing="2",
                align="center",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _theirs() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(R.other_name + "’s rating of you", weight="medium", size="2"),
            stars_row(R.their_stars),
            spacing="2",
            align="center",
        ),
        rx.text(R.their_text, size="2"),
        spacing="2",
        width="100%",
    )


def rating_card() -> rx.Component:
    """Shown on a completed session of mine: the form, my rating, and theirs once public."""
    return rx.cond(
        R.shown,
        rx.card(
            rx.vstack(
                rx.heading(
                    rx.cond(
                        R.can_rate,
                        "Rate your session with " + R.other_name,
                        "Ratings",
                    ),
                    size="4",
                    as_="h2",
                ),
                rx.cond(
                    R.must_rate,
                    rx.callout(
                        "Rate this session to book your next one.",
                        icon="info",
                        size="1",
                        color_scheme="amber",
                        width="100%",
                    ),
                ),
                rx.cond(
                    R.can_rate | R.editing,
                    _form(),
                    rx.cond(R.has_mine, _mine()),
                ),
                rx.cond(R.has_theirs, rx.fragment(rx.separator(size="4"), _theirs())),
                spacing="3",
                width="100%",
            ),
            size="3",
            width="100%",
            id="rate",
        ),
    )
