"""/sessions/[session_id]/room: the session's video call (LiveKit).

Pre-join first (camera preview, microphone and camera pickers, mute before joining, one big
Join), then the call (participant tiles, controls: mic, camera, screen share, leave), the
time left, and the pair's chat thread beside it (`components/chat.py`). Members who may not join see why, and nothing
else. The LiveKit parts are `components/livekit.py` (npm packages, pinned).
"""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.chat import session_chat_card
from bartr.components.livekit import live_kit_room, pre_join, video_conference
from bartr.components.shell import page
from bartr.state.chat import ChatState
from bartr.state.session_room import SessionRoomState as S

_LK_THEME = {"data-lk-theme": "default"}
# LiveKit's look in BARTR's accent; BARTR names you (the token carries your display name),
# so the pre-join's name field is hidden.
_LK_STYLE = {
    # More specific than the theme's own `[data-lk-theme=default]` rule.
    "&[data-lk-theme=default], & [data-lk-theme=default]": {
        "--lk-accent-bg": "var(--accent-9)",
        "--lk-accent-fg": "var(--accent-contrast)",
    },
    "& .lk-prejoin #username": {"display": "none"},
}


def _alert(text: rx.Var, *, icon: str = "triangle-alert", color: str = "red") -> rx.Component:
    return rx.callout(text, icon=icon, color_scheme=color, role="alert", width="100%")


def _time_left() -> rx.Component:
    return rx.cond(
        S.room_ends_iso != "",
        rx.hstack(
            rx.icon("clock", size=14),
            rx.text("Session ends", size="2"),
            rx.moment(S.room_ends_iso, from_now=True, interval=30_000, id="room-time-left"),
            spacing="1",
            align="center",
            color=rx.color("gray", 11),
            font_size="14px",
        ),
    )


def _heading() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.link(
                rx.hstack(
                    rx.icon("arrow-left", size=14),
                    rx.text("Back to the session", size="2"),
                    spacing="1",
                    align="center",
                ),
                href=S.session_href,
                color=rx.color("gray", 11),
                underline="none",
            ),
            rx.heading(S.room_title, size="6", as_="h1", weight="bold"),
            rx.text("Video call with ", rx.text.strong(S.room_other_name), size="3"),
            spacing="1",
        ),
        _time_left(),
        justify="between",
        align="end",
        wrap="wrap",
        gap="12px",
        width="100%",
    )


def _refused() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("video-off", size=28, color=rx.color("gray", 9)),
            rx.text(S.room_error, weight="medium", size="3", id="room-refused"),
            link_button("Back to the session", href=S.session_href, variant="soft"),
            align="center",
            text_align="center",
            spacing="3",
            padding_y="40px",
        ),
        width="100%",
        max_width="560px",
        margin_x="auto",
        role="alert",
    )


def _pre_join() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Check your camera and microphone, then join. ",
            S.room_other_name,
            " sees you once you are in.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.box(
            pre_join(
                on_submit=S.join,
                on_error=S.preview_failed,
                join_label="Join the call",
                mic_label="Microphone",
                cam_label="Camera",
                user_label="Your name",
                persist_user_choices=False,
                defaults={"username": S.viewer_name},
            ),
            custom_attrs=_LK_THEME,
            id="room-prejoin",
            class_name="bartr-room",
            width="100%",
            max_width="640px",
            border_radius="16px",
            padding="16px",
            background="#111",
            style=_LK_STYLE,
        ),
        spacing="3",
        width="100%",
        align="center",
    )


def _chat() -> rx.Component:
    """The pair's message thread beside the call (the same thread as on the session page)."""
    return session_chat_card(height="min(52vh, 520px)", card_id="room-chat")


def _call() -> rx.Component:
    return rx.box(
        live_kit_room(
            video_conference(),
            server_url=S.server_url,
            token=S.room_token,
            connect=True,
            video=S.camera_on,
            audio=S.microphone_on,
            options=S.room_options,
            on_connected=S.connected,
            on_disconnected=S.left,
            on_error=S.connection_failed,
            on_media_device_failure=S.device_failed,
            custom_attrs=_LK_THEME,
            style={"height": "100%"},
        ),
        id="room-call",
        style=_LK_STYLE,
        height=["60vh", "70vh"],
        width="100%",
        border_radius="16px",
        overflow="hidden",
        background="#111",
    )


def _room() -> rx.Component:
    return rx.vstack(
        _heading(),
        rx.cond(S.media_error != "", _alert(S.media_error, icon="video-off")),
        rx.cond(S.join_error != "", _alert(S.join_error)),
        rx.grid(
            rx.cond(S.joined, _call(), _pre_join()),
            _chat(),
            columns=rx.breakpoints(initial="1", lg="minmax(0, 1fr) 340px"),
            gap="16px",
            width="100%",
            align_items="start",
        ),
        spacing="4",
        width="100%",
    )


@page(
    routes.SESSION_ROOM_PATTERN,
    "Video call",
    member_only=True,
    stay_mounted=True,
    on_load=[S.load_room, ChatState.load_for_session],
)
def session_room_page() -> rx.Component:
    return rx.cond(
        S.room_loading,
        rx.skeleton(height="420px", width="100%"),
        rx.cond(S.room_error != "", _refused(), _room()),
    )
