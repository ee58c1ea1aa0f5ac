"""A week of availability as seven day rows, each a 24-hour bar with its free windows.

Horizontal bars read well from 375 px phones to wide screens; the exact times are also
written out beside each bar for screen readers and for people who prefer numbers.
Input: a list of DayVM (state/profile_view.py) already in the viewer's zone.
"""

from __future__ import annotations

import reflex as rx

TICKS = ("00", "06", "12", "18", "24")


def _window(win: rx.Var) -> rx.Component:
    return rx.box(
        position="absolute",
        top="0",
        bottom="0",
        left=win.left,
        width=win.width,
        background=rx.color("accent", 9),
        border_radius="4px",
        title=win.label,
    )


def _ticks() -> rx.Component:
    return rx.box(
        *[
            rx.text(
                t,
                size="1",
                color=rx.color("gray", 10),
                position="absolute",
                left=f"{i * 25}%",
                transform="translateX(-50%)"
                if 0 < i < 4
                else ("translateX(-100%)" if i else "none"),
            )
            for i, t in enumerate(TICKS)
        ],
        position="relative",
        height="16px",
        aria_hidden="true",
    )


def _day(day: rx.Var) -> rx.Component:
    return rx.grid(
        rx.vstack(
            rx.text(
                day.name,
                size="2",
                weight=rx.cond(day.is_today, "bold", "medium"),
                color=rx.cond(day.is_today, rx.color("accent", 11), rx.color("gray", 12)),
            ),
            rx.text(day.date_label, size="1", color=rx.color("gray", 10)),
            spacing="0",
        ),
        rx.vstack(
            rx.box(
                rx.foreach(day.windows, _window),
                position="relative",
                height="14px",
                background=rx.color("gray", 3),
                border_radius="4px",
                width="100%",
                overflow="hidden",
                aria_hidden="true",
            ),
            rx.text(
                rx.cond(day.summary != "", day.summary, "Not available"),
                size="1",
                color=rx.cond(day.summary != "", rx.color("gray", 11), rx.color("gray", 9)),
            ),
            spacing="1",
            width="100%",
        ),
        columns="56px 1fr",
        spacing="3",
        align="center",
        width="100%",
    )


def week_grid(
    days: rx.Var, timezone: rx.Var | str, *, whose: rx.Var | str = "your"
) -> rx.Component:
    return rx.vstack(
        rx.grid(rx.box(), _ticks(), columns="56px 1fr", spacing="3", width="100%"),
        rx.foreach(days, _day),
        rx.hstack(
            rx.icon("globe", size=12, color=rx.color("gray", 10)),
            rx.text("Times in ", whose, " zone: ", timezone, size="1", color=rx.color("gray", 10)),
            spacing="1",
            align="center",
        ),
        spacing="3",
        width="100%",
        class_name="week-grid",
    )
