"""The slot picker: days with free times, then that day's start times (up to three picked).

Used by the request page and by the reschedule dialog on the session page.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr.state.slots import SlotChoice, SlotDay


def slot_picker(
    *,
    days: rx.Var,
    day: rx.Var,
    day_slots: rx.Var,
    chosen_isos: rx.Var,
    on_pick_day: Any,
    on_toggle: Any,
    zone_label: rx.Var,
    empty_text: str,
) -> rx.Component:
    """Days with free times, then that day's start times; picks up to three."""

    def day_button(d: SlotDay) -> rx.Component:
        selected = d.key == day
        return rx.button(
            rx.vstack(
                rx.text(d.weekday, size="1", weight="medium"),
                rx.text(d.date, size="2", weight="bold"),
                spacing="0",
                align="center",
            ),
            type="button",
            variant=rx.cond(selected, "solid", "surface"),
            color_scheme=rx.cond(selected, "teal", "gray"),
            on_click=on_pick_day(d.key),
            aria_pressed=rx.cond(selected, "true", "false"),
            height="auto",
            padding_y="8px",
            padding_x="4px",
            class_name="slot-day",
        )

    def slot_button(s: SlotChoice) -> rx.Component:
        picked = chosen_isos.contains(s.iso)  # type: ignore[attr-defined]
        return rx.button(
            rx.cond(picked, rx.icon("check", size=14), rx.fragment()),
            s.clock,
            type="button",
            size="2",
            variant=rx.cond(picked, "solid", "outline"),
            on_click=on_toggle(s.iso),
            aria_pressed=rx.cond(picked, "true", "false"),
            aria_label=s.label,
            class_name="slot-time",
        )

    return rx.cond(
        days.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(
            rx.grid(
                rx.foreach(days, day_button),
                columns=rx.breakpoints(initial="4", sm="7"),
                gap="8px",
                width="100%",
                role="group",
                aria_label="Days with free times",
            ),
            rx.grid(
                rx.foreach(day_slots, slot_button),
                columns=rx.breakpoints(initial="3", sm="5", md="6"),
                gap="8px",
                width="100%",
                role="group",
                aria_label="Start times",
            ),
            rx.hstack(
                rx.icon("globe", size=12, color=rx.color("gray", 10)),
                rx.text("Shown in ", zone_label, ".", size="1", color=rx.color("gray", 10)),
                spacing="1",
                align="center",
            ),
            spacing="4",
            width="100%",
        ),
        rx.callout(empty_text, icon="calendar-x", color_scheme="gray", width="100%"),
    )
