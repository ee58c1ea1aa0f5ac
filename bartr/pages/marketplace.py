"""The marketplace: search, filters (all in the URL), skill cards, For you, swap circles."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.chips import removable_tags
from bartr.components.shell import page, page_title
from bartr.components.skill_card import (
    recommendation_card,
    skill_card,
    skill_card_skeleton,
    swap_circle,
)
from bartr.state.auth import AuthState
from bartr.state.marketplace import ForYouState as F
from bartr.state.marketplace import MarketplaceState as S


def _label(text: str, html_for: str) -> rx.Component:
    return rx.el.label(rx.text(text, size="2", weight="medium"), html_for=html_for)


def _select(label: str, id_: str, options: rx.Var, value: rx.Var, on_change) -> rx.Component:
    return rx.vstack(
        _label(label, id_),
        rx.select.root(
            rx.select.trigger(id=id_, width="100%", aria_label=label),
            rx.select.content(
                rx.foreach(options, lambda o: rx.select.item(o.label, value=o.value)),
            ),
            value=value,
            on_change=on_change,
        ),
        spacing="1",
        width="100%",
    )


def _tag_filter() -> rx.Component:
    return rx.vstack(
        _label("Tags", "tag-filter"),
        removable_tags(S.tags, S.remove_tag),
        rx.debounce_input(
            rx.input(
                id="tag-filter",
                placeholder="Type a tag, press Enter",
                value=S.tag_draft,
                on_change=S.set_tag_draft,
                on_key_down=S.tag_key,
                width="100%",
                max_length=30,
            ),
            debounce_timeout=250,
        ),
        rx.cond(
            S.tag_suggestions.length() > 0,
            rx.flex(
                rx.foreach(
                    S.tag_suggestions,
                    lambda t: rx.button(
                        "+ ", t, size="1", variant="outline", radius="full", on_click=S.add_tag(t)
                    ),
                ),
                spacing="1",
                wrap="wrap",
                aria_label="Suggested tags",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _filters() -> rx.Component:
    return rx.vstack(
        _select("Category", "filter-category", S.category_options, S.category, S.choose_category),
        _select("Level", "filter-level", S.level_options, S.level, S.choose_level),
        _select("Language", "filter-language", S.language_options, S.language, S.choose_language),
        _tag_filter(),
        rx.hstack(
            rx.switch(id="filter-stars", checked=S.four_stars, on_change=S.set_four_stars),
            _label("4 stars and up", "filter-stars"),
            spacing="2",
            align="center",
        ),
        rx.cond(
            AuthState.logged_in,
            rx.vstack(
                rx.hstack(
                    rx.switch(
                        id="filter-free",
                        checked=S.free,
                        on_change=S.set_free,
                    ),
                    _label("Free when I am", "filter-free"),
                    spacing="2",
                    align="center",
                ),
                rx.text(
                    "Only people whose weekly free time overlaps yours.",
                    size="1",
                    color=rx.color("gray", 10),
                ),
                spacing="1",
            ),
        ),
        rx.cond(
            S.active_filters > 0,
            rx.button(
                rx.icon("x", size=14),
                "Clear filters",
                variant="ghost",
                color_scheme="gray",
                on_click=S.clear_filters,
            ),
        ),
        spacing="4",
        width="100%",
    )


def _search_bar() -> rx.Component:
    return rx.hstack(
        rx.form(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    name="q",
                    id="search-q",
                    default_value=S.q,
                    key=S.q,
                    placeholder="Search skills, e.g. Spanish, guitar, Python",
                    type="search",
                    size="3",
                    width="100%",
                    aria_label="Search skills",
                    max_length=200,
                ),
                rx.button("Search", type="submit", size="3"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.submit_search,
            reset_on_submit=False,
            flex="1",
            role="search",
        ),
        rx.hstack(
            rx.button(
                rx.icon("sliders-horizontal", size=16),
                rx.cond(
                    S.active_filters > 0,
                    "Filters (" + S.active_filters.to_string() + ")",
                    "Filters",
                ),
                variant="soft",
                color_scheme="gray",
                size="3",
                on_click=S.toggle_filters,
                display=rx.breakpoints(initial="flex", md="none"),
                aria_controls="filters",
                aria_expanded=rx.cond(S.filters_open, "true", "false"),
            ),
            rx.select.root(
                rx.select.trigger(aria_label="Sort by", id="sort"),
                rx.select.content(
                    rx.foreach(S.sort_options, lambda o: rx.select.item(o.label, value=o.value)),
                ),
                value=S.sort,
                on_change=S.choose_sort,
                size="3",
            ),
            spacing="2",
        ),
        spacing="3",
        width="100%",
        wrap="wrap",
        align="center",
    )


def _for_you() -> rx.Component:
    return rx.cond(
        F.for_you.length() > 0,
        rx.vstack(
            rx.hstack(
                rx.icon("sparkles", size=18, color=rx.color("accent", 10)),
                rx.heading("For you", size="5", as_="h2"),
                rx.text(
                    "People who teach what you want to learn",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.foreach(F.for_you, recommendation_card),
                spacing="3",
                overflow_x="auto",
                width="100%",
                padding_bottom="8px",
                align="stretch",
            ),
            spacing="3",
            width="100%",
            id="for-you",
        ),
        rx.cond(
            F.loading,
            rx.hstack(skill_card_skeleton(), skill_card_skeleton(), spacing="3", width="100%"),
            rx.cond(
                F.hint,
                rx.callout(
                    rx.hstack(
                        rx.text("Add what you teach and want to learn to see your best matches."),
                        rx.link("Edit your skills →", href=routes.PROFILE_EDIT, weight="medium"),
                        spacing="2",
                        wrap="wrap",
                    ),
                    icon="sparkles",
                    width="100%",
                    id="for-you-hint",
                ),
            ),
        ),
    )


def _circles() -> rx.Component:
    return rx.cond(
        F.circles.length() > 0,
        rx.vstack(
            rx.hstack(
                rx.icon("refresh-cw", size=18, color=rx.color("green", 10)),
                rx.heading("Swap circles", size="5", as_="h2"),
                rx.text(
                    "Three people, each teaching the next: everyone learns.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.grid(
                rx.foreach(F.circles, swap_circle),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
            spacing="3",
            width="100%",
            id="swap-circles",
        ),
    )


def _empty() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("search-x", size=40, color=rx.color("gray", 9)),
            rx.cond(
                S.has_query,
                rx.vstack(
                    rx.heading("No one teaches that yet — try fewer filters", size="4", as_="h3"),
                    rx.text(
                        "Remove a filter or search for a broader word.",
                        color=rx.color("gray", 11),
                        size="2",
                    ),
                    rx.button("Clear filters", on_click=S.clear_filters, id="clear-filters"),
                    spacing="3",
                    align="center",
                ),
                rx.vstack(
                    rx.heading("No skills offered yet", size="4", as_="h3"),
                    rx.text(
                        "Be the first: tell the community what you can teach.",
                        color=rx.color("gray", 11),
                        size="2",
                    ),
                    link_button("Add what you teach", href=routes.PROFILE_EDIT),
                    spacing="3",
                    align="center",
                ),
            ),
            spacing="3",
            align="center",
            text_align="center",
            padding_y="48px",
        ),
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="16px",
        id="marketplace-empty",
    )


def _error() -> rx.Component:
    return rx.callout(
        rx.hstack(
            rx.text(S.error),
            rx.button("Try again", size="1", variant="soft", on_click=S.load),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        icon="triangle-alert",
        color_scheme="red",
        role="alert",
        width="100%",
    )


def _pagination() -> rx.Component:
    return rx.hstack(
        rx.cond(
            S.page > 1,
            link_button(
                rx.icon("chevron-left", size=16), "Previous", href=S.prev_url, variant="soft"
            ),
            rx.box(),
        ),
        rx.text(S.range_label, size="2", color=rx.color("gray", 11)),
        rx.cond(
            S.has_next,
            link_button("Next", rx.icon("chevron-right", size=16), href=S.next_url, variant="soft"),
            rx.box(),
        ),
        justify="between",
        align="center",
        width="100%",
        padding_top="8px",
    )


def _results() -> rx.Component:
    grid_columns = rx.breakpoints(initial="1", sm="2", lg="3")
    return rx.vstack(
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="info", color_scheme="blue", width="100%"),
        ),
        rx.cond(
            S.loading,
            rx.grid(
                *[skill_card_skeleton() for _ in range(6)],
                columns=grid_columns,
                spacing="4",
                width="100%",
                aria_busy="true",
            ),
            rx.cond(
                S.error != "",
                _error(),
                rx.cond(
                    S.cards.length() > 0,
                    rx.vstack(
                        rx.hstack(
                            rx.text(
                                S.total_label,
                                rx.cond(S.total == 1, " skill", " skills"),
                                size="2",
                                weight="medium",
                            ),
                            rx.text(
                                rx.cond(
                                    AuthState.logged_in,
                                    "Times in your zone (" + S.shown_timezone + ")",
                                    "Times in UTC · log in to see them in your zone",
                                ),
                                size="1",
                                color=rx.color("gray", 10),
                            ),
                            justify="between",
                            width="100%",
                            wrap="wrap",
                            id="result-count",
                        ),
                        rx.grid(
                            rx.foreach(S.cards, lambda c: skill_card(c, S.shown_timezone)),
                            columns=grid_columns,
                            spacing="4",
                            width="100%",
                            id="results",
                        ),
                        _pagination(),
                        spacing="3",
                        width="100%",
                    ),
                    _empty(),
                ),
            ),
        ),
        spacing="3",
        width="100%",
    )


@page(routes.MARKETPLACE, "Marketplace", on_load=[S.load, F.load])
def marketplace_page() -> rx.Component:
    return rx.vstack(
        page_title("Marketplace", "Find someone to learn from. One hour = one credit."),
        _search_bar(),
        # A search made on this page keeps the load's For you and circles: hide them
        # while a query or filter is on (a URL opened with one never loads them).
        rx.cond(S.has_query, rx.fragment(), rx.fragment(_for_you(), _circles())),
        rx.grid(
            rx.box(
                rx.card(_filters(), size="2"),
                display=rx.breakpoints(
                    initial=rx.cond(S.filters_open, "block", "none"), md="block"
                ),
                position=rx.breakpoints(initial="static", md="sticky"),
                top="88px",
                id="filters",
            ),
            rx.box(_results(), min_width="0", width="100%"),
            columns=rx.breakpoints(initial="minmax(0, 1fr)", md="260px minmax(0, 1fr)"),
            spacing="5",
            width="100%",
            align="start",
        ),
        spacing="5",
        width="100%",
    )
