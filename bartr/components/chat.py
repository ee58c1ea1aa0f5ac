"""Messages: the conversation list, a thread of bubbles, and the composer.

Message text is shown as text (React escapes it); only http(s) links found by the service
become links, with rel="noopener nofollow ugc".
"""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.safety_menu import report_button
from bartr.components.status_chip import status_chip
from bartr.state.chat import ChatState as C

LINK_REL = "noopener nofollow ugc"


# --------------------------------------------------------------------------- the list


def conversation_row(item: rx.Var) -> rx.Component:
    active = item.id == C.conversation_id
    return rx.link(
        rx.hstack(
            rx.avatar(src=item.avatar, fallback=item.initials, size="3", radius="full"),
            rx.vstack(
                rx.hstack(
                    rx.text(
                        item.name,
                        weight=rx.cond(item.unread > 0, "bold", "medium"),
                        size="2",
                        color=rx.color("gray", 12),
                        truncate=True,
                    ),
                    rx.spacer(),
                    rx.text(item.when, size="1", color=rx.color("gray", 10), flex_shrink="0"),
                    width="100%",
                    align="center",
                ),
                rx.hstack(
                    rx.text(
                        item.preview,
                        size="1",
                        color=rx.cond(item.unread > 0, rx.color("gray", 12), rx.color("gray", 10)),
                        truncate=True,
                        flex="1",
                    ),
                    rx.cond(
                        item.unread > 0,
                        rx.badge(item.unread, radius="full", variant="solid", size="1"),
                    ),
                    width="100%",
                    align="center",
                ),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            spacing="3",
            align="center",
            width="100%",
        ),
        href=item.href,
        underline="none",
        display="block",
        width="100%",
        padding="10px 12px",
        border_radius="12px",
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.cond(active, rx.color("accent", 4), rx.color("gray", 3))},
        class_name="conversation-row",
        aria_current=rx.cond(active, "page", "false"),
    )


def empty_list() -> rx.Component:
    return rx.vstack(
        rx.icon("message-circle", size=28, color=rx.color("gray", 9)),
        rx.text("No conversations yet", weight="medium"),
        rx.text(
            "Say hello to someone you'd like to learn from.",
            size="2",
            color=rx.color("gray", 11),
        ),
        link_button("Browse the marketplace", href=routes.MARKETPLACE, variant="soft"),
        align="center",
        text_align="center",
        spacing="3",
        padding="32px 16px",
    )


def conversation_list() -> rx.Component:
    return rx.vstack(
        rx.heading("Messages", size="5", as_="h1", padding="8px 12px"),
        rx.cond(
            C.conversations.length() > 0,
            rx.vstack(rx.foreach(C.conversations, conversation_row), spacing="1", width="100%"),
            empty_list(),
        ),
        spacing="2",
        width="100%",
        id="conversation-list",
    )


# --------------------------------------------------------------------------- the thread


def _part(part: rx.Var) -> rx.Component:
    return rx.cond(
        part.href != "",
        rx.el.a(
            part.text,
            href=part.href,
            target="_blank",
            rel=LINK_REL,
            style={"color": "inherit", "text_decoration": "underline", "word_break": "break-all"},
        ),
        rx.text.span(part.text),
    )


def tick_of(b: rx.Var) -> rx.Var:
    """sent / delivered / read, from the other member's two marks (state/chat.py)."""
    return rx.cond(
        b.id <= C.their_read_id,
        "read",
        rx.cond(b.id <= C.their_delivered_id, "delivered", "sent"),
    )


def _tick(tick: rx.Var) -> rx.Component:
    return rx.match(
        tick,
        ("read", rx.icon("check-check", size=14, aria_label="Read", color="white")),
        ("delivered", rx.icon("check-check", size=14, aria_label="Delivered", opacity="0.6")),
        rx.icon("check", size=14, aria_label="Sent", opacity="0.6"),
    )


def message_bubble(b: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.cond(
            b.first_of_day,
            rx.center(
                rx.badge(b.day, variant="soft", color_scheme="gray", radius="full"),
                width="100%",
                padding_y="8px",
            ),
        ),
        rx.box(
            rx.text(
                rx.foreach(b.parts, _part),
                size="2",
                white_space="pre-wrap",
                overflow_wrap="anywhere",
                as_="p",
            ),
            rx.hstack(
                rx.cond(
                    b.session_href != "",
                    rx.link("about a session", href=b.session_href, size="1", color="inherit"),
                ),
                rx.text(b.time, size="1"),
                rx.cond(b.mine, _tick(tick_of(b))),
                spacing="1",
                align="center",
                justify="end",
                opacity="0.75",
            ),
            background=rx.cond(b.mine, rx.color("accent", 9), rx.color("gray", 3)),
            color=rx.cond(b.mine, "white", rx.color("gray", 12)),
            padding="8px 12px",
            border_radius=rx.cond(b.mine, "16px 16px 4px 16px", "16px 16px 16px 4px"),
            max_width="min(80%, 560px)",
            align_self=rx.cond(b.mine, "flex-end", "flex-start"),
            class_name=rx.cond(b.mine, "bubble bubble-mine", "bubble bubble-theirs"),
            data_message_id=b.id,
            data_tick=rx.cond(b.mine, tick_of(b), ""),
        ),
        # Theirs can be reported (only the other member of the pair may; the service checks).
        # Shown on hover or focus, always on touch screens (assets/styles.css).
        rx.cond(
            ~b.mine,
            rx.box(report_button("message", b.id, "this message"), class_name="bubble-report"),
        ),
        spacing="1",
        width="100%",
        class_name="bubble-row",
    )


