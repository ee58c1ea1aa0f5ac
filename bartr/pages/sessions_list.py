"""/sessions: what needs my answer, what I asked for, what is coming up, what happened."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.shell import page, page_title
from bartr.components.status_chip import status_chip
from bartr.state.sessions_list import TAB_LABELS, SessionListRow, SessionsListState

# tab -> (icon, title, text, button label, button href)
EMPTY: dict[str, tuple[str, str, str, str, str]] = {
    "to_answer": (
        "inbox",
        "Nothing is waiting for your answer",
        "When someone asks to learn from you, or proposes new times, it shows up here.",
        "Edit what you teach",
        routes.PROFILE_EDIT,
    ),
    "my_requests": (
        "send",
        "No open requests",
        "Find someone whose skill you want to learn and request a session.",
        "Browse the marketplace",
        routes.MARKETPLACE,
    ),
    "upcoming": (
        "calendar-days",
        "No sessions scheduled",
        "Once a request is accepted, the session appears here with its time in your zone.",
        "Browse the marketplace",
        routes.MARKETPLACE,
    ),
    "history": (
        "history",
        "No past sessions yet",
        "Completed, cancelled, declined and expired sessions are kept here.",
        "Browse the marketplace",
        routes.MARKETPLACE,
    ),
}


def _tab_trigger(tab: str) -> rx.Component:
    count = SessionsListState.counts.get(tab, 0).to(int)  # type: ignore[attr-defined]
    # Requests waiting for me stand out; the other counts stay quiet.
    urgent = count > 0 if tab == "to_answer" else False
    return rx.tabs.trigger(
        rx.hstack(
            rx.text(TAB_LABELS[tab]),
            rx.badge(
                count,
                variant=rx.cond(urgent, "solid", "soft"),
                color_scheme=rx.cond(urgent, "amber", "gray"),
                radius="full",
                size="1",
            ),
            spacing="2",
            align="center",
        ),
        value=tab,
        id=f"tab-{tab}",
    )


def _skeleton_rows() -> rx.Component:
    return rx.vstack(
        *[rx.skeleton(height="76px", width="100%", border_radius="12px") for _ in range(3)],
        spacing="3",
        width="100%",
        aria_busy="true",
        aria_label="Loading sessions",
    )


def _empty(tab: str) -> rx.Component:
    icon, title, text, label, href = EMPTY[tab]
    return rx.card(
        rx.vstack(
            rx.box(
                rx.icon(icon, size=24),
                color=rx.color("accent", 11),
                background=rx.color("accent", 3),
                padding="12px",
                border_radius="9999px",
                display="flex",
            ),
            rx.text(title, size="4", weight="bold"),
            rx.text(text, size="2", color=rx.color("gray", 11), max_width="420px"),
            link_button(label, href=href, variant="soft", margin_top="8px"),
            align="center",
            text_align="center",
            spacing="2",
            padding_y="40px",
            padding_x="16px",
        ),
        width="100%",
        size="2",
        class_name="sessions-empty",
    )


def _error() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("triangle-alert")),
        rx.callout.text(
            SessionsListState.error,
            " ",
        ),
        rx.button(
            "Try again",
            on_click=SessionsListState.retry,
            variant="soft",
            color_scheme="red",
            size="1",
            width="fit-content",
        ),
        color_scheme="red",
        role="alert",
        width="100%",
    )


def _row(row: SessionListRow) -> rx.Component:
    """Who and what | when | status | the one next action (a grid on wide screens)."""
    phone_full = rx.breakpoints(initial="1 / -1", md="auto")
    return rx.card(
        rx.grid(
            rx.hstack(
                rx.avatar(
                    fallback=row.other_name[:1],
                    size="3",
                    radius="full",
                    color_scheme="gray",
                    alt=row.other_name,
                ),
                rx.vstack(
                    rx.link(
                        row.skill_title,
                        href=row.href,
                        weight="bold",
                        size="3",
                        color=rx.color("gray", 12),
                        underline="hover",
                    ),
                    rx.text(
                        rx.text.span(row.role_label, " · with "),
                        rx.text.span(row.other_name, weight="medium"),
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                    rx.text(row.detail, size="1", color=rx.color("gray", 10)),
                    spacing="0",
                    min_width="0",
                ),
                spacing="3",
                align="start",
                min_width="0",
                grid_column=phone_full,
            ),
            rx.vstack(
                rx.text(row.when_relative, size="2", weight="medium"),
                rx.text(
                    row.when_absolute,
                    size="1",
                    color=rx.color("gray", 10),
                    title=SessionsListState.zone_label,
                ),
                spacing="0",
                align=rx.breakpoints(initial="start", md="end"),
                grid_column=phone_full,
            ),
            rx.box(status_chip(row.state, row.state_label)),
            rx.flex(
                link_button(
                    row.action_label,
                    rx.icon("arrow-right", size=14),
                    href=row.href,
                    variant=rx.cond(row.action_primary, "solid", "soft"),
                    size="2",
                ),
                justify="end",
            ),
            grid_template_columns=rx.breakpoints(
                initial="minmax(0, 1fr) auto", md="minmax(0, 1fr) 200px 160px 170px"
            ),
            align_items="center",
            column_gap=rx.breakpoints(initial="12px", md="24px"),
            row_gap="8px",
            width="100%",
        ),
        width="100%",
        size="2",
        class_name="session-row",
        data_session_id=row.id,
    )


def _body(tab: str) -> rx.Component:
    return rx.cond(
        SessionsListState.loading,
        _skeleton_rows(),
        rx.cond(
            SessionsListState.error != "",
            _error(),
            rx.cond(
                SessionsListState.rows.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.foreach(SessionsListState.rows, _row),
                    rx.text(
                        "Shown in ",
                        SessionsListState.zone_label,
                        ".",
                        size="1",
                        color=rx.color("gray", 10),
                    ),
                    spacing="3",
                    width="100%",
                ),
                _empty(tab),
            ),
        ),
    )


@page(routes.SESSIONS, "Sessions", member_only=True, on_load=[SessionsListState.load])
def sessions_page() -> rx.Component:
    return rx.vstack(
        rx.flex(
            page_title("Sessions", "Requests to answer, what you asked for, and what is next."),
            link_button(
                rx.icon("search", size=16),
                "Find a teacher",
                href=routes.MARKETPLACE,
                variant="soft",
            ),
            justify="between",
            align="start",
            wrap="wrap",
            gap="12px",
            width="100%",
        ),
        rx.tabs.root(
            rx.tabs.list(
                *[_tab_trigger(t) for t in TAB_LABELS],
                size="2",
                flex_wrap="wrap",
                aria_label="Session lists",
            ),
            *[
                rx.tabs.content(_body(t), value=t, padding_top="20px", width="100%")
                for t in TAB_LABELS
            ],
            value=SessionsListState.tab,
            on_change=SessionsListState.set_tab,
            width="100%",
        ),
        width="100%",
        spacing="0",
    )
