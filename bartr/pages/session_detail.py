"""/sessions/[session_id]: both people, the time in my zone, status, the actions allowed now,
the policy in plain words, the history, and where chat, video and materials will live."""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.chat import session_chat_card
from bartr.components.course_cards import course_cards
from bartr.components.forms import form_alert
from bartr.components.policy_dialog import policy_dialog
from bartr.components.rating_card import rating_card
from bartr.components.safety_menu import safety_dialogs
from bartr.components.shell import page
from bartr.components.slot_picker import slot_picker
from bartr.components.status_chip import status_chip, status_fill
from bartr.components.timeline import timeline
from bartr.components.trust_badges import badge_chip
from bartr.state.auth import GENERIC_ERROR
from bartr.state.chat import ChatState
from bartr.state.rating import RatingState
from bartr.state.session_actions import NO_SHOW_DISPUTE_HOURS
from bartr.state.session_call import SessionCallState as C
from bartr.state.session_detail import ProposalOption, SessionDetailState

S = SessionDetailState


def _can(action: str) -> rx.Var:
    return S.actions.contains(action)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- dialogs


def _dialog(name: str, title: str, description: Any, body: rx.Component) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.dialog.description(description, size="2", color=rx.color("gray", 11)),
            rx.box(form_alert(S.dialog_error), margin_top="12px"),
            body,
            max_width="560px",
        ),
        open=S.dialog == name,
        on_open_change=S.dialog_changed,
    )


def _reason_form(
    *,
    on_submit: Any,
    field: str,
    label: str,
    submit: str,
    color: str = "teal",
    required: bool = False,
    placeholder: str = "",
) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label(rx.text(label, size="2", weight="medium"), html_for=f"dialog-{field}"),
            rx.text_area(
                id=f"dialog-{field}",
                name=field,
                rows="3",
                max_length=500,
                width="100%",
                required=required,
                placeholder=placeholder,
            ),
            rx.hstack(
                rx.dialog.close(
                    rx.button("Keep it", type="button", variant="soft", color_scheme="gray")
                ),
                rx.button(submit, type="submit", color_scheme=color, loading=S.busy),  # type: ignore[arg-type]
                spacing="3",
                justify="end",
                width="100%",
            ),
            spacing="2",
            margin_top="16px",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
    )


def _dialogs() -> rx.Component:
    return rx.fragment(
        _dialog(
            "decline",
            "Decline this request?",
            rx.text("The held credits go straight back to ", S.learner_name, "."),
            _reason_form(
                on_submit=S.decline,
                field="reason",
                label="A short note (optional)",
                submit="Decline request",
                color="red",
                placeholder="E.g. I'm away that week — please ask again later.",
            ),
        ),
        _dialog(
            "cancel",
            "Cancel this session?",
            S.cancel_note,
            _reason_form(
                on_submit=S.cancel,
                field="reason",
                label="Why? (optional)",
                submit="Cancel session",
                color="red",
            ),
        ),
        _dialog(
            "withdraw",
            "Withdraw your request?",
            "Your held credits come back to your wallet right away.",
            rx.hstack(
                rx.dialog.close(
                    rx.button("Keep it", type="button", variant="soft", color_scheme="gray")
                ),
                rx.button(
                    "Withdraw request", color_scheme="red", on_click=S.withdraw, loading=S.busy
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
        ),
        _dialog(
            "dispute",
            "Open a dispute",
            "The credits stay held until an admin has looked at what happened. Say what went wrong.",
            _reason_form(
                on_submit=S.dispute,
                field="reason",
                label="What went wrong",
                submit="Open dispute",
                color="red",
                required=True,
            ),
        ),
        _dialog(
            "no_show",
            "Report a no-show",
            rx.text(
                "Say that ",
                S.other_name,
                f" did not come. They have {NO_SHOW_DISPUTE_HOURS} hours to dispute it; "
                "then the policy settles the credits.",
            ),
            _reason_form(
                on_submit=S.report_no_show,
                field="note",
                label="Anything to add (optional)",
                submit="Report no-show",
                color="red",
            ),
        ),
        _dialog(
            "reschedule",
            "Propose new times",
            rx.text(
                "Pick up to three times from ",
                S.teacher_name,
                "'s availability. ",
                S.other_name,
                " chooses one.",
            ),
            rx.form(
                rx.vstack(
                    slot_picker(
                        days=S.slot_days,
                        day=S.slot_day,
                        day_slots=S.day_slots,
                        chosen_isos=S.chosen_isos,
                        on_pick_day=S.pick_day,
                        on_toggle=S.toggle,
                        zone_label=S.zone_label,
                        empty_text="No free times in the next two weeks.",
                    ),
                    rx.el.label(
                        rx.text("A note (optional)", size="2", weight="medium"),
                        html_for="dialog-note",
                    ),
                    rx.text_area(
                        id="dialog-note", name="note", rows="2", max_length=500, width="100%"
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Close", type="button", variant="soft", color_scheme="gray")
                        ),
                        rx.button(
                            "Send ",
                            S.chosen.length(),  # type: ignore[attr-defined]
                            rx.cond(S.chosen.length() == 1, " time", " times"),  # type: ignore[attr-defined]
                            type="submit",
                            loading=S.busy,
                            disabled=S.chosen.length() == 0,  # type: ignore[attr-defined]
                            id="send-times",
                        ),
                        spacing="3",
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    margin_top="16px",
                    width="100%",
                ),
                on_submit=S.propose,
                reset_on_submit=True,
            ),
        ),
    )


# --------------------------------------------------------------------------- main column


def _proposal(p: ProposalOption) -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.icon("calendar-clock", size=16, color=rx.color("accent", 11)),
            rx.vstack(
                rx.text(p.label, size="2", weight="medium"),
                rx.text(p.relative, size="1", color=rx.color("gray", 10)),
                spacing="0",
            ),
            spacing="3",
            align="center",
        ),
        rx.cond(
            _can("accept"),
            rx.button(
                rx.icon("check", size=14),
                "Accept this time",
                size="2",
                on_click=S.accept(p.iso),
                disabled=S.busy,
                class_name="accept-time",
            ),
        ),
        justify="between",
        align=rx.breakpoints(initial="start", sm="center"),
        direction=rx.breakpoints(initial="column", sm="row"),
        gap="8px",
        padding="12px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="12px",
        width="100%",
        class_name="proposal",
    )


