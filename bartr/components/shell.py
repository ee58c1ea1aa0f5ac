"""The page shell: header, navigation, footer, and the auth guard every page shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from bartr import routes
from bartr.components.bell import bell, count_badge
from bartr.components.buttons import link_button
from bartr.components.verify_banner import verify_banner
from bartr.state.auth import AuthState
from bartr.state.live import LiveState

NAV = [
    ("Marketplace", routes.MARKETPLACE, "store"),
    ("Sessions", routes.SESSIONS, "calendar-clock"),
    ("Messages", routes.MESSAGES, "message-circle"),
    ("Wallet", routes.WALLET, "wallet"),
]


def logo() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.box(
                rx.icon("repeat-2", size=18, color="white"),
                background=rx.color("accent", 9),
                border_radius="10px",
                padding="6px",
                display="flex",
            ),
            rx.text(
                "BARTR",
                weight="bold",
                size="5",
                letter_spacing="0.06em",
                color=rx.color("gray", 12),
            ),
            spacing="2",
            align="center",
        ),
        href=routes.HOME,
        underline="none",
        aria_label="BARTR home",
    )


def nav_link(label: str, href: str, icon: str, *, compact: bool = False) -> rx.Component:
    """A header tab; `compact` is the phone row, where four must fit in 375 px."""
    active = AuthState.router.url.path.startswith(href)
    badge = (
        count_badge(
            LiveState.unread_messages, label="Unread conversations", class_name="messages-badge"
        )
        if href == routes.MESSAGES
        else rx.fragment()
    )
    return rx.link(
        rx.hstack(rx.text(label, size="2", weight="medium"), badge, spacing="1", align="center")
        if compact
        else rx.hstack(
            rx.icon(icon, size=16),
            rx.text(label, size="2", weight="medium"),
            badge,
            spacing="2",
            align="center",
        ),
        href=href,
        underline="none",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        padding_x="10px" if compact else "12px",
        padding_y="6px",
        border_radius="9999px",
        _hover={"background": rx.color("gray", 3), "color": rx.color("gray", 12)},
    )


def user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(
                    src=AuthState.viewer_avatar,
                    fallback=AuthState.viewer_name[:1],
                    size="2",
                    radius="full",
                    # Decorative: the button is labelled. Without alt, a member with a
                    # photo had an unlabelled image on every page (axe: image-alt).
                    alt="",
                ),
                rx.text(AuthState.viewer_name, size="2", display=["none", "none", "block"]),
                rx.icon("chevron-down", size=14),
                variant="ghost",
                color_scheme="gray",
                aria_label="Account menu",
            )
        ),
        rx.menu.content(
            rx.menu.item(
                rx.icon("user", size=14),
                "My public profile",
                on_click=rx.redirect(routes.profile(AuthState.viewer_handle)),
            ),  # type: ignore[arg-type]
            rx.menu.item(
                rx.icon("pencil", size=14),
                "Edit profile",
                on_click=rx.redirect(routes.PROFILE_EDIT),
            ),
            rx.menu.item(
                rx.icon("book-open", size=14),
                "My courses",
                on_click=rx.redirect(routes.COURSES),
            ),
            rx.menu.item(
                rx.icon("settings", size=14),
                "Account & security",
                on_click=rx.redirect(routes.SETTINGS),
            ),
            rx.cond(
                AuthState.is_admin,
                rx.menu.item(
                    rx.icon("shield", size=14), "Admin", on_click=rx.redirect(routes.ADMIN)
                ),
            ),
            rx.menu.separator(),
            rx.menu.item(
                rx.icon("log-out", size=14),
                "Log out",
                on_click=AuthState.log_out,
                color_scheme="red",
            ),
        ),
    )


def header() -> rx.Component:
    return rx.box(
        rx.hstack(
            logo(),
            rx.cond(
                AuthState.logged_in,
                rx.hstack(
                    *[nav_link(*item) for item in NAV],
                    rx.cond(AuthState.is_admin, nav_link("Admin", routes.ADMIN, "shield")),
                    spacing="1",
                    display=["none", "none", "flex"],
                ),
            ),
            rx.spacer(),
            rx.cond(
                AuthState.logged_in,
                rx.hstack(
                    rx.link(
                        rx.badge(
                            rx.icon("coins", size=14),
                            AuthState.balance_label,
                            # The word goes on phones: "0.75 credits" + name pushed the
                            # theme toggle off a 375 px screen.
                            rx.text(
                                rx.cond(AuthState.balance_label == "1", " credit", " credits"),
                                as_="span",
                                display=["none", "inline"],
                            ),
                            size="2",
                            variant="soft",
                            radius="full",
                        ),
                        href=routes.WALLET,
                        underline="none",
                        aria_label="Wallet balance",
                    ),
                    bell(),
                    user_menu(),
                    spacing=rx.breakpoints(initial="2", sm="3"),
                    align="center",
                ),
                # The static HTML does not know who is looking: a skeleton there, not "Log
                # in" shown to a member for the second it takes to find out (the first check
                # of the login sets auth_checked; pages without a guard are hydrated).
                rx.cond(
                    AuthState.auth_checked | rx.State.is_hydrated,
                    rx.hstack(
                        link_button(
                            "Log in", variant="soft", color_scheme="gray", href=routes.LOGIN
                        ),
                        link_button("Join BARTR", href=routes.SIGNUP),
                        spacing="2",
                    ),
                    rx.skeleton(height="32px", width="160px"),
                ),
            ),
            rx.color_mode.button(
                variant="ghost", color_scheme="gray", aria_label="Toggle dark mode"
            ),
            align="center",
            spacing=rx.breakpoints(initial="2", sm="4"),
            max_width="1200px",
            margin_x="auto",
            padding_x=["16px", "24px"],
            height="64px",
        ),
        rx.cond(
            AuthState.logged_in,
            rx.hstack(
                *[nav_link(*item, compact=True) for item in NAV],
                rx.cond(
                    AuthState.is_admin, nav_link("Admin", routes.ADMIN, "shield", compact=True)
                ),
                spacing="0",
                overflow_x="auto",
                padding_x="8px",
                padding_bottom="8px",
                display=["flex", "flex", "none"],
            ),
        ),
        position="sticky",
        top="0",
        z_index="10",
        background=rx.color("gray", 1, alpha=True),
        backdrop_filter="blur(12px)",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def footer() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(
                "BARTR — one hour of teaching is one credit.", size="1", color=rx.color("gray", 10)
            ),
            rx.spacer(),
            rx.text("Made by its community", size="1", color=rx.color("gray", 10)),
            max_width="1200px",
            margin_x="auto",
            padding="24px",
        ),
        border_top=f"1px solid {rx.color('gray', 4)}",
        margin_top="64px",
    )


def page_title(title: str | rx.Var, subtitle: str | rx.Var | None = None) -> rx.Component:
    parts = [rx.heading(title, size="7", as_="h1", weight="bold")]
    if subtitle is not None:
        parts.append(rx.text(subtitle, size="3", color=rx.color("gray", 11)))
    return rx.vstack(*parts, spacing="1", margin_bottom="24px")


def loading_skeleton() -> rx.Component:
    return rx.vstack(
        rx.skeleton(height="32px", width="40%"),
        rx.skeleton(height="120px", width="100%"),
        rx.skeleton(height="120px", width="100%"),
        spacing="4",
        width="100%",
    )


def main_area(body: rx.Component, **props: Any) -> rx.Component:
    """The page's main column (`#main`, the skip link's target), in the shell and in the
    static fallback alike."""
    return rx.box(
        body,
        id="main",
        max_width="1200px",
        margin_x="auto",
        padding_x=["16px", "24px"],
        padding_top="32px",
        min_height="70vh",
        **props,
    )


def hydrating_page() -> rx.Component:
    """What the static HTML of a page with a parameter in its address (/u/<handle>,
    /sessions/<id>, /messages/<id>, ...) shows until the app's scripts run: the shell with
    a skeleton. Those pages cannot be pre-rendered (the build does not know the handles
    and ids), so they are served from one fallback HTML file, which used to be blank;
    this is React Router's HydrateFallback (`rx.App(hydrate_fallback=...)`). It knows no
    state, so the header holds only the logo."""
    return rx.box(
        rx.box(
            rx.hstack(
                logo(),
                rx.spacer(),
                rx.skeleton(height="32px", width="160px"),
                align="center",
                max_width="1200px",
                margin_x="auto",
                padding_x=["16px", "24px"],
                height="64px",
            ),
            border_bottom=f"1px solid {rx.color('gray', 4)}",
        ),
        main_area(loading_skeleton(), aria_busy="true"),
        footer(),
        background=rx.color("gray", 1),
        min_height="100vh",
    )


def layout(
    content: rx.Component, *, member_only: bool, route: str = "", stay_mounted: bool = False
) -> rx.Component:
    """A member page shows its skeleton until its own load handlers have run: what is typed
    into a form before then would be overwritten by the load, and after a client-side
    navigation the client still holds the previous visit's data (and the previous page's
    `is_hydrated`). `stay_mounted` pages (the video room) only wait for the login check,
    so a socket reconnect (which re-runs the loads) does not tear down what they hold."""
    ready = (
        AuthState.logged_in
        if stay_mounted
        else AuthState.logged_in & rx.State.is_hydrated & (AuthState.loaded_route == route)
    )
    body = rx.cond(ready, content, loading_skeleton()) if member_only else content
    return rx.box(
        rx.el.a("Skip to content", href="#main", class_name="skip-link"),
        header(),
        verify_banner(),
        main_area(body),
        footer(),
        background=rx.color("gray", 1),
        min_height="100vh",
    )


def page(
    route: str,
    title: str,
    *,
    member_only: bool = False,
    admin_only: bool = False,
    on_load: list | None = None,
    stay_mounted: bool = False,
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Register a page with the shell and its guard (`@page(route=..., title=...)`)."""
    from bartr.app_pages import register

    def decorator(fn: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        guard = (
            AuthState.require_admin
            if admin_only
            else AuthState.require_login
            if member_only
            else AuthState.check_login
        )
        register(
            route=route,
            title=f"{title} · BARTR",
            component=lambda: layout(
                fn(),
                member_only=member_only or admin_only,
                route=route,
                stay_mounted=stay_mounted,
            ),
            on_load=[guard, LiveState.connect, *(on_load or []), AuthState.mark_loaded(route)],
        )
        return fn

    return decorator
