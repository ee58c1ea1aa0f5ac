"""Admin page section: the audit log as a filterable table."""

from __future__ import annotations

import reflex as rx

from bartr.components.admin_sections import admin_section
from bartr.state.admin_audit import AdminAuditState as S

MUTED = rx.color("gray", 11)


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(r["date"], size="2", color=MUTED, white_space="nowrap")),
        rx.table.cell(rx.text(r["actor"], size="2")),
        rx.table.cell(
            rx.vstack(
                rx.text(r["action"], size="2", weight="medium"),
                rx.text(r["target"], size="1", color=MUTED),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.cond(
                r["path"] != "",
                rx.link(r["member"], href=r["path"], size="2"),
                rx.text("—", size="2", color=MUTED),
            ),
            display=["none", "table-cell"],
        ),
        rx.table.cell(rx.text(r["note"], size="2"), max_width="320px"),
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.select.root(
            rx.select.trigger(aria_label="Filter by action", min_width="200px"),
            rx.select.content(
                rx.foreach(S.action_options, lambda o: rx.select.item(o[1], value=o[0]))
            ),
            value=S.action_filter,
            on_change=S.set_action_filter,
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="person",
                    value=S.person_filter,
                    on_change=S.set_person_filter,
                    placeholder="Admin or member (name or @handle)",
                    aria_label="Filter by admin or member",
                    min_width="0",
                    flex="1",
                ),
                rx.button(rx.icon("filter", size=14), "Filter", type="submit", variant="soft"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.apply_person_filter,
            reset_on_submit=False,
            flex="1",
            min_width="240px",
        ),
        spacing="3",
        wrap="wrap",
        width="100%",
    )


def audit_section() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("When"),
                rx.table.column_header_cell("Admin"),
                rx.table.column_header_cell("Action"),
                rx.table.column_header_cell("Member", display=["none", "table-cell"]),
                rx.table.column_header_cell("Note"),
            )
        ),
        rx.table.body(rx.foreach(S.rows, _row)),
        variant="surface",
        size="1",
        width="100%",
        id="admin-audit-table",
    )
    return admin_section(
        "Audit log",
        "Every admin action, newest first. Entries cannot be edited or deleted.",
        "scroll-text",
        _filters(),
        rx.cond(
            S.error != "",
            rx.callout(S.error, icon="triangle-alert", color_scheme="red", width="100%"),
            rx.cond(
                ~S.loaded,
                rx.vstack(
                    rx.skeleton(height="32px", width="100%"),
                    rx.skeleton(height="32px", width="100%"),
                    spacing="2",
                    width="100%",
                ),
                rx.cond(
                    S.rows.length() > 0,  # type: ignore[attr-defined]
                    rx.vstack(
                        rx.box(table, width="100%", overflow_x="auto"),
                        rx.cond(
                            S.has_more,
                            rx.button("Load older entries", variant="soft", on_click=S.load_older),
                        ),
                        spacing="3",
                        width="100%",
                        align="center",
                    ),
                    rx.text(
                        "Nothing recorded for these filters. Admin actions appear here as "
                        "they happen.",
                        size="2",
                        color=MUTED,
                    ),
                ),
            ),
        ),
        section_id="admin-audit",
    )
