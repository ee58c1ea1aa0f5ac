"""Admin page sections: category taxonomy and open disputes."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.forms import form_alert
from bartr.components.section_card import section_card
from bartr.state.admin_moderation import AdminModerationState as S


def admin_section(
    title: str, description: str, icon: str, *children: rx.Component, section_id: str
) -> rx.Component:
    """The card every admin section sits in: an icon, a title, one line of what it is for."""
    return section_card(title, *children, description=description, icon=icon, id=section_id)


def _category_row(c: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.input(
                default_value=c["name"].to(str),
                on_blur=lambda v: S.rename_category(c["id"].to(int), v),
                size="2",
                aria_label="Category name",
            )
        ),
        rx.table.cell(rx.code(c["slug"].to(str))),
        rx.table.cell(
            rx.switch(
                checked=c["active"].to(bool),
                on_change=lambda v: S.toggle_category(c["id"].to(int), v),
                aria_label="Category shown in the marketplace",
            )
        ),
    )


def categories_section() -> rx.Component:
    return admin_section(
        "Categories",
        "Rename a category by editing its name (links keep the slug); switch one off to hide "
        "it from new skills and filters.",
        "tags",
        rx.vstack(
            form_alert(S.category_error),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Name"),
                        rx.table.column_header_cell("Slug"),
                        rx.table.column_header_cell("Shown"),
                    )
                ),
                rx.table.body(rx.foreach(S.categories, _category_row)),
                width="100%",
                variant="surface",
            ),
            rx.hstack(
                rx.input(
                    placeholder="New category name",
                    value=S.new_category,
                    on_change=S.set_new_category,
                    width="100%",
                    aria_label="New category name",
                ),
                rx.button("Add category", on_click=S.add_category),
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        section_id="admin-categories",
    )


def _dispute_row(d: rx.Var) -> rx.Component:
    sid = d["id"].to(int)
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(
                    rx.text("#", d["id"].to(str), " · ", d["title"].to(str), weight="medium"),
                    href=routes.session(d["id"].to(str)),
                ),
                rx.spacer(),
                rx.badge("Disputed", color_scheme="red"),
                width="100%",
            ),
            rx.text(
                d["learner"].to(str),
                " learned from ",
                d["teacher"].to(str),
                " · ",
                d["cost"].to(str),
                " credits held · disputed by ",
                d["by"].to(str),
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.hstack(
                rx.button("Pay the teacher", size="1", on_click=S.resolve(sid, "teacher")),
                rx.button(
                    "Refund the learner",
                    size="1",
                    variant="soft",
                    on_click=S.resolve(sid, "learner"),
                ),
                rx.button(
                    "Split half-half", size="1", variant="outline", on_click=S.resolve(sid, "split")
                ),
                spacing="2",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def disputes_section() -> rx.Component:
    return admin_section(
        "Open disputes",
        "Credits of a disputed session stay held until you decide who gets them.",
        "scale",
        rx.vstack(
            form_alert(S.dispute_error),
            rx.cond(
                S.disputes.length() > 0,
                rx.vstack(rx.foreach(S.disputes, _dispute_row), spacing="3", width="100%"),
                rx.text(
                    "No open disputes. Credits of disputed sessions wait here for a decision.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        section_id="admin-disputes",
    )
