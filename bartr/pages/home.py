"""The home page: the promise and live figures for visitors; a dashboard for members."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.shell import page
from bartr.components.skill_card import recommendation_card, skill_card, skill_card_skeleton
from bartr.state.auth import AuthState
from bartr.state.home import HomeState


def _figure(value: rx.Var, label: str) -> rx.Component:
    # A skeleton until the figures arrive: a flash of "0 / 0 / 0" reads as an empty site.
    return rx.vstack(
        rx.skeleton(
            rx.text(value, size="8", weight="bold", color=rx.color("accent", 11)),
            loading=~HomeState.loaded,
            min_width="3ch",
        ),
        rx.text(label, size="2", color=rx.color("gray", 11)),
        spacing="0",
        align="center",
    )


def _step(number: str, title: str, text: str, icon: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.box(
                    rx.icon(icon, size=20),
                    color=rx.color("accent", 11),
                    background=rx.color("accent", 3),
                    padding="8px",
                    border_radius="12px",
                    display="flex",
                ),
                rx.text(number, size="1", weight="bold", color=rx.color("gray", 10)),
                align="center",
                justify="between",
                width="100%",
            ),
            rx.heading(title, size="4", as_="h3"),
            rx.text(text, size="2", color=rx.color("gray", 11)),
            spacing="3",
        ),
        size="3",
        width="100%",
    )


def _visitor() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.badge("Skill barter · time credits", radius="full", variant="soft", size="2"),
            rx.heading(
                "Teach what you know. Learn what you love.",
                size="9",
                as_="h1",
                weight="bold",
                text_align="center",
                max_width="820px",
                line_height="1.1",
            ),
            rx.text(
                "One hour = one credit. No money changes hands between members.",
                size="5",
                color=rx.color("gray", 11),
                text_align="center",
            ),
            rx.hstack(
                link_button("Join BARTR", size="4", href=routes.SIGNUP),
                link_button("Browse skills", size="4", variant="soft", href=routes.MARKETPLACE),
                spacing="3",
                wrap="wrap",
                justify="center",
            ),
            spacing="5",
            align="center",
            padding_y=["32px", "64px"],
            width="100%",
        ),
        rx.card(
            rx.grid(
                _figure(HomeState.members, "members"),
                _figure(HomeState.skills_offered, "skills offered"),
                _figure(HomeState.hours_exchanged, "hours exchanged"),
                columns="3",
                spacing="4",
                width="100%",
            ),
            size="3",
            width="100%",
            max_width="720px",
            margin_x="auto",
        ),
        rx.grid(
            _step(
                "1",
                "Teach an hour",
                "Share what you are good at, from Spanish to sourdough. Each hour you teach earns one credit.",
                "graduation-cap",
            ),
            _step(
                "2",
                "Learn an hour",
                "Spend credits with anyone in the community. Credits are held safely until the session happens.",
                "book-open",
            ),
            _step(
                "3",
                "Swap and grow",
                "We match you with people who want what you teach and teach what you want.",
                "repeat-2",
            ),
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="4",
            width="100%",
            padding_top="48px",
        ),
        _featured("Featured skills", "Taught by highly rated members. One credit an hour."),
        spacing="6",
        width="100%",
    )


def _featured(title: str, subtitle: str, *, top: str = "48px") -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.heading(title, size="5", as_="h2"),
                rx.text(subtitle, size="2", color=rx.color("gray", 11)),
                spacing="1",
            ),
            rx.spacer(),
            rx.link("See all skills →", href=routes.MARKETPLACE, size="2"),
            align="end",
            width="100%",
            wrap="wrap",
        ),
        rx.grid(
            rx.cond(
                HomeState.loaded,
                rx.foreach(
                    HomeState.featured,
                    lambda c: skill_card(c, AuthState.viewer_timezone),
                ),
                rx.fragment(*[skill_card_skeleton() for _ in range(3)]),
            ),
            columns=rx.breakpoints(initial="1", sm="2", md="3"),
            spacing="4",
            width="100%",
        ),
        spacing="4",
        width="100%",
        padding_top=top,
    )


def _todo(count: rx.Var, label: str, href: str, icon: str, colour: str) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.box(
                    rx.icon(icon, size=18),
                    color=rx.color(colour, 11),
                    background=rx.color(colour, 3),
                    padding="8px",
                    border_radius="12px",
                    display="flex",
                ),
                rx.vstack(
                    rx.text(count, size="6", weight="bold", color=rx.color("gray", 12)),
                    rx.text(label, size="2", color=rx.color("gray", 11)),
                    spacing="0",
                ),
                spacing="3",
                align="center",
            ),
            size="2",
            width="100%",
            _hover={"background": rx.color("gray", 2)},
        ),
        href=href,
        underline="none",
        width="100%",
    )


def _rate_prompt(p: rx.Var) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.icon("star", size=20, color=rx.color("amber", 9), fill=rx.color("amber", 9)),
                rx.vstack(
                    rx.text(p.text, weight="medium", size="3", color=rx.color("gray", 12)),
                    rx.text(p.detail, size="2", color=rx.color("gray", 11)),
                    spacing="0",
                ),
                rx.spacer(),
                rx.icon("chevron-right", size=18, color=rx.color("gray", 10)),
                spacing="3",
                align="center",
                width="100%",
            ),
            size="2",
            width="100%",
            _hover={"background": rx.color("gray", 2)},
        ),
        href=p.href,
        underline="none",
        width="100%",
    )


def _member() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading(HomeState.greeting, AuthState.viewer_name, size="7", as_="h1"),
            rx.text("Here is what needs you now.", size="3", color=rx.color("gray", 11)),
            spacing="1",
        ),
        rx.cond(
            HomeState.rate_prompts.length() > 0,
            rx.vstack(rx.foreach(HomeState.rate_prompts, _rate_prompt), spacing="2", width="100%"),
        ),
        rx.grid(
            _todo(HomeState.to_answer, "requests to answer", routes.SESSIONS + "?tab=to_answer", "inbox", "amber"),
            _todo(HomeState.upcoming, "upcoming sessions", routes.SESSIONS + "?tab=upcoming", "calendar-clock", "blue"),
            _todo(HomeState.my_requests, "of your requests waiting", routes.SESSIONS + "?tab=my_requests", "send", "gray"),
            _todo(AuthState.balance_label, "credits available · wallet", routes.WALLET, "coins", "teal"),
            columns=rx.breakpoints(initial="1", sm="2", md="4"),
            spacing="4",
            width="100%",
        ),
        rx.cond(
            HomeState.for_you.length() > 0,
            rx.vstack(
                rx.hstack(
                    rx.heading("For you", size="5", as_="h2"),
                    rx.spacer(),
                    rx.link("More matches →", href=routes.MARKETPLACE, size="2"),
                    width="100%",
                    align="end",
                ),
                rx.grid(
                    rx.foreach(HomeState.for_you, lambda r: recommendation_card(r, fill=True)),
                    columns=rx.breakpoints(initial="1", sm="2", md="3"),
                    spacing="4",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            rx.card(
                rx.hstack(
                    rx.icon("sparkles", size=20, color=rx.color("accent", 10)),
                    rx.text(
                        "Add what you teach and what you want to learn, and we'll suggest people to swap with.",
                        size="2",
                    ),
                    rx.spacer(),
                    link_button("Edit profile", href=routes.PROFILE_EDIT, variant="soft"),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                    width="100%",
                ),
                size="2",
                width="100%",
            ),
        ),
        rx.cond(
            ~HomeState.loaded | (HomeState.featured.length() > 0),
            _featured("Popular right now", "Highly rated teachers in the community.", top="0"),
        ),
        spacing="6",
        width="100%",
    )  # fmt: skip


@page(routes.HOME, "Teach what you know, learn what you love", on_load=[HomeState.load])
def home_page() -> rx.Component:
    return rx.cond(AuthState.logged_in, _member(), _visitor())
