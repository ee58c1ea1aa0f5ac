"""Small chips: a label chip, a skill's level/category/tag chips, a toggleable language
chip and a removable tag."""

from __future__ import annotations

from typing import Any

import reflex as rx


def chip(text: rx.Var | str, *, color: str | None = "gray", variant: str = "soft") -> rx.Component:
    """A small rounded label; `color=None` uses the accent colour."""
    props = {"color_scheme": color} if color else {}
    return rx.badge(text, variant=variant, radius="full", size="1", **props)


def skill_chips(level: rx.Var, category: rx.Var, tags: rx.Var | None = None) -> rx.Component:
    """A skill's level (accent), category and tags (outlined), wrapping on phones."""
    tag_chips = [rx.foreach(tags, lambda t: chip(t, variant="outline"))] if tags is not None else []
    return rx.flex(
        chip(level, color=None),
        chip(category),
        *tag_chips,
        spacing="1",
        wrap="wrap",
    )


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
