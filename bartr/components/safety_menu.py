"""Report and block: a small "…" menu, the report dialog and the block confirmation.

Any page can show them (profile, thread, session page, course); the dialogs are rendered
once per page with `safety_dialogs()`, the menu wherever the target is shown.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr.components.forms import field_error
from bartr.components.toast_outlet import toast_outlet
from bartr.state.safety import SafetyState as S

MUTED = rx.color("gray", 11)


def member_safety_menu(handle: Any, name: Any) -> rx.Component:
    """ "…" menu with Report and Block for the member behind `handle`."""
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16),
                variant="ghost",
                color_scheme="gray",
                aria_label="More: report or block",
                id="member-safety-menu",
            )
        ),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(
                rx.icon("flag", size=14), "Report…", on_click=S.start_member_report(handle)
            ),
            rx.dropdown_menu.separator(),
            rx.dropdown_menu.item(
                rx.icon("ban", size=14),
                "Block…",
                color="red",
                on_click=S.start_block(handle, name),
            ),
        ),
    )


def report_button(kind: str, target_id: Any, label: Any) -> rx.Component:
    """A quiet "Report" link for a message, review or course item."""
    return rx.button(
        rx.icon("flag", size=12),
        "Report",
        size="1",
        variant="ghost",
        color_scheme="gray",
        on_click=S.start_report(kind, target_id, label),
    )


def _report_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Report ", S.report_label),
            rx.dialog.description(
                "Tell the admins what is wrong. The member is not told who reported them; "
                "you can follow the report's state in Settings.",
                size="2",
                color=MUTED,
            ),
            rx.form(
                rx.vstack(
                    rx.el.label(rx.text("Reason", size="2", weight="medium")),
                    rx.select.root(
                        rx.select.trigger(placeholder="Choose a reason", width="100%"),
                        rx.select.content(
                            rx.foreach(S.reason_options, lambda o: rx.select.item(o[1], value=o[0]))
                        ),
                        value=S.report_reason,
                        on_change=S.set_report_reason,
                        name="reason",
                    ),
                    rx.el.label(
                        rx.text("What happened (optional)", size="2", weight="medium"),
                        html_for="report-details",
                    ),
                    rx.text_area(
                        id="report-details",
                        name="details",
                        value=S.report_details,
                        on_change=S.set_report_details,
                        placeholder="Dates, what was said, anything that helps us understand.",
                        rows="4",
                        width="100%",
                        max_length=2000,
                    ),
                    field_error(S.report_error),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                        rx.button(
                            "Send report",
                            type="submit",
                            loading=S.report_sending,
                            disabled=S.report_reason == "",
                            id="send-report",
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                        margin_top="8px",
                    ),
                    spacing="2",
                    width="100%",
                    margin_top="12px",
                ),
                on_submit=S.send_report,
                reset_on_submit=False,
            ),
            max_width="480px",
        ),
        open=S.report_open,
        on_open_change=S.set_report_open,
    )


def _block_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Block ", S.block_name, "?"),
            rx.alert_dialog.description(
                rx.vstack(
                    rx.text("You won't see each other in the marketplace or on profiles, "
                            "and neither of you can message or request the other."),
                    rx.text("Requests still waiting between you are withdrawn or declined "
                            "and the credits go back. Sessions already scheduled stay: "
                            "you decide about them in Sessions."),
                    rx.text("You can unblock them any time in Settings."),
                    spacing="2",
                ),
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("Block", color_scheme="red", on_click=S.confirm_block,
                              id="confirm-block")
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="480px",
        ),
        open=S.block_open,
        on_open_change=S.set_block_open,
    )  # fmt: skip


def safety_dialogs() -> rx.Component:
    return rx.fragment(
        _report_dialog(),
        _block_dialog(),
        toast_outlet(S.notice, S.notice_is_error, S.notice_seq, S.notice_shown),
    )
