"""Admin section: deleted course content, each row with a Restore button."""

from __future__ import annotations

import reflex as rx

from bartr.components.admin_sections import admin_section
from bartr.components.forms import form_alert
from bartr.state.admin_content import AdminContentState as S


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.badge(row.kind, variant="soft", color_scheme="gray")),
        rx.table.cell(rx.cond(row.url != "", rx.link(row.title, href=row.url), rx.text(row.title))),
        rx.table.cell(row.teacher),
        rx.table.cell(row.when),
        rx.table.cell(
            rx.button(
                "Restore",
                size="1",
                variant="soft",
                on_click=S.restore(row.kind, row.id),
                class_name="restore-content",
            )
        ),
    )


def deleted_content_section() -> rx.Component:
    return admin_section(
        "Deleted course content",
        "Courses and files their teachers deleted. Restore one before the daily purge "
        "removes its file.",
        "archive-restore",
        form_alert(S.content_error),
        rx.cond(
            S.deleted.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("What"),
                            rx.table.column_header_cell("Title"),
                            rx.table.column_header_cell("Teacher"),
                            rx.table.column_header_cell("Deleted"),
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(rx.foreach(S.deleted, _row)),
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("Nothing deleted.", size="2", color=rx.color("gray", 10)),
        ),
        section_id="admin-deleted-content",
    )
