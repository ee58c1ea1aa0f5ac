"""/notifications: the notification centre (Linear's inbox, calmer)."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.shell import loading_skeleton, page, page_title
from bartr.state.notifications_page import NotificationsState as N


def _row(row: rx.Var) -> rx.Component:
    return rx.fragment(
        rx.cond(
            row.first_of_day,
            rx.text(
                row.day, size="1", weight="bold", color=rx.color("gray", 10), padding="12px 4px 4px"
            ),
        ),
        rx.hstack(
            rx.box(
                rx.icon(row.icon, size=16),
                color=rx.color("gray", 11),
                background=rx.color("gray", 3),
                padding="8px",
                border_radius="10px",
                display="flex",
                flex_shrink="0",
            ),
            rx.link(
                row.text,
                href=row.href,
                on_click=N.mark_read(row.id),
                size="2",
                weight=rx.cond(row.unread, "bold", "regular"),
                color=rx.color("gray", 12),
                underline="hover",
                flex="1",
            ),
            rx.text(row.when, size="1", color=rx.color("gray", 10), flex_shrink="0"),
            rx.cond(
                row.unread,
                rx.tooltip(
                    rx.icon_button(
                        rx.icon("check", size=14),
                        on_click=N.mark_read(row.id),
                        size="1",
                        variant="ghost",
                        aria_label="Mark read",
                    ),
                    content="Mark read",
                ),
                rx.box(width="24px"),
            ),
            spacing="3",
            align="center",
            padding="10px 8px",
            border_radius="10px",
            background=rx.cond(row.unread, rx.color("accent", 2), "transparent"),
            width="100%",
            class_name=rx.cond(row.unread, "notification unread", "notification"),
        ),
    )


def _prompts() -> rx.Component:
    return rx.cond(
        N.prompts.length() > 0,
        rx.card(
            rx.vstack(
                rx.text("Waiting for you", weight="bold", size="2"),
                rx.foreach(
                    N.prompts,
                    lambda p: rx.link(
                        rx.hstack(
                            rx.icon("star", size=16, color=rx.color("amber", 10)),
                            rx.text(p.text, size="2"),
                            spacing="2",
                            align="center",
                        ),
                        href=p.href,
                        underline="hover",
                        color=rx.color("gray", 12),
                    ),
                ),
                spacing="2",
            ),
            width="100%",
            variant="surface",
        ),
    )


def _empty() -> rx.Component:
    return rx.vstack(
        rx.icon("bell-off", size=28, color=rx.color("gray", 9)),
        rx.text(
            rx.cond(N.show == "unread", "You're all caught up.", "No notifications yet."),
            weight="medium",
        ),
        rx.text(
            "Requests, messages and credits show up here as they happen.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.link("Browse the marketplace", href=routes.MARKETPLACE, size="2"),
        align="center",
        text_align="center",
        spacing="2",
        padding_y="40px",
        width="100%",
    )


def _content() -> rx.Component:
    return rx.vstack(
        rx.flex(
            page_title("Notifications"),
            rx.spacer(),
            rx.hstack(
                rx.segmented_control.root(
                    rx.segmented_control.item("All", value="all"),
                    rx.segmented_control.item("Unread", value="unread"),
                    value=N.show,
                    on_change=N.set_show,
                ),
                rx.button(
                    "Mark all read",
                    on_click=N.mark_everything_read,
                    variant="soft",
                    disabled=N.unread_notifications == 0,
                ),
                spacing="3",
                align="center",
            ),
            wrap="wrap",
            align="start",
            gap="12px",
            width="100%",
        ),
        _prompts(),
        rx.card(
            rx.cond(
                N.rows.length() > 0,
                rx.vstack(rx.foreach(N.rows, _row), spacing="1", width="100%"),
                _empty(),
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
        max_width="760px",
    )


@page(routes.NOTIFICATIONS, "Notifications", member_only=True, on_load=[N.load])
def notifications_page() -> rx.Component:
    return rx.cond(
        N.loading,
        loading_skeleton(),
        rx.cond(
            N.load_error != "",
            rx.callout(N.load_error, icon="triangle-alert", color_scheme="amber"),
            _content(),
        ),
    )
