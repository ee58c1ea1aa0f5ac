"""The Reflex app: theme, pages, API routes, security headers and background jobs."""

from __future__ import annotations

import gc
import importlib
import pkgutil

import reflex as rx

# Register every table before anything queries.
import bartr.models

# Services that react to domain events subscribe when imported.
import bartr.services.notifications
from bartr.api.request_limits import RequestLimits
from bartr.api.routes import build_api
from bartr.api.security_headers import SecurityHeaders
from bartr.api.socket_session import SessionOnSocket
from bartr.app_pages import PAGES
from bartr.background import outbox_sender, periodic_jobs
from bartr.components.shell import hydrating_page
from bartr.pages.misc_pages import not_found_page
from bartr.settings import get_settings
from bartr.state.live import live_pushes

get_settings().check_ready()

# Every module in bartr/pages registers its pages with @page when imported.
import bartr.pages  # noqa: E402

for _module in pkgutil.iter_modules(bartr.pages.__path__):
    importlib.import_module(f"bartr.pages.{_module.name}")

app = rx.App(
    stylesheets=["/styles.css"],
    # The static HTML of the pages with a parameter in their address (/u/<handle>,
    # /sessions/<id>): the shell and a skeleton instead of a blank page.
    hydrate_fallback=hydrating_page,
    # Top centre, below the sticky header, three at most: stacked bottom-right they
    # covered the onboarding's Finish button and every form's main action.
    # dir="ltr" given: left out, the toaster computes it on every render with
    # getComputedStyle(document.documentElement), a forced style recalculation of the
    # whole page each time any state changes (1.1 s of self time in a CPU profile of the
    # marketplace loading on a loaded machine; the page's total barely moved, as the
    # browser then recalculates at the next frame instead, but once per frame).
    toaster=rx.toast.provider(
        position="top-center", visible_toasts=3, expand=False, offset="72px", dir="ltr"
    ),
    # Applied in order: RequestLimits wraps the API and Reflex's own endpoints (/_upload
    # included), SessionOnSocket keeps the raw session token away from the socket (and so
    # from the state store), SecurityHeaders wraps everything, its 413s and 401s too.
    api_transformer=[build_api(), RequestLimits, SessionOnSocket, SecurityHeaders],
    head_components=[
        rx.el.meta(name="color-scheme", content="light dark"),
        rx.el.link(rel="icon", href="/favicon.ico", sizes="any"),
        rx.el.link(rel="apple-touch-icon", href="/apple-touch-icon.png"),
    ],
)

for spec in PAGES:
    app.add_page(spec.component, route=spec.route, title=spec.title, on_load=spec.on_load)
app.add_page(not_found_page, route="404", title="Not found · BARTR")


def _freeze_collector() -> None:
    """Move everything alive after start-up (modules, compiled pages, the app) out of the
    collector's reach, so a full collection scans only what requests create: garbage
    collection pauses of 30-100 ms were measured setting the p99 of a search."""
    gc.collect()
    gc.freeze()


app.register_lifespan_task(_freeze_collector)
app.register_lifespan_task(periodic_jobs)
app.register_lifespan_task(outbox_sender)
app.register_lifespan_task(live_pushes)
