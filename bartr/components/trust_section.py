"""The profile editor's "Your trust score" card: components as bars, and what would raise it."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.state.trust_editor import TrustEditorState as T


def _bar(c: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(c.label, size="2"),
            rx.spacer(),
            rx.text(
                c.points,
                size="2",
                weight="bold",
                color=rx.cond(c.negative, rx.color("red", 11), rx.color("green", 11)),
            ),
            width="100%",
        ),
        rx.box(
            rx.box(
                width=c.width,
                height="100%",
                border_radius="9999px",
                background=rx.cond(c.negative, rx.color("red", 9), rx.color("green", 9)),
            ),
            width="100%",
            height="6px",
            border_radius="9999px",
            background=rx.color("gray", 4),
        ),
        spacing="1",
        width="100%",
    )


def trust_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading("Your trust score", size="5", as_="h2"),
                    rx.text(
                        "Computed from your reviews, sessions, cancellations and reports; "
                        "recent ones count most.",
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                rx.cond(
                    T.has_score,
                    rx.text(T.score, size="8", weight="bold"),
                    rx.badge("New", color_scheme="blue", radius="full"),
                ),
                width="100%",
                align="center",
            ),
            rx.vstack(rx.foreach(T.components, _bar), spacing="3", width="100%"),
            rx.vstack(
                rx.foreach(
                    T.tips,
                    lambda tip: rx.hstack(
                        rx.icon("trending-up", size=14, color=rx.color("accent", 10),
                                flex_shrink="0"),
                        rx.text(tip, size="2"),
                        spacing="2",
                        align="start",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            rx.link("How trust works", href=routes.TRUST, size="2"),
            spacing="4",
            width="100%",
        ),
        size=rx.breakpoints(initial="2", sm="4"),
        width="100%",
        id="trust",
    )  # fmt: skip
