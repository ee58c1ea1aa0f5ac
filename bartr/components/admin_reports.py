"""Admin page section: the report queue (oldest first) and the panel to handle one report."""

from __future__ import annotations

import reflex as rx

from bartr.components.admin_sections import admin_section
from bartr.components.forms import field_error
from bartr.components.toast_outlet import toast_outlet
from bartr.state.admin_reports import AdminReportsState as S

MUTED = rx.color("gray", 11)


def _row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(r["age"], size="2", color=MUTED, white_space="nowrap")),
        rx.table.cell(rx.text(r["reason"], size="2", weight="medium")),
        rx.table.cell(
            rx.vstack(
                rx.text(r["member"], size="2"),
                rx.cond(
                    r["more"] != "",
                    rx.text("+", r["more"], " more open", size="1", color=rx.color("red", 11)),
                ),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(r["what"], size="2", color=MUTED), display=["none", "table-cell"]),
        rx.table.cell(rx.text(r["reporter"], size="2"), display=["none", "none", "table-cell"]),
        rx.table.cell(
            rx.button("Open", size="1", variant="soft", on_click=S.open_report(r["id"].to(int)))
        ),
        id="report-row-" + r["id"].to(str),
    )


def _line(c: rx.Var) -> rx.Component:
    return rx.box(
        rx.text(
            rx.text.span(c["when"], color=MUTED),
            rx.cond(c["who"] != "", rx.text.span(" · ", c["who"], weight="medium")),
            size="1",
        ),
        rx.text(c["text"], size="2", white_space="pre-wrap"),
        padding="6px 10px",
        border_radius="8px",
        background=rx.cond(c["hi"] != "", rx.color("amber", 3), "transparent"),
        width="100%",
    )


def _block(title: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.heading(title, as_="h3", size="2", color=MUTED),
        *children,
        spacing="1",
        width="100%",
    )


def _history_row(h: rx.Var) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(h[0]),
        rx.data_list.value(h[1]),
    )


def _action_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Decide", as_="h3", size="3"),
            rx.select.root(
                rx.select.trigger(aria_label="Action", width="100%"),
                rx.select.content(
                    rx.foreach(S.action_options, lambda o: rx.select.item(o[1], value=o[0]))
                ),
                value=S.action,
                on_change=S.set_action,
            ),
            rx.cond(
                S.action == "suspend",
                rx.hstack(
                    rx.input(
                        value=S.days,
                        on_change=S.set_days,
                        type="number",
                        min="1",
                        max="365",
                        width="100px",
                        aria_label="Days",
                        id="suspend-days",
                        name="days",
                    ),
                    rx.text("days", size="2"),
                    align="center",
                ),
            ),
            rx.text_area(
                value=S.note,
                on_change=S.set_note,
                placeholder=rx.cond(
                    S.action == "warn",
                    "The warning the member will read.",
                    "Why: kept in the audit log.",
                ),
                rows="3",
                width="100%",
                id="moderation-note",
                name="note",
                aria_label="Note",
            ),
            field_error(S.action_error),
            rx.hstack(
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                rx.button(
                    "Apply",
                    type="submit",
                    loading=S.saving,
                    color_scheme=rx.cond(
                        (S.action == "ban") | (S.action == "suspend"), "red", "accent"
                    ),
                    id="apply-moderation",
                ),
                justify="end",
                spacing="3",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=S.apply,
        reset_on_submit=False,
        width="100%",
    )


def _panel() -> rx.Component:
    d = S.detail
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Report #", d["id"], " · ", d["reason"]),
            rx.dialog.description(
                d["reporter"], " reported ", d["what"], " on ", d["date"], size="2", color=MUTED
            ),
            rx.vstack(
                rx.blockquote(d["details"], size="2"),
                rx.cond(
                    S.context.length() > 0,  # type: ignore[attr-defined]
                    _block("Context", rx.foreach(S.context, _line)),
                ),
                _block(
                    "Member: " + d["member"].to(str),
                    rx.data_list.root(rx.foreach(S.history, _history_row), size="1"),
                    rx.cond(
                        S.ledger_lines.length() > 0,  # type: ignore[attr-defined]
                        rx.vstack(
                            rx.text(
                                "Latest credit movements", size="1", color=MUTED, margin_top="6px"
                            ),
                            rx.foreach(S.ledger_lines, _line),
                            spacing="0",
                            width="100%",
                        ),
                    ),
                    rx.cond(d["path"] != "", rx.link("Open profile", href=d["path"], size="2")),
                ),
                rx.cond(
                    S.shared.length() > 0,  # type: ignore[attr-defined]
                    _block(
                        "Sessions between them",
                        rx.vstack(rx.foreach(S.shared, _line), spacing="0", width="100%"),
                    ),
                ),
                rx.divider(),
                _action_form(),
                spacing="4",
                width="100%",
                margin_top="12px",
            ),
            max_width="680px",
            id="report-panel",
        ),
        open=S.panel_open,
        on_open_change=S.set_panel_open,
    )


def reports_section() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Waiting"),
                rx.table.column_header_cell("Reason"),
                rx.table.column_header_cell("Reported member"),
                rx.table.column_header_cell("What", display=["none", "table-cell"]),
                rx.table.column_header_cell("Reporter", display=["none", "none", "table-cell"]),
                rx.table.column_header_cell(""),
            )
        ),
        rx.table.body(rx.foreach(S.rows, _row)),
        variant="surface",
        size="1",
        width="100%",
        id="admin-reports-table",
    )
    return admin_section(
        "Reports",
        "Open reports, oldest first. Every decision needs a note and goes to the audit log.",
        "flag",
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
                    rx.box(table, width="100%", overflow_x="auto"),
                    rx.text(
                        "No open reports. When a member reports someone, it waits here.",
                        size="2",
                        color=MUTED,
                    ),
                ),
            ),
        ),
        _panel(),
        toast_outlet(S.notice, rx.Var.create(False), S.notice_seq, S.notice_shown),
        section_id="admin-reports",
    )