def _action(label: str, icon: str, on_click: Any, action: str, **props: Any) -> rx.Component:
    return rx.cond(
        _can(action),
        rx.button(
            rx.icon(icon, size=14),
            label,
            on_click=on_click,
            disabled=S.busy,
            id=f"action-{action}",
            **props,
        ),
    )


def _actions() -> rx.Component:
    return rx.flex(
        _action("Mark as taught", "circle-check", S.mark_complete, "mark_complete", loading=S.busy),
        _action(
            "Confirm it happened",
            "circle-check",
            S.confirm_complete,
            "confirm_complete",
            loading=S.busy,
        ),
        _action(
            rx.cond(S.state == "scheduled", "Reschedule", "Propose other times"),  # type: ignore[arg-type]
            "calendar-sync",
            S.open_reschedule,
            "propose_reschedule",
            variant="soft",
        ),
        _action(
            "Decline",
            "circle-x",
            S.open_dialog("decline"),
            "decline",
            variant="soft",
            color_scheme="red",
        ),
        _action(
            "Withdraw request",
            "undo-2",
            S.open_dialog("withdraw"),
            "withdraw",
            variant="soft",
            color_scheme="red",
        ),
        _action(
            "Cancel session",
            "circle-slash",
            S.open_dialog("cancel"),
            "cancel",
            variant="soft",
            color_scheme="red",
        ),
        _action(
            rx.cond(S.no_show_reported, "Dispute the no-show", "Open a dispute"),  # type: ignore[arg-type]
            "flag",
            S.open_dialog("dispute"),
            "dispute",
            variant="soft",
            color_scheme="red",
        ),
        _action(
            "Report a no-show",
            "user-x",
            S.open_dialog("no_show"),
            "report_no_show",
            variant="soft",
            color_scheme="gray",
        ),
        wrap="wrap",
        gap="8px",
    )


def _status_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.box(
                    rx.icon("info", size=18),
                    color=status_fill(S.state, 11),
                    flex_shrink="0",
                    margin_top="2px",
                ),
                rx.text(S.headline, size="3", weight="medium", id="session-headline"),
                spacing="3",
                align="start",
            ),
            rx.cond(
                S.action_error != "",
                rx.callout(
                    S.action_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    role="alert",
                    width="100%",
                ),
            ),
            rx.cond(
                S.proposals.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.text(
                        rx.cond(_can("accept"), "Proposed times — choose one", "Proposed times"),
                        size="2",
                        weight="medium",
                        color=rx.color("gray", 11),
                    ),
                    rx.foreach(S.proposals, _proposal),
                    spacing="2",
                    width="100%",
                ),
            ),
            rx.cond(S.actions.length() > 0, _actions()),  # type: ignore[attr-defined]
            spacing="4",
            width="100%",
        ),
        size=rx.breakpoints(initial="2", sm="3"),
        width="100%",
        id="session-status",
    )


