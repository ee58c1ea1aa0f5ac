"""/courses: a course per teach skill (Udemy-like lesson lists, locked until accepted)."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.forms import field_error
from bartr.components.shell import loading_skeleton, page, page_title
from bartr.state.my_courses import MyCoursesState as S


def _row(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(row.skill_title, weight="bold"),
                rx.cond(
                    row.course_id != 0,
                    rx.text(
                        row.course_title, " · ", row.summary, size="2", color=rx.color("gray", 11)
                    ),
                    rx.text("No course yet", size="2", color=rx.color("gray", 10)),
                ),
                spacing="1",
                min_width="0",
            ),
            rx.cond(
                row.course_id != 0,
                link_button("Open", href=row.url, variant="soft"),
                rx.button(
                    rx.icon("plus", size=14),
                    "Create course",
                    on_click=S.start(row.skill_id, row.skill_title),
                ),
            ),
            justify="between",
            align="center",
            width="100%",
            gap="12px",
        ),
        size="2",
        width="100%",
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New course"),
            rx.dialog.description(
                "Learners see the titles at once; the files open when you accept their request.",
                size="2",
            ),
            rx.vstack(
                rx.text("Title", size="2", weight="medium"),
                rx.input(value=S.f_title, on_change=S.set_f_title, id="new-course-title"),
                rx.text("Description", size="2", weight="medium"),
                rx.text_area(value=S.f_description, on_change=S.set_f_description, rows="3"),
                field_error(S.form_error),
                rx.hstack(
                    rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.close),
                    rx.button("Create course", on_click=S.create, id="create-course"),
                    justify="end",
                    spacing="3",
                ),
                spacing="2",
                margin_top="12px",
            ),
        ),
        open=S.dialog_skill_id != 0,
        on_open_change=lambda _open: S.close(),
    )


@page(routes.COURSES, "Your courses", member_only=True, on_load=[S.load])
def my_courses_page() -> rx.Component:
    return rx.vstack(
        page_title("Your courses", "Share notes and recorded lessons with the people you teach."),
        rx.cond(
            S.loading,
            loading_skeleton(),
            rx.cond(
                S.load_error != "",
                rx.callout(S.load_error, color_scheme="red", width="100%"),
                rx.cond(
                    S.rows.length() > 0,
                    rx.vstack(rx.foreach(S.rows, _row), spacing="3", width="100%"),
                    rx.card(
                        rx.vstack(
                            rx.text("Add a skill you teach first; each one can have a course."),
                            link_button("Add what you teach", href=routes.PROFILE_EDIT),
                            spacing="3",
                            align="center",
                        ),
                        width="100%",
                    ),
                ),
            ),
        ),
        _dialog(),
        spacing="3",
        width="100%",
        max_width="760px",
    )
