"""/messages: conversations and the open thread (two panes wide, one pane on a phone)."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.chat import conversation_list, no_thread, thread
from bartr.components.safety_menu import safety_dialogs
from bartr.components.shell import loading_skeleton, page
from bartr.state.chat import ChatState as C


def _error() -> rx.Component:
    return rx.callout(C.load_error, icon="triangle-alert", color_scheme="amber", width="100%")


def _panes(*, open_thread: bool) -> rx.Component:
    list_pane = rx.box(
        conversation_list(),
        border_right=["none", "none", f"1px solid {rx.color('gray', 4)}"],
        padding="8px",
        overflow_y="auto",
        max_height=["none", "none", "calc(100vh - 180px)"],
        # On a phone the open thread takes the whole screen; its back arrow returns here.
        display=["none", "none", "block"] if open_thread else "block",
    )
    thread_pane = rx.box(
        rx.cond(C.conversation_id > 0, thread(), no_thread()),
        display="block" if open_thread else ["none", "none", "block"],
        min_width="0",
    )
    return rx.vstack(
        rx.cond(C.load_error != "", _error()),
        rx.card(
            rx.grid(
                list_pane,
                thread_pane,
                columns=rx.breakpoints(initial="1", md="320px minmax(0, 1fr)"),
                width="100%",
            ),
            size="1",
            width="100%",
            style={"padding": "0"},
        ),
        spacing="3",
        width="100%",
    )


def _body(*, open_thread: bool) -> rx.Component:
    return rx.fragment(
        rx.cond(C.loading, loading_skeleton(), _panes(open_thread=open_thread)),
        safety_dialogs(),
    )


@page(routes.MESSAGES, "Messages", member_only=True, on_load=[C.load])
def messages_page() -> rx.Component:
    return _body(open_thread=False)


@page(routes.CONVERSATION_PATTERN, "Messages", member_only=True, on_load=[C.load])
def conversation_page() -> rx.Component:
    return _body(open_thread=True)