def _thread_header(*, back: bool) -> rx.Component:
    return rx.hstack(
        rx.cond(
            back,
            rx.link(
                rx.icon("arrow-left", size=18),
                href=routes.MESSAGES,
                aria_label="Back to conversations",
                color=rx.color("gray", 11),
                display=["flex", "flex", "none"],
            ),
        ),
        rx.avatar(src=C.other_avatar, fallback=C.other_initials, size="2", radius="full"),
        rx.vstack(
            rx.link(
                C.other_name,
                href=C.other_href,
                weight="bold",
                size="2",
                color=rx.color("gray", 12),
            ),
            rx.text(
                rx.cond(C.typing, "typing…", ""),
                size="1",
                color=rx.color("accent", 11),
                min_height="16px",
                class_name="typing-indicator",
            ),
            spacing="0",
        ),
        spacing="3",
        align="center",
        padding="12px 16px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )


def pinned_session_card() -> rx.Component:
    """The pair's next or current session, pinned above the thread (UI.md: Messages)."""
    p = C.pinned
    return rx.cond(
        p.id > 0,
        rx.hstack(
            rx.icon("calendar-clock", size=18, color=rx.color("accent", 11), flex_shrink="0"),
            rx.vstack(
                rx.hstack(
                    rx.link(
                        p.title,
                        href=p.href,
                        weight="bold",
                        size="2",
                        color=rx.color("gray", 12),
                        truncate=True,
                    ),
                    status_chip(p.state, p.label, size="1"),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(
                    p.when,
                    " · ",
                    p.role,
                    size="1",
                    color=rx.color("gray", 11),
                    class_name="pinned-session-when",
                ),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            rx.cond(
                p.can_join,
                link_button(
                    rx.icon("video", size=14), "Join", href=p.room_href, size="2", id="pinned-join"
                ),
                link_button("View session", href=p.href, size="1", variant="soft"),
            ),
            spacing="3",
            align="center",
            width="100%",
            padding="10px 16px",
            background=rx.color("accent", 2),
            border_bottom=f"1px solid {rx.color('gray', 4)}",
            id="pinned-session",
            data_session_id=p.id,
            role="region",
            aria_label="Your next session together",
        ),
    )


def _messages_box(height: str) -> rx.Component:
    # column-reverse keeps the view pinned to the newest message as messages arrive.
    return rx.box(
        rx.vstack(
            rx.cond(
                C.has_older,
                rx.center(
                    rx.button(
                        "Load older messages",
                        on_click=C.load_older,
                        loading=C.loading_older,
                        variant="soft",
                        color_scheme="gray",
                        size="1",
                    ),
                    width="100%",
                    padding_y="8px",
                ),
            ),
            rx.cond(
                (C.items.length() == 0) & (C.fresh.length() == 0),
                rx.center(
                    rx.text("No messages yet. Say hello!", size="2", color=rx.color("gray", 10)),
                    padding_y="32px",
                    width="100%",
                ),
            ),
            rx.foreach(C.items, message_bubble),
            rx.foreach(C.fresh, message_bubble),
            spacing="2",
            width="100%",
            padding="16px",
        ),
        display="flex",
        flex_direction="column-reverse",
        overflow_y="auto",
        height=height,
        width="100%",
        id="thread-messages",
        role="log",
        aria_live="polite",
    )


def composer() -> rx.Component:
    return rx.vstack(
        rx.cond(
            C.send_error != "",
            rx.text(C.send_error, size="1", color=rx.color("red", 11), role="alert"),
        ),
        rx.cond(
            C.can_reply,
            rx.form(
                rx.hstack(
                    rx.text_area(
                        name="body",
                        value=C.draft,
                        on_change=C.set_draft,
                        placeholder="Write a message… (Enter sends, Shift+Enter for a new line)",
                        enter_key_submit=True,
                        auto_height=True,
                        rows="1",
                        max_length=4000,
                        max_height="9.5em",
                        resize="none",
                        flex="1",
                        aria_label="Message",
                        id="composer",
                    ),
                    rx.icon_button(
                        rx.icon("send-horizontal", size=16),
                        type="submit",
                        aria_label="Send",
                        size="3",
                    ),
                    spacing="2",
                    align="end",
                    width="100%",
                ),
                on_submit=C.send,
                width="100%",
            ),
            rx.text(C.refusal, size="2", color=rx.color("gray", 11)),
        ),
        spacing="1",
        padding="12px 16px",
        border_top=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )


def thread(*, height: str = "calc(100vh - 320px)", back: bool = True) -> rx.Component:
    return rx.vstack(
        _thread_header(back=back),
        pinned_session_card(),
        _messages_box(height),
        composer(),
        spacing="0",
        width="100%",
        id="chat-thread",
    )


def no_thread() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("messages-square", size=32, color=rx.color("gray", 8)),
            rx.text("Choose a conversation", weight="medium", color=rx.color("gray", 11)),
            align="center",
            spacing="2",
        ),
        height="100%",
        min_height="360px",
        width="100%",
    )


def session_chat_card(*, height: str = "340px", card_id: str = "session-chat") -> rx.Component:
    """The pair's thread as a card: inline on the session page, beside the call in the room."""
    return rx.card(
        rx.cond(
            C.load_error != "",
            rx.vstack(
                rx.text("Chat", weight="bold", size="2"),
                rx.text(C.load_error, size="1", color=rx.color("gray", 10)),
                spacing="1",
            ),
            thread(height=height, back=False),
        ),
        size="1",
        width="100%",
        id=card_id,
        style={"padding": "0"},
    )