def _fact(icon: str, label: str, *value: Any) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=16, color=rx.color("gray", 10), flex_shrink="0", margin_top="2px"),
        rx.vstack(
            rx.text(label, size="1", color=rx.color("gray", 10)),
            rx.box(*value),
            spacing="0",
            min_width="0",
        ),
        spacing="3",
        align="start",
    )


def _person(role: str, name: rx.Var, href: rx.Var, is_me: rx.Var) -> rx.Component:
    return _fact(
        "graduation-cap" if role == "Teacher" else "user",
        role,
        rx.hstack(
            rx.link(name, href=href, size="2", weight="medium"),
            rx.cond(is_me, rx.badge("you", size="1", variant="soft", color_scheme="gray")),
            spacing="2",
            align="center",
        ),
    )


def _details_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Details", size="4", as_="h3"),
            rx.grid(
                _fact(
                    "calendar-days",
                    "When",
                    rx.cond(
                        S.when != "",
                        rx.vstack(
                            rx.text(S.when, size="2", weight="medium", id="session-when"),
                            rx.text(
                                S.when_relative,
                                " · ",
                                S.zone_label,
                                size="1",
                                color=rx.color("gray", 10),
                            ),
                            spacing="0",
                        ),
                        rx.text("Not agreed yet", size="2", color=rx.color("gray", 10)),
                    ),
                ),
                _fact("clock", "Length", rx.text(S.duration_label, size="2", weight="medium")),
                _person("Teacher", S.teacher_name, S.teacher_href, S.my_side == "teacher"),
                _person("Learner", S.learner_name, S.learner_href, S.my_side == "learner"),
                _fact(
                    "coins",
                    "Cost",
                    rx.text(
                        S.cost_label,
                        rx.cond(
                            S.held_label != "",
                            rx.text.span(" · held now", color=rx.color("gray", 10)),
                        ),
                        size="2",
                        weight="medium",
                    ),
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                gap="16px",
                width="100%",
            ),
            rx.cond(
                S.ics_href != "",
                rx.button(
                    rx.el.a(
                        rx.icon("calendar-plus", size=14),
                        "Add to my calendar (.ics)",
                        href=S.ics_href,
                        download="",
                    ),
                    as_child=True,
                    variant="soft",
                    color_scheme="gray",
                    size="2",
                    id="ics-download",
                ),
            ),
            rx.cond(
                S.message != "",
                rx.box(
                    rx.text(
                        rx.cond(
                            S.my_side == "learner", "Your message", "Message from " + S.learner_name
                        ),
                        size="1",
                        color=rx.color("gray", 10),
                    ),
                    rx.text(S.message, size="2", white_space="pre-wrap"),
                    background=rx.color("gray", 2),
                    border_left=f"3px solid {rx.color('accent', 7)}",
                    padding="12px 16px",
                    border_radius="8px",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        size=rx.breakpoints(initial="2", sm="3"),
        width="100%",
    )


def _history_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("History", size="4", as_="h3"),
            timeline(S.events, zone_label=S.zone_label),
            spacing="4",
            width="100%",
        ),
        size=rx.breakpoints(initial="2", sm="3"),
        width="100%",
        id="session-history",
    )


# --------------------------------------------------------------------------- side column


def _policy_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("scale", size=16),
                rx.heading("The policy", size="3", as_="h3"),
                spacing="2",
                align="center",
            ),
            rx.text(S.policy[2], size="2", color=rx.color("gray", 11)),
            rx.text(S.policy[3], size="2", color=rx.color("gray", 11)),
            policy_dialog(S.policy, trigger_text="Read the whole policy"),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
    )


