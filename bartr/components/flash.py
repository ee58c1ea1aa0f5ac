"""A short success message in the corner, set from the server, that fades by itself.

`rx.toast` fired from a backend handler runs through the browser's `eval`, which the
app's Content-Security-Policy (no 'unsafe-eval') blocks, so those toasts never appear.
This one is plain state plus a compiled CSS animation (emotion `keyframes`): no eval.
A new `flash_id` remounts it, so the same message shown twice animates again.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var, VarData

_FADE = Var(
    _js_expr=(
        'keyframes({ "0%": { opacity: 0, transform: "translateY(8px)" }, '
        '"5%": { opacity: 1, transform: "none" }, "85%": { opacity: 1 }, '
        '"100%": { opacity: 0, visibility: "hidden" } })'
    ),
    _var_data=VarData(imports={"@emotion/react": "keyframes"}),
)
SECONDS = 6


def flash(message: rx.Var, flash_id: rx.Var, *, on_dismiss: Any) -> rx.Component:
    return rx.cond(
        message != "",
        rx.box(
            rx.hstack(
                rx.icon("circle-check", size=18, color=rx.color("green", 11), flex_shrink="0"),
                rx.text(message, size="2", weight="medium", flex="1"),
                rx.icon_button(
                    rx.icon("x", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=on_dismiss,
                    aria_label="Dismiss",
                ),
                spacing="3",
                align="center",
            ),
            key=flash_id,
            role="status",
            aria_live="polite",
            class_name="flash",
            position="fixed",
            bottom="24px",
            right=rx.breakpoints(initial="16px", sm="24px"),
            left=rx.breakpoints(initial="16px", sm="auto"),
            max_width=rx.breakpoints(initial="none", sm="420px"),
            z_index="60",
            padding="12px 12px 12px 16px",
            border_radius="12px",
            background=rx.color("gray", 1),
            border=f"1px solid {rx.color('gray', 5)}",
            box_shadow="0 10px 30px -10px rgba(0, 0, 0, 0.35)",
            animation=_FADE.to(str) + f" {SECONDS}s ease forwards",
        ),
    )
