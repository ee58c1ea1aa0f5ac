"""Small chips shared by forms: a toggleable language chip and a removable tag."""

from __future__ import annotations

from typing import Any

import reflex as rx


def language_chip(name: rx.Var, *, selected: rx.Var, on_toggle: Any) -> rx.Component:
    return rx.button(
        rx.cond(selected, rx.icon("check", size=12), rx.fragment()),
        name,
        type="button",
        size="1",
        radius="full",
        variant=rx.cond(selected, "solid", "outline"),
        color_scheme=rx.cond(selected, "teal", "gray"),
        on_click=on_toggle,
        aria_pressed=rx.cond(selected, "true", "false"),
    )


def removable_tags(tags: rx.Var, on_remove: Any) -> rx.Component:
    """The chosen tags as soft badges, each with a remove button (`on_remove(tag)`)."""
    return rx.cond(
        tags.length() > 0,  # type: ignore[attr-defined]
        rx.flex(
            rx.foreach(
                tags,
                lambda t: rx.badge(
                    t,
                    rx.icon_button(
                        rx.icon("x", size=10),
                        size="1",
                        variant="ghost",
                        radius="full",
                        on_click=on_remove(t),
                        aria_label="Remove tag " + t,
                    ),
                    radius="full",
                    variant="soft",
                ),
            ),
            spacing="1",
            wrap="wrap",
        ),
    )
