"""The header's bell: live unread count and a menu of the latest notifications."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.state.live import LiveState as L


def count_badge(count: rx.Var, *, label: str, class_name: str) -> rx.Component:
    return rx.cond(
        count > 0,
        rx.badge(
            rx.cond(count > 99, "99+", count.to_string()),
            variant="solid",
            color_scheme="red",
            radius="full",
            size="1",
            aria_label=label,
            class_name=class_name,
        ),
    )


def _item(item: rx.Var) -> rx.Component:
    return rx.menu.item(
        rx.hstack(
            rx.icon(item.icon, size=16, color=rx.color("gray", 11), flex_shrink="0"),
            rx.text(
                item.text,
                size="2",
                weight=rx.cond(item.unread, "bold", "regular"),
                white_space="normal",
                flex="1",
            ),
            rx.text(item.when, size="1", color=rx.color("gray", 10), flex_shrink="0"),
            rx.cond(
                item.unread,
                rx.box(
                    width="8px",
                    height="8px",
                    border_radius="50%",
                    background=rx.color("accent", 9),
                    flex_shrink="0",
                ),
            ),
            spacing="2",
            align="center",
            width="100%",
        ),
        on_click=L.open_notification(item.id),
        height="auto",
        padding_y="8px",
        class_name="bell-item",
    )


def bell() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("bell", size=18),
                count_badge(
                    L.unread_notifications, label="Unread notifications", class_name="bell-count"
                ),
                variant="ghost",
                color_scheme="gray",
                aria_label="Notifications",
                id="bell",
            )
        ),
        rx.menu.content(
            rx.hstack(
                rx.text("Notifications", weight="bold", size="2"),
                rx.spacer(),
                rx.cond(
                    L.unread_notifications > 0,
                    rx.button(
                        "Mark all read",
                        on_click=L.mark_all_read,
                        variant="ghost",
                        size="1",
                    ),
                ),
                align="center",
                padding="4px 8px",
                width="100%",
            ),
            rx.menu.separator(),
            rx.cond(
                L.bell.length() > 0,
                rx.foreach(L.bell, _item),
                rx.text(
                    "Nothing yet: requests, messages and credits show up here.",
                    size="2",
                    color=rx.color("gray", 10),
                    padding="12px 8px",
                ),
            ),
            rx.menu.separator(),
            rx.menu.item(
                "See all notifications",
                on_click=rx.redirect(routes.NOTIFICATIONS),
                color_scheme="gray",
            ),
            width="min(380px, calc(100vw - 24px))",
            align="end",
        ),
    )