def _video_card() -> rx.Component:
    """Join lit while the call is open; when it opens otherwise; who was in the call."""
    icon_box = rx.box(
        rx.icon("video", size=18),
        color=rx.cond(C.call_can_join, rx.color("accent", 11), rx.color("gray", 11)),
        background=rx.cond(C.call_can_join, rx.color("accent", 3), rx.color("gray", 3)),
        padding="8px",
        border_radius="10px",
        display="flex",
    )
    join = rx.cond(
        C.call_can_join,
        link_button(
            rx.icon("video", size=16), "Join video call", href=C.call_room_href, id="join-call"
        ),
        rx.button(rx.icon("video", size=16), "Join video call", disabled=True, id="join-call"),
    )
    return rx.card(
        rx.vstack(
            rx.hstack(
                icon_box,
                rx.vstack(
                    rx.text("Video call", weight="bold", size="2"),
                    rx.text(C.call_note, size="1", color=rx.color("gray", 11), id="call-note"),
                    spacing="1",
                ),
                spacing="3",
                align="start",
            ),
            rx.cond(C.call_enabled, join),
            rx.cond(
                C.call_enabled & ~C.call_can_join & (C.call_opens_iso != ""),
                # Re-reads the card as the relative time changes: Join lights up on time.
                rx.moment(
                    C.call_opens_iso,
                    from_now=True,
                    interval=20_000,
                    on_change=C.tick,
                    display="none",
                ),
            ),
            rx.cond(
                C.call_attendance != "",
                rx.hstack(
                    rx.icon("users", size=14),
                    rx.text(C.call_attendance, size="1", id="call-attendance"),
                    spacing="2",
                    align="center",
                    color=rx.color("gray", 11),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
        variant="surface",
        id="video-call",
    )


def _materials_card() -> rx.Component:
    """The course of this skill (open or locked), or a way for the teacher to make one."""
    return rx.card(
        rx.vstack(
            rx.text("Course materials", weight="bold", size="2"),
            course_cards(
                S.session_course,
                empty=rx.cond(
                    S.is_session_teacher,
                    rx.vstack(
                        rx.text(
                            "Share notes and recorded lessons with the people you teach.",
                            size="1",
                            color=rx.color("gray", 10),
                        ),
                        link_button("Create a course", href=routes.COURSES, variant="soft"),
                        spacing="2",
                    ),
                    rx.text(
                        "The teacher has no course for this skill yet.",
                        size="1",
                        color=rx.color("gray", 10),
                    ),
                ),
            ),
            spacing="2",
            width="100%",
        ),
        size="2",
        width="100%",
        variant="surface",
        id="course-materials",
    )


def _side() -> rx.Component:
    return rx.vstack(
        _policy_card(),
        session_chat_card(),
        _video_card(),
        _materials_card(),
        spacing="3",
        width="100%",
    )


# --------------------------------------------------------------------------- page


def _header() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(
                rx.icon("arrow-left", size=14),
                rx.text("All sessions", size="2"),
                spacing="1",
                align="center",
            ),
            href=routes.SESSIONS,
            color=rx.color("gray", 11),
            underline="none",
        ),
        rx.flex(
            rx.heading(S.skill_title, size="7", as_="h1", weight="bold"),
            status_chip(S.state, S.state_label, size="3"),
            gap="12px",
            align="center",
            wrap="wrap",
        ),
        rx.flex(
            rx.text(
                rx.cond(S.my_side == "teacher", "You teach ", "You learn from "),
                rx.text.strong(S.other_name),
                size="3",
                color=rx.color("gray", 11),
            ),
            rx.foreach(RatingState.teacher_badges, badge_chip),
            gap="8px",
            align="center",
            wrap="wrap",
        ),
        spacing="2",
        margin_bottom="24px",
    )


def _not_found() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("calendar-x", size=28, color=rx.color("gray", 9)),
            rx.text(S.load_error, weight="medium", size="3"),
            rx.hstack(
                link_button("Back to my sessions", href=routes.SESSIONS),
                rx.cond(
                    S.load_error == GENERIC_ERROR,
                    rx.button("Try again", variant="soft", on_click=S.load),
                ),
                spacing="3",
            ),
            align="center",
            text_align="center",
            spacing="3",
            padding_y="40px",
        ),
        width="100%",
        role="alert",
    )


def _skeleton() -> rx.Component:
    return rx.vstack(
        rx.skeleton(height="28px", width="45%"),
        rx.grid(
            rx.vstack(
                rx.skeleton(height="140px", width="100%"),
                rx.skeleton(height="180px", width="100%"),
                spacing="4",
                width="100%",
            ),
            rx.skeleton(height="240px", width="100%"),
            columns=rx.breakpoints(initial="1", md="minmax(0, 1fr) 320px"),
            gap="24px",
            width="100%",
        ),
        spacing="5",
        width="100%",
        aria_busy="true",
    )


def _content() -> rx.Component:
    return rx.vstack(
        _header(),
        rx.grid(
            rx.vstack(
                _status_card(),
                rating_card(),
                _details_card(),
                _history_card(),
                spacing="4",
                width="100%",
            ),
            _side(),
            columns=rx.breakpoints(initial="1", md="minmax(0, 1fr) 320px"),
            gap="24px",
            width="100%",
        ),
        _dialogs(),
        spacing="0",
        width="100%",
    )


@page(
    routes.SESSION_PATTERN,
    "Session",
    member_only=True,
    on_load=[S.load, RatingState.load, C.load_call, ChatState.load_for_session],
)
def session_detail_page() -> rx.Component:
    return rx.cond(
        S.loading,
        _skeleton(),
        rx.cond(S.load_error != "", _not_found(), rx.fragment(_content(), safety_dialogs())),
    )
