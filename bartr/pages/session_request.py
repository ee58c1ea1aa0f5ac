"""/sessions/new?skill=<id>: request a session, Cal.com style (length, free times, summary)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.forms import field_error, form_alert
from bartr.components.policy_dialog import policy_dialog
from bartr.components.section_card import section_card
from bartr.components.shell import page, page_title
from bartr.components.slot_picker import slot_picker
from bartr.state.session_request import DURATIONS, SessionRequestState
from bartr.state.slots import SlotChoice

S = SessionRequestState
SESSION_REQUEST = "/sessions/new"


def session_request(skill_id: int) -> str:
    """The URL of this page for one skill (the profile's "Request a session" button)."""
    return f"{SESSION_REQUEST}?skill={skill_id}"


# --------------------------------------------------------------------------- pieces


def _section(title: str, *children: rx.Component, caption: Any = None) -> rx.Component:
    return section_card(
        title,
        *children,
        description=caption,
        level="h3",
        size=rx.breakpoints(initial="2", sm="3"),
        spacing="4",
    )


def _who() -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=S.teacher_name[:1], size="4", radius="full", alt=S.teacher_name),
        rx.vstack(
            rx.text(S.skill_title, weight="bold", size="4"),
            rx.text(
                "with ",
                rx.link(S.teacher_name, href=routes.profile(S.teacher_handle)),
                size="2",
                color=rx.color("gray", 11),
            ),
            spacing="0",
        ),
        spacing="3",
        align="center",
    )


def _length() -> rx.Component:
    return rx.vstack(
        rx.text("Length in minutes", size="2", weight="medium", id="length-label"),
        rx.segmented_control.root(
            *[
                rx.segmented_control.item(
                    d,
                    rx.text.span(" min", display=rx.breakpoints(initial="none", sm="inline")),
                    value=d,
                )
                for d in DURATIONS
            ],
            value=S.duration,
            on_change=S.set_duration,
            width="100%",
            aria_labelledby="length-label",
            id="duration",
        ),
        rx.text("Costs ", rx.text.strong(S.cost_label), ".", size="2", color=rx.color("gray", 11)),
        field_error(S.errors.get("duration_minutes", "").to(str)),  # type: ignore[attr-defined]
        spacing="2",
        width="100%",
    )


def _chosen_time(c: SlotChoice) -> rx.Component:
    return rx.hstack(
        rx.icon("calendar-clock", size=14, color=rx.color("accent", 11)),
        rx.text(c.label, size="2", flex="1"),
        rx.icon_button(
            rx.icon("x", size=14),
            type="button",
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=S.toggle(c.iso),
            aria_label="Remove " + c.label,
        ),
        align="center",
        width="100%",
    )


