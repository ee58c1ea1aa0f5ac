"""The admin page: a left menu of sections, one shown at a time, each a component with
its own state (on phones the menu is a row that scrolls sideways above the section).

To add a section, write a function returning its component, and append an `AdminSection`
to `SECTIONS` with its menu label and icon and the events its state loads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from bartr import routes
from bartr.components.admin_audit import audit_section
from bartr.components.admin_content import deleted_content_section
from bartr.components.admin_reports import reports_section
from bartr.components.admin_sections import admin_section, categories_section, disputes_section
from bartr.components.forms import field_error
from bartr.components.shell import page, page_title
from bartr.components.toast_outlet import toast_outlet
from bartr.state.admin_audit import AdminAuditState
from bartr.state.admin_content import AdminContentState
from bartr.state.admin_credits import RECENT
from bartr.state.admin_credits import AdminCreditsState as S
from bartr.state.admin_moderation import AdminModerationState
from bartr.state.admin_reports import AdminReportsState

MUTED = rx.color("gray", 11)


@dataclass(frozen=True)
class AdminSection:
    key: str  # the menu entry's value (and its id: admin-menu-<key>)
    label: str
    icon: str
    render: Callable[[], rx.Component]
    on_load: Sequence[Any] = field(default_factory=tuple)


# --------------------------------------------------------------------------- credits


def _find_form() -> rx.Component:
    error = S.lookup_error
    return rx.form(
        rx.vstack(
            rx.el.label(
                rx.text("Member's email or handle", size="2", weight="medium"),
                html_for="admin-member-query",
            ),
            rx.flex(
                rx.input(
                    id="admin-member-query",
                    name="query",
                    value=S.query,
                    on_change=S.set_query,
                    placeholder="maya@example.com or @maya-lopez",
                    size="3",
                    flex="1",
                    min_width="0",
                    auto_complete="off",
                    color_scheme=rx.cond(error != "", "red", "gray"),
                    aria_invalid=rx.cond(error != "", "true", "false"),
                ),
                rx.button(rx.icon("search", size=16), "Find", type="submit", size="3"),
                spacing="2",
                width="100%",
            ),
            field_error(error),
            spacing="1",
            width="100%",
        ),
        on_submit=S.find_member,
        reset_on_submit=False,
        width="100%",
    )


def _member_card() -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=S.member_name[:1], size="4", radius="full"),
        rx.vstack(
            rx.link(S.member_name, href=routes.profile(S.member_handle), weight="bold"),
            rx.text("@", S.member_handle, size="1", color=MUTED, truncate=True, width="100%"),
            rx.text(S.member_email, size="1", color=MUTED, truncate=True, width="100%"),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.vstack(
            rx.text("Available", size="1", color=MUTED),
            rx.text(
                S.member_balance,
                size="6",
                weight="bold",
                line_height="1",
                id="admin-member-balance",
            ),
            spacing="1",
            align="end",
        ),
        align="center",
        spacing="3",
        width="100%",
        padding="16px",
        border_radius="12px",
        background=rx.color("gray", 2),
        border=f"1px solid {rx.color('gray', 4)}",
    )


def _adjust_form() -> rx.Component:
    amount_error = S.errors.get("amount", "").to(str)
    reason_error = S.errors.get("reason", "").to(str)
    return rx.form(
        rx.vstack(
            rx.grid(
                rx.vstack(
                    rx.el.label(
                        rx.text("Amount (credits)", size="2", weight="medium"),
                        html_for="admin-amount",
                    ),
                    rx.input(
                        id="admin-amount",
                        name="amount",
                        value=S.amount,
                        on_change=S.set_amount,
                        placeholder="2, 1.5 or -1",
                        input_mode="decimal",
                        size="3",
                        width="100%",
                        color_scheme=rx.cond(amount_error != "", "red", "gray"),
                        aria_invalid=rx.cond(amount_error != "", "true", "false"),
                    ),
                    rx.cond(
                        amount_error == "",
                        rx.text(
                            "Negative to deduct. Whole or half credits.",
                            size="1",
                            color=rx.color("gray", 10),
                        ),
                    ),
                    field_error(amount_error),
                    spacing="1",
                    width="100%",
                ),
                rx.vstack(
                    rx.el.label(
                        rx.text("Reason", size="2", weight="medium"), html_for="admin-reason"
                    ),
                    rx.input(
                        id="admin-reason",
                        name="reason",
                        value=S.reason,
                        on_change=S.set_reason,
                        placeholder="Refund for a session that did not happen",
                        max_length=500,
                        size="3",
                        width="100%",
                        color_scheme=rx.cond(reason_error != "", "red", "gray"),
                        aria_invalid=rx.cond(reason_error != "", "true", "false"),
                    ),
                    rx.cond(
                        reason_error == "",
                        rx.text(
                            "The member sees this in their wallet history.",
                            size="1",
                            color=rx.color("gray", 10),
                        ),
                    ),
                    field_error(reason_error),
                    spacing="1",
                    width="100%",
                ),
                columns=rx.breakpoints(initial="1", sm="160px 1fr"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.button("Review adjustment", type="submit", size="3"),
                justify="end",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=S.review,
        reset_on_submit=False,
        width="100%",
    )


def _confirm_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(S.confirm_verb, " ", S.confirm_amount, " credits?"),
            rx.alert_dialog.description(
                rx.vstack(
                    rx.text(
                        rx.cond(S.confirm_verb == "Add", "To ", "From "),
                        rx.text.strong(S.member_name),
                        " (@",
                        S.member_handle,
                        "). Their balance goes from ",
                        S.member_balance,
                        " to ",
                        rx.text.strong(S.confirm_after),
                        " credits.",
                    ),
                    rx.text("Reason: ", rx.text.em(S.reason), size="2", color=MUTED),
                    spacing="2",
                ),
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    S.confirm_verb,
                    " ",
                    S.confirm_amount,
                    " credits",
                    color_scheme=rx.cond(S.confirm_verb == "Add", "green", "red"),
                    on_click=S.confirm,
                    loading=S.saving,
                    id="admin-confirm",
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="460px",
        ),
        open=S.confirm_open,
        on_open_change=S.set_confirm_open,
    )


def credits_section() -> rx.Component:
    return admin_section(
        "Adjust a member's credits",
        "Correct a balance by hand. Every adjustment is recorded with its reason and your name.",
        "coins",
        _find_form(),
        rx.cond(S.found, rx.vstack(_member_card(), _adjust_form(), spacing="4", width="100%")),
        _confirm_dialog(),
        toast_outlet(S.notice, rx.Var.create(False), S.notice_seq, S.notice_shown),
        section_id="admin-credits",
    )


def _adjustment_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(row["date"], size="2", color=MUTED, white_space="nowrap"),
            display=["none", "none", "table-cell"],
        ),
        rx.table.cell(
            rx.vstack(
                rx.link(row["member"], href=row["path"], size="2", weight="medium"),
                rx.text(row["reason"], size="1", color=MUTED),
                rx.text(
                    row["date"],
                    " · by ",
                    row["admin"],
                    size="1",
                    color=rx.color("gray", 10),
                    display=["block", "block", "none"],
                ),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.text(
                row["amount"],
                size="2",
                weight="bold",
                white_space="nowrap",
                color=rx.cond(row["tone"] == "green", rx.color("green", 11), rx.color("red", 11)),
            ),
            justify="end",
        ),
        rx.table.cell(
            rx.text(row["balance"], size="2", color=MUTED),
            justify="end",
            display=["none", "table-cell"],
        ),
        rx.table.cell(
            rx.text(row["admin"], size="2", color=MUTED), display=["none", "none", "table-cell"]
        ),
        align="center",
    )


def recent_adjustments_section() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(
                    rx.text("Date ", rx.text.span("(", S.zone_name, ")", weight="regular")),
                    display=["none", "none", "table-cell"],
                ),
                rx.table.column_header_cell("Member and reason"),
                rx.table.column_header_cell("Amount", justify="end"),
                rx.table.column_header_cell(
                    "Balance after", justify="end", display=["none", "table-cell"]
                ),
                rx.table.column_header_cell("By", display=["none", "none", "table-cell"]),
            )
        ),
        rx.table.body(rx.foreach(S.adjustments, _adjustment_row)),
        variant="surface",
        size="2",
        width="100%",
        id="admin-adjustments",
    )
    return admin_section(
        "Recent adjustments",
        f"The latest {RECENT} corrections, newest first.",
        "history",
        rx.cond(
            S.adjustments_error != "",
            rx.callout(
                S.adjustments_error, icon="triangle-alert", color_scheme="red", width="100%"
            ),
            rx.cond(
                ~S.adjustments_loaded,
                rx.vstack(
                    rx.skeleton(height="40px", width="100%"),
                    rx.skeleton(height="40px", width="100%"),
                    spacing="2",
                    width="100%",
                ),
                rx.cond(
                    S.adjustments.length() > 0,  # type: ignore[attr-defined]
                    table,
                    rx.vstack(
                        rx.text("No adjustments yet.", weight="medium"),
                        rx.text(
                            "Find a member above to make the first one.", size="2", color=MUTED
                        ),
                        rx.button(
                            "Find a member",
                            variant="soft",
                            on_click=rx.set_focus("admin-member-query"),
                        ),
                        align="center",
                        spacing="2",
                        padding="16px",
                        width="100%",
                        text_align="center",
                    ),
                ),
            ),
        ),
        section_id="admin-adjustments-section",
    )


# --------------------------------------------------------------------------- page

SECTIONS: list[AdminSection] = [
    AdminSection("reports", "Reports", "flag", reports_section, (AdminReportsState.load,)),
    AdminSection("credits", "Credits", "coins", credits_section, (S.load,)),
    AdminSection("adjustments", "Adjustments", "history", recent_adjustments_section),
    AdminSection("disputes", "Disputes", "scale", disputes_section, (AdminModerationState.load,)),
    AdminSection("categories", "Categories", "tags", categories_section),
    AdminSection("audit", "Audit log", "scroll-text", audit_section, (AdminAuditState.load,)),
    AdminSection(
        "deleted", "Deleted content", "archive-restore", deleted_content_section,
        (AdminContentState.load,),
    ),
]  # fmt: skip

# Radix styles a vertical tab list as a block with a right border; on phones it becomes a
# row that scrolls sideways (the same selector, so it wins over Radix's own rule).
_VERTICAL = "&[data-orientation='vertical']"
_PHONE = "@media (max-width: 767px)"
_MENU_STYLE = {
    _PHONE: {
        _VERTICAL: {"display": "flex", "overflowX": "auto", "boxShadow": "none"},
    },
}
_ROOT_STYLE = {_PHONE: {_VERTICAL: {"flexDirection": "column"}}}


def _menu_entry(section: AdminSection) -> rx.Component:
    return rx.tabs.trigger(
        rx.hstack(
            rx.icon(section.icon, size=16), rx.text(section.label), spacing="2", align="center"
        ),
        value=section.key,
        id=f"admin-menu-{section.key}",
        justify_content="start",
        flex_shrink="0",
        style={_PHONE: {_VERTICAL: {"width": "auto"}}},
    )


@page(
    routes.ADMIN,
    "Admin",
    admin_only=True,
    on_load=[event for section in SECTIONS for event in section.on_load],
)
def admin_page() -> rx.Component:
    return rx.vstack(
        page_title("Admin", "Reports, members, disputes, categories, credits and the audit log."),
        rx.tabs.root(
            rx.tabs.list(
                *[_menu_entry(section) for section in SECTIONS],
                aria_label="Admin sections",
                min_width="200px",
                flex_shrink="0",
                style=_MENU_STYLE,
            ),
            *[
                rx.tabs.content(section.render(), value=section.key, width="100%", min_width="0")
                for section in SECTIONS
            ],
            default_value=SECTIONS[0].key,
            orientation="vertical",
            gap="24px",
            width="100%",
            style=_ROOT_STYLE,
        ),
        spacing="5",
        width="100%",
    )
