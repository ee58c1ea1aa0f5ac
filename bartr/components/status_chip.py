"""The session status chip: one colour per state, the same on every page (UI.md)."""

from __future__ import annotations

import reflex as rx

# requested amber, scheduled blue, completed green, closed gray, trouble red.
STATUS_COLORS: dict[str, str] = {
    "requested": "amber",
    "reschedule_proposed": "amber",
    "scheduled": "blue",
    "completed": "green",
    "cancelled": "gray",
    "declined": "gray",
    "expired": "gray",
    "disputed": "red",
    "no_show": "red",
}

STATUS_ICONS: dict[str, str] = {
    "requested": "hourglass",
    "reschedule_proposed": "calendar-sync",
    "scheduled": "calendar-check",
    "completed": "circle-check",
    "cancelled": "circle-slash",
    "declined": "circle-x",
    "expired": "clock-alert",
    "disputed": "flag",
    "no_show": "user-x",
}


def status_color(state: rx.Var | str) -> rx.Var:
    """The Radix colour scheme of a state, as a Var usable in any `color_scheme`."""
    return rx.match(state, *STATUS_COLORS.items(), "gray")  # type: ignore[return-value]


def status_fill(state: rx.Var | str, step: int = 9) -> rx.Var:
    """The state's colour itself (for dots and rails), e.g. amber step 9."""
    return rx.match(  # type: ignore[return-value]
        state,
        *[(key, rx.color(color, step)) for key, color in STATUS_COLORS.items()],  # type: ignore[arg-type]
        rx.color("gray", step),
    )


def status_chip(state: rx.Var | str, label: rx.Var | str, *, size: str = "2") -> rx.Component:
    icon = rx.match(
        state,
        *[(key, rx.icon(name, size=12, aria_hidden="true")) for key, name in STATUS_ICONS.items()],
        rx.icon("circle", size=12, aria_hidden="true"),
    )
    return rx.badge(
        icon,
        label,
        color_scheme=status_color(state),
        variant="soft",
        # The status colours' own text step is under 4.5:1 on their tint for some (blue
        # "Scheduled" measured 4.15:1); the high-contrast text keeps the hue and passes AA.
        high_contrast=True,
        radius="full",
        size=size,  # type: ignore[arg-type]
        white_space="nowrap",
        data_state=state,
        class_name="status-chip",
    )
