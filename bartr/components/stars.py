"""Read-only stars: five of them, filled to the nearest half (a 4.5 average shows four
and a half stars; 4.2 shows four, 4.3 four and a half, 4.8 five)."""

from __future__ import annotations

from typing import Any

import reflex as rx

AMBER = rx.color("amber", 9)
EMPTY = rx.color("gray", 7)


def star_kind(value: float, n: int) -> str:
    """'full', 'half' or 'empty' for the n-th star (1-5) of `value`, to the nearest half."""
    if value >= n - 0.25:
        return "full"
    if value >= n - 0.75:
        return "half"
    return "empty"


def _icon(kind: str, size: int) -> rx.Component:
    if kind == "full":
        return rx.icon("star", size=size, color=AMBER, fill=AMBER, flex_shrink="0")
    if kind == "empty":
        return rx.icon("star", size=size, color=EMPTY, fill="none", flex_shrink="0")
    return rx.box(  # an empty star with its left half filled on top
        rx.icon("star", size=size, color=EMPTY, fill="none"),
        rx.icon(
            "star-half", size=size, color=AMBER, fill=AMBER, position="absolute", left="0", top="0"
        ),
        position="relative",
        display="flex",
        flex_shrink="0",
        class_name="star-half",
    )


def _star(value: Any, n: int, size: int) -> rx.Component:
    if isinstance(value, int | float):
        return _icon(star_kind(float(value), n), size)
    return rx.cond(
        value >= n - 0.25,
        _icon("full", size),
        rx.cond(value >= n - 0.75, _icon("half", size), _icon("empty", size)),
    )


def stars_row(value: Any, *, size: int = 16, label: Any = None) -> rx.Component:
    """Five stars for `value` (a number or a numeric Var), to the nearest half."""
    text = str(value) if isinstance(value, int | float) else rx.Var.create(value).to_string()
    return rx.hstack(
        *[_star(value, n, size) for n in range(1, 6)],
        spacing="0",
        role="img",
        aria_label=label if label is not None else text + " of 5 stars",
    )
