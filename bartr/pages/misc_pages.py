"""Account settings, the not-found page and the pages whose features come next."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.shell import page, page_title
from bartr.state.auth import AuthState


@page(routes.SETTINGS, "Account", member_only=True)
def settings_page() -> rx.Component:
    return rx.vstack(
        page_title("Account & security", "Manage how you are signed in."),
        rx.card(
            rx.hstack(
                rx.vstack(
                    rx.text("Log out everywhere", weight="medium"),
                    rx.text(
                        "Ends every session of your account, on this and every other device.",
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                rx.alert_dialog.root(
                    rx.alert_dialog.trigger(
                        rx.button("Log out everywhere", color_scheme="red", variant="soft")
                    ),
                    rx.alert_dialog.content(
                        rx.alert_dialog.title("Log out of every device?"),
                        rx.alert_dialog.description("You will need your password to log in again."),
                        rx.hstack(
                            rx.alert_dialog.cancel(
                                rx.button("Cancel", variant="soft", color_scheme="gray")
                            ),
                            rx.alert_dialog.action(
                                rx.button(
                                    "Log out everywhere",
                                    color_scheme="red",
                                    on_click=AuthState.log_out_everywhere,
                                )
                            ),
                            spacing="3",
                            justify="end",
                            margin_top="16px",
                        ),
                    ),
                ),
                align="center",
                width="100%",
                wrap="wrap",
                spacing="4",
            ),
            width="100%",
            size="3",
        ),
        max_width="720px",
        width="100%",
    )


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
