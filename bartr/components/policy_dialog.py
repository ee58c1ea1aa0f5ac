"""The cancellation policy, in full, in a dialog (request page and session page)."""

from __future__ import annotations

import reflex as rx


def policy_dialog(lines: rx.Var, *, trigger_text: str = "Cancellation policy") -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("scroll-text", size=14),
                trigger_text,
                type="button",
                variant="ghost",
                size="1",
            )
        ),
        rx.dialog.content(
            rx.dialog.title("How credits and cancellations work"),
            rx.dialog.description(
                "The same rules for every session, for teachers and learners alike.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.el.ul(
                rx.foreach(lines, lambda line: rx.el.li(rx.text(line, size="2"))),
                style={"paddingLeft": "20px", "display": "grid", "gap": "8px", "margin": "16px 0"},
            ),
            rx.flex(
                rx.dialog.close(rx.button("Got it", type="button", variant="soft")),
                justify="end",
            ),
            max_width="560px",
        ),
    )
