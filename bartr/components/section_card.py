"""A page section in a card: a heading (with an optional icon and one line of what it is
for), then its content. Wallet, admin, profile editor and request page all use it."""

from __future__ import annotations

from typing import Any

import reflex as rx


def section_header(
    icon: str | None, title: str, *description: Any, level: str = "h2", title_size: str = "4"
) -> rx.Component:
    """The heading of a section: an accent icon tile (optional), the title, its one line."""
    text = rx.vstack(
        rx.heading(title, as_=level, size=title_size, weight="bold"),
        *([rx.text(*description, size="2", color=rx.color("gray", 11))] if description else []),
        spacing="1",
    )
    if icon is None:
        return text
    return rx.hstack(
        rx.box(
            rx.icon(icon, size=18),
            color=rx.color("accent", 11),
            background=rx.color("accent", 3),
            padding="8px",
            border_radius="12px",
            display="flex",
        ),
        text,
        spacing="3",
        align="start",
    )


def section_card(
    title: str,
    *children: rx.Component,
    description: Any = None,
    icon: str | None = None,
    level: str = "h2",
    title_size: str = "4",
    size: Any = "3",
    spacing: str = "5",
    **props: Any,
) -> rx.Component:
    """A card holding one section of a page; `props` go to the card (id, class_name...)."""
    described = () if description is None else (description,)
    return rx.card(
        rx.vstack(
            section_header(icon, title, *described, level=level, title_size=title_size),
            *children,
            spacing=spacing,
            width="100%",
        ),
        size=size,
        width="100%",
        **props,
    )
