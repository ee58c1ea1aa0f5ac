"""The not-found page and the pages whose features come next (settings: pages/settings.py)."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.shell import page, page_title


@page(routes.MESSAGES, "Messages", member_only=True)
def messages_page() -> rx.Component:
    return rx.vstack(
        page_title("Messages"),
        rx.card(
            rx.vstack(
                rx.icon("message-circle", size=32, color=rx.color("gray", 9)),
                rx.text(
                    "Chat with the people you learn from and teach is on its way.", weight="medium"
                ),
                rx.text(
                    "Until then, add a message to your session request: the teacher sees it with the request.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                link_button("Go to my sessions", variant="soft", href=routes.SESSIONS),
                align="center",
                spacing="3",
                padding="32px",
                text_align="center",
            ),
            width="100%",
        ),
        width="100%",
    )


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