def _summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Summary", size="4", as_="h3"),
            rx.cond(
                S.chosen.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(S.chosen, _chosen_time), spacing="1", width="100%"),
                rx.text("Pick one to three start times.", size="2", color=rx.color("gray", 10)),
            ),
            rx.text(
                S.teacher_name,
                " picks one of your times, proposes others, or declines.",
                size="1",
                color=rx.color("gray", 10),
            ),
            rx.separator(size="4"),
            rx.hstack(
                rx.icon("coins", size=16, color=rx.color("amber", 10)),
                rx.text(
                    "Holds ",
                    rx.text.strong(S.cost_label),
                    " now; returned if declined or expired.",
                    size="2",
                ),
                spacing="2",
                align="start",
            ),
            rx.text(
                "Available: ",
                S.balance_text,
                rx.cond(S.can_afford, rx.text.span(" · after sending: ", S.after_text)),
                size="1",
                color=rx.color("gray", 11),
                id="request-balance",
            ),
            rx.cond(
                ~S.can_afford,
                rx.callout(
                    rx.text(
                        "This session costs ",
                        S.cost_label,
                        " and you have ",
                        S.balance_text,
                        " available. Choose a shorter session, teach one, or get credits.",
                    ),
                    icon="circle-alert",
                    color_scheme="red",
                    role="alert",
                    size="1",
                    id="insufficient",
                ),
            ),
            policy_dialog(S.policy),
            form_alert(S.form_error),
            rx.button(
                rx.icon("send", size=16),
                "Send request",
                type="submit",
                size="3",
                width="100%",
                loading=S.sending,
                disabled=S.sending | ~S.can_afford | (S.chosen.length() == 0),  # type: ignore[attr-defined]
                id="send-request",
            ),
            rx.cond(
                ~S.can_afford,
                link_button("Get credits", href=routes.WALLET, variant="soft", width="100%"),
            ),
            spacing="3",
            width="100%",
        ),
        size=rx.breakpoints(initial="2", sm="3"),
        width="100%",
        position=rx.breakpoints(initial="static", md="sticky"),
        top="88px",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.grid(
            rx.vstack(
                _section("What", _who(), _length()),
                _section(
                    "When",
                    slot_picker(
                        days=S.days,
                        day=S.day,
                        day_slots=S.day_slots,
                        chosen_isos=S.chosen_isos,
                        on_pick_day=S.pick_day,
                        on_toggle=S.toggle,
                        zone_label=S.zone_label,
                        empty_text=(
                            "No free times in the next two weeks for this length. "
                            "Try a shorter session, or look again in a few days."
                        ),
                    ),
                    field_error(S.errors.get("start_times", "").to(str)),  # type: ignore[attr-defined]
                    caption="Pick up to three start times; the teacher chooses one.",
                ),
                _section(
                    "Message",
                    rx.vstack(
                        rx.el.label(
                            rx.text(
                                "A note for ",
                                S.teacher_name,
                                " (optional)",
                                size="2",
                                weight="medium",
                            ),
                            html_for="message",
                        ),
                        rx.text_area(
                            id="message",
                            name="message",
                            placeholder="What would you like to learn? Your level, your goal for the session…",
                            rows="4",
                            max_length=1000,
                            width="100%",
                        ),
                        field_error(S.errors.get("message", "").to(str)),  # type: ignore[attr-defined]
                        spacing="1",
                        width="100%",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            rx.box(_summary(), width="100%", height="100%"),
            columns=rx.breakpoints(initial="1", md="minmax(0, 1fr) 340px"),
            gap="24px",
            width="100%",
        ),
        on_submit=S.send,
        reset_on_submit=False,
        width="100%",
    )


def _unavailable() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("calendar-x", size=28, color=rx.color("gray", 9)),
            rx.text(S.load_error, weight="medium", size="3"),
            rx.cond(
                S.rate_href != "",
                link_button("Rate the session", href=S.rate_href),
                link_button("Browse the marketplace", href=routes.MARKETPLACE, variant="soft"),
            ),
            align="center",
            text_align="center",
            spacing="3",
            padding_y="40px",
        ),
        width="100%",
        max_width="640px",
        role="alert",
    )


def _skeleton() -> rx.Component:
    return rx.grid(
        rx.vstack(
            rx.skeleton(height="140px", width="100%"),
            rx.skeleton(height="260px", width="100%"),
            spacing="4",
            width="100%",
        ),
        rx.skeleton(height="320px", width="100%"),
        columns=rx.breakpoints(initial="1", md="minmax(0, 1fr) 340px"),
        gap="24px",
        width="100%",
        aria_busy="true",
    )


@page(SESSION_REQUEST, "Request a session", member_only=True, on_load=[S.load])
def session_request_page() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(
                rx.icon("arrow-left", size=14),
                rx.text("Back", size="2"),
                spacing="1",
                align="center",
            ),
            href=rx.cond(
                S.teacher_handle != "", routes.profile(S.teacher_handle), routes.MARKETPLACE
            ),
            color=rx.color("gray", 11),
            underline="none",
        ),
        page_title("Request a session"),
        rx.cond(
            S.loading,
            _skeleton(),
            rx.cond(S.load_error != "", _unavailable(), _form()),
        ),
        width="100%",
        spacing="2",
    )
