"""LiveKit's React components (from npm, versions pinned) wrapped as Reflex components.

No JavaScript is written here: each class names a component of `@livekit/components-react`
and its props; Reflex renders it client-side only (`NoSSRComponent`: it needs the browser's
media APIs). `@livekit/components-styles` is imported once for their look, and the room
sets `data-lk-theme="default"`.

    live_kit_room     the connection (serverUrl + token), its events back to the state
    pre_join          camera/microphone preview, device pickers, mute before joining
    video_conference  participant tiles, control bar (mic, camera, screen share, leave)
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.event import EventHandler, no_args_event_spec, passthrough_event_spec
from reflex_base.vars.base import Var

COMPONENTS_REACT = "@livekit/components-react@2.9.24"
LIVEKIT_CLIENT = "livekit-client@2.23.0"
COMPONENTS_STYLES = "@livekit/components-styles@1.2.0"


class _LiveKitComponent(rx.NoSSRComponent):
    library = COMPONENTS_REACT
    lib_dependencies: list[str] = [LIVEKIT_CLIENT, COMPONENTS_STYLES]

    def add_imports(self) -> dict[str, Any]:
        return {"": "@livekit/components-styles"}


def _user_choices(values: Var[dict[str, Any]]) -> tuple[Var[dict[str, Any]]]:
    return (values,)


class LiveKitRoom(_LiveKitComponent):
    tag = "LiveKitRoom"

    server_url: Var[str]
    token: Var[str]
    connect: Var[bool]
    # Publish the camera / microphone on connect (the pre-join choices).
    video: Var[Any]
    audio: Var[Any]
    # RoomOptions: {"videoCaptureDefaults": {"deviceId": ...}, "audioCaptureDefaults": ...}.
    options: Var[dict[str, Any]]

    on_connected: EventHandler[no_args_event_spec]
    on_disconnected: EventHandler[no_args_event_spec]
    on_error: EventHandler[no_args_event_spec]
    # MediaDeviceFailure: "PermissionDenied" | "NotFound" | "DeviceInUse" | "Other".
    on_media_device_failure: EventHandler[passthrough_event_spec(str)]


class PreJoin(_LiveKitComponent):
    tag = "PreJoin"

    defaults: Var[dict[str, Any]]
    join_label: Var[str]
    mic_label: Var[str]
    cam_label: Var[str]
    user_label: Var[str]
    persist_user_choices: Var[bool]

    # LocalUserChoices: username, videoEnabled, audioEnabled, videoDeviceId, audioDeviceId.
    on_submit: EventHandler[_user_choices]
    on_error: EventHandler[no_args_event_spec]


class VideoConference(_LiveKitComponent):
    tag = "VideoConference"


live_kit_room = LiveKitRoom.create
pre_join = PreJoin.create
video_conference = VideoConference.create
