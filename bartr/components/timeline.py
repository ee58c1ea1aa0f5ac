"""A vertical timeline of a session's transitions: who did what, when, and what it became."""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr.components.status_chip import status_fill


def _entry(entry: Any) -> rx.Component:
    """`entry` has label, actor, when, relative, note, to_state (state.session_detail)."""
    return rx.hstack(
        rx.box(
            rx.box(
                width="10px",
                height="10px",
                border_radius="9999px",
                background=status_fill(entry.to_state),
                box_shadow=f"0 0 0 4px {rx.color('gray', 2)}",
                margin_top="6px",
            ),
            rx.box(flex="1", width="2px", background=rx.color("gray", 5), margin_top="4px"),
            display="flex",
            flex_direction="column",
            align_items="center",
            align_self="stretch",
            width="12px",
            class_name="timeline-rail",
        ),
        rx.vstack(
            rx.hstack(
                rx.text(entry.label, weight="bold", size="2"),
                rx.text("by ", entry.actor, size="2", color=rx.color("gray", 11)),
                spacing="1",
                wrap="wrap",
            ),
            rx.text(
                entry.when,
                " · ",
                entry.relative,
                size="1",
                color=rx.color("gray", 10),
            ),
            rx.cond(
                entry.note != "",
                rx.text(entry.note, size="2", color=rx.color("gray", 11)),
            ),
            spacing="1",
            padding_bottom="16px",
            min_width="0",
        ),
        spacing="3",
        align="start",
        width="100%",
        class_name="timeline-entry",
        role="listitem",
    )


def timeline(entries: rx.Var, *, zone_label: rx.Var | str = "") -> rx.Component:
    """Newest first. Shows an honest line when there is nothing yet."""
    return rx.vstack(
        rx.cond(
            entries.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.foreach(entries, _entry),
                spacing="0",
                width="100%",
                role="list",
                aria_label="Session history",
            ),
            rx.text("Nothing has happened yet.", size="2", color=rx.color("gray", 10)),
        ),
        rx.text("Shown in ", zone_label, ".", size="1", color=rx.color("gray", 10)),
        spacing="2",
        width="100%",
    )
