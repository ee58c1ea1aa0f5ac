"""Reflex configuration. Values come from bartr.settings so there is one source of truth."""

import reflex as rx

from bartr.serving import respawn_failed_workers
from bartr.settings import get_settings

_settings = get_settings()
# A worker that dies is replaced instead of taking the whole server down (bartr/serving.py).
respawn_failed_workers()

config = rx.Config(
    app_name="bartr",
    show_built_with_reflex=False,
    telemetry_enabled=False,
    # The Socket.IO handshake from any other origin is refused (403).
    cors_allowed_origins=_settings.origins,
    # Reflex's own db_url is unused: BARTR owns its engine (bartr/db.py).
    redis_url=_settings.redis_url,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="teal", gray_color="slate", radius="large")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
