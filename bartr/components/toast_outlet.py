"""A toast a state can raise without sending JavaScript to the browser.

`return rx.toast.success(...)` from a handler sends the toast call as a string that the
browser must `eval`; the Content-Security-Policy (no 'unsafe-eval') blocks that, so the
toast never shows. Here the toast call is compiled into the page instead: the state bumps
a counter, the counter is the React key of a hidden box, and each new box runs the toast
on mount, then `on_shown` (the state's handler that sets the counter back to 0, so a
page visited again does not replay an old toast).
"""

from __future__ import annotations

from typing import Any

import reflex as rx


def toast_outlet(message: rx.Var, is_error: rx.Var, seq: rx.Var, on_shown: Any) -> rx.Component:
    return rx.cond(
        seq > 0,
        rx.cond(
            is_error,
            rx.box(key=seq, on_mount=[rx.toast.error(message), on_shown], display="none"),
            rx.box(key=seq, on_mount=[rx.toast.success(message), on_shown], display="none"),
        ),
    )
