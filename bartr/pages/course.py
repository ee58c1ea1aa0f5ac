"""/courses/[course_id]: the lesson list (locked or open), the player / PDF viewer, and for
the teacher the editor: details, upload zone with a progress bar, order, delete."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.forms import field_error, labelled_upload
from bartr.components.safety_menu import report_button, safety_dialogs
from bartr.components.shell import loading_skeleton, page
from bartr.settings import get_settings
from bartr.state.course_page import UPLOAD_ID
from bartr.state.course_page import CoursePageState as S


def _mb(n: int) -> str:
    return f"{n / 1024**3:.0f} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


def _item_row(item: rx.Var, index: rx.Var) -> rx.Component:
    icon = rx.cond(item.kind == "video", "circle-play", "file-text")
    locked = ~S.unlocked
    controls = rx.cond(
        S.is_teacher,
        rx.hstack(
            rx.icon_button(
                rx.icon("arrow-up", size=14),
                variant="ghost",
                size="1",
                aria_label="Move up",
                disabled=index == 0,
                on_click=S.move(item.id, -1),
            ),
            rx.icon_button(
                rx.icon("arrow-down", size=14),
                variant="ghost",
                size="1",
                aria_label="Move down",
                disabled=index == S.items.length() - 1,
                on_click=S.move(item.id, 1),
            ),
            rx.icon_button(
                rx.icon("trash-2", size=14),
                variant="ghost",
                size="1",
                color_scheme="red",
                aria_label="Remove file",
                on_click=S.delete_item(item.id),
            ),
            spacing="1",
        ),
        # Anyone else who sees the list may report an item (#25.1); admins act instead.
        rx.cond(~S.is_admin_view, report_button("course_item", item.id, item.title)),
    )
    return rx.hstack(
        rx.box(
            rx.icon(rx.cond(locked, "lock", icon), size=18),
            color=rx.cond(locked, rx.color("gray", 9), rx.color("accent", 11)),
            display="flex",
        ),
        rx.vstack(
            rx.cond(
                locked,
                rx.text(item.title, weight="medium", size="2", color=rx.color("gray", 10)),
                rx.link(
                    item.title,
                    weight="medium",
                    size="2",
                    on_click=S.open_item(item.id),
                    href="#viewer",
                    class_name="course-item-link",
                ),
            ),
            rx.text(
                rx.cond(item.kind == "video", "Video", "PDF"),
                " · ",
                item.size,
                rx.cond(item.deleted, " · deleted", ""),
                size="1",
                color=rx.color("gray", 10),
            ),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        controls,
        align="center",
        spacing="3",
        width="100%",
        padding="10px 12px",
        border_radius="10px",
        background=rx.cond(item.id == S.current_id, rx.color("accent", 3), "transparent"),
        class_name=rx.cond(locked, "course-item locked", "course-item"),
        data_kind=item.kind,
    )


def _list() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Lessons", size="4", as_="h2"),
                rx.cond(
                    ~S.unlocked,
                    rx.badge(rx.icon("lock", size=12), S.lock_reason, color_scheme="gray"),
                ),
                justify="between",
                width="100%",
                wrap="wrap",
                gap="8px",
            ),
            rx.cond(
                S.items.length() > 0,
                rx.vstack(rx.foreach(S.items, _item_row), spacing="1", width="100%"),
                rx.text(
                    rx.cond(
                        S.is_teacher,
                        "No files yet: add PDF notes or a video below.",
                        "No files yet.",
                    ),
                    size="2",
                    color=rx.color("gray", 10),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
        id="course-items",
    )


def _viewer() -> rx.Component:
    current = S.current
    return rx.cond(
        S.current_id != 0,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(current.title, size="4", as_="h2"),
                    rx.hstack(
                        rx.link("Download", href=current.src + "?download=1", size="2"),
                        rx.icon_button(
                            rx.icon("x", size=14),
                            variant="ghost",
                            aria_label="Close",
                            on_click=S.close_item,
                        ),
                        spacing="3",
                        align="center",
                    ),
                    justify="between",
                    width="100%",
                ),
                rx.cond(
                    current.kind == "video",
                    rx.el.video(
                        src=current.src,
                        controls=True,
                        preload="metadata",
                        width="100%",
                        id="course-video",
                        style={"borderRadius": "12px", "background": "black", "maxHeight": "70vh"},
                    ),
                    rx.el.iframe(
                        src=current.src,
                        title=current.title,
                        id="course-pdf",
                        width="100%",
                        style={
                            "height": "75vh",
                            "border": f"1px solid {rx.color('gray', 6)}",
                            "borderRadius": "12px",
                        },
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            size="2",
            width="100%",
            id="viewer",
        ),
    )


def _upload_zone() -> rx.Component:
    s = get_settings()
    return rx.card(
        rx.vstack(
            rx.heading("Add files", size="4", as_="h2"),
            labelled_upload(
                rx.vstack(
                    rx.icon("upload", size=22, color=rx.color("gray", 10)),
                    rx.text("Drop PDF notes or MP4 / WebM videos here, or click to choose."),
                    rx.text(
                        f"PDF up to {_mb(s.course_pdf_max_bytes)}, "
                        f"video up to {_mb(s.course_video_max_bytes)}.",
                        size="1",
                        color=rx.color("gray", 10),
                    ),
                    align="center",
                    spacing="2",
                ),
                label="Choose PDF notes or videos to add",
                id=UPLOAD_ID,
                multiple=True,
                accept={
                    "application/pdf": [".pdf"],
                    "video/mp4": [".mp4"],
                    "video/webm": [".webm"],
                },
                max_size=s.course_video_max_bytes,
                disabled=S.uploading,
                on_drop=S.upload(
                    rx.upload_files_chunk(upload_id=UPLOAD_ID, on_upload_progress=S.on_progress)
                ),
                on_drop_rejected=S.upload_rejected,
                border=f"2px dashed {rx.color('gray', 7)}",
                border_radius="12px",
                padding="24px",
                width="100%",
                cursor="pointer",
            ),
            rx.cond(
                S.uploading,
                rx.vstack(
                    rx.progress(
                        value=S.upload_progress, max=100, width="100%", id="upload-progress"
                    ),
                    rx.text("Uploading… ", S.upload_progress, "%", size="1"),
                    width="100%",
                    spacing="1",
                ),
            ),
            field_error(S.upload_error),
            rx.cond(
                S.upload_note != "", rx.text(S.upload_note, size="2", color=rx.color("green", 11))
            ),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
    )


def _details_editor() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Course details", size="4", as_="h2"),
            rx.text("Title", size="2", weight="medium"),
            rx.input(value=S.f_title, on_change=S.set_f_title, id="course-title", width="100%"),
            rx.text("Description", size="2", weight="medium"),
            rx.text_area(
                value=S.f_description, on_change=S.set_f_description, rows="3", width="100%"
            ),
            field_error(S.form_error),
            rx.hstack(
                rx.button("Save", on_click=S.save_details),
                rx.alert_dialog.root(
                    rx.alert_dialog.trigger(
                        rx.button("Delete course", variant="soft", color_scheme="red")
                    ),
                    rx.alert_dialog.content(
                        rx.alert_dialog.title("Delete this course?"),
                        rx.alert_dialog.description(
                            "It disappears at once for you and your learners. Its files are "
                            "kept for a while, and an admin can restore it."
                        ),
                        rx.hstack(
                            rx.alert_dialog.cancel(rx.button("Keep it", variant="soft")),
                            rx.alert_dialog.action(
                                rx.button("Delete", color_scheme="red", on_click=S.delete_course)
                            ),
                            justify="end",
                            spacing="3",
                            margin_top="16px",
                        ),
                    ),
                ),
                spacing="3",
            ),
            spacing="2",
            width="100%",
        ),
        size="2",
        width="100%",
    )


def _learner_card() -> rx.Component:
    """Beside the material of an unlocked course: the way back to its teacher."""
    return rx.card(
        rx.vstack(
            rx.heading("Questions about the material?", size="3", as_="h2"),
            rx.text(
                S.teacher_name,
                " answers in your conversation; book another session from their profile.",
                size="2",
                color=rx.color("gray", 11),
            ),
            link_button(
                rx.icon("message-circle", size=16),
                rx.text("Message ", S.teacher_name),
                href=S.message_url,
                variant="soft",
                id="course-message-teacher",
            ),
            rx.link("See the teacher's profile", href=S.teacher_url, size="2"),
            spacing="3",
        ),
        size="2",
        width="100%",
    )


def _content() -> rx.Component:
    header = rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("By ", S.teacher_name), spacing="1"),
            href=S.teacher_url,
            color=rx.color("gray", 11),
            underline="none",
            size="2",
        ),
        rx.heading(S.title, size="7", weight="bold", as_="h1"),
        rx.text(S.skill_title, size="3", color=rx.color("gray", 11)),
        rx.cond(S.description != "", rx.text(S.description, size="2")),
        rx.cond(
            S.deleted,
            rx.callout("This course is deleted; only admins see it.", color_scheme="red"),
        ),
        spacing="2",
        margin_bottom="24px",
    )
    side = rx.cond(
        S.is_teacher,
        rx.vstack(_upload_zone(), _details_editor(), spacing="4", width="100%"),
        rx.cond(
            ~S.unlocked,
            rx.card(
                rx.vstack(
                    rx.icon("lock", size=22, color=rx.color("gray", 10)),
                    rx.text(S.lock_reason, weight="medium"),
                    rx.text(
                        "The lessons open to learners whose request the teacher accepted.",
                        size="2",
                        color=rx.color("gray", 10),
                    ),
                    link_button("See the teacher's profile", href=S.teacher_url, variant="soft"),
                    spacing="2",
                ),
                size="2",
                width="100%",
            ),
            _learner_card(),
        ),
    )
    return rx.vstack(
        header,
        rx.grid(
            rx.vstack(_viewer(), _list(), spacing="4", width="100%", min_width="0"),
            side,
            columns=rx.breakpoints(initial="1", md="minmax(0, 1fr) 340px"),
            gap="24px",
            width="100%",
        ),
        spacing="0",
        width="100%",
    )


def _not_found() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("book-x", size=28, color=rx.color("gray", 9)),
            rx.text(S.load_error, weight="medium"),
            link_button("Go to the marketplace", href=routes.MARKETPLACE, variant="soft"),
            align="center",
            spacing="3",
            padding_y="40px",
        ),
        width="100%",
        role="alert",
    )


@page(routes.COURSE_PATTERN, "Course", member_only=True, on_load=[S.load])
def course_page() -> rx.Component:
    return rx.cond(
        S.loading,
        loading_skeleton(),
        rx.cond(S.load_error != "", _not_found(), rx.fragment(_content(), safety_dialogs())),
    )
