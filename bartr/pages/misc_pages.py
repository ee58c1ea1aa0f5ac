"""The not-found page."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button


def not_found_page() -> rx.Component:
    from bartr.components.shell import layout

    return layout(
        rx.center(
            rx.vstack(
                rx.text("404", size="9", weight="bold", color=rx.color("accent", 9)),
                rx.heading("This page does not exist", size="6", as_="h1"),
                rx.text("The link may be old, or the page was moved.", color=rx.color("gray", 11)),
                rx.hstack(
                    link_button("Go home", href=routes.HOME),
                    link_button("Browse the marketplace", variant="soft", href=routes.MARKETPLACE),
                    spacing="3",
                ),
                align="center",
                spacing="3",
                padding_y="80px",
            )
        ),
        member_only=False,
    )
