"""/profile: edit what others see — about you, photo, skills, weekly availability."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.chips import language_chip, removable_tags, skill_chips
from bartr.components.forms import field_error, form_alert, labelled_upload, timezone_select
from bartr.components.section_card import section_card
from bartr.components.shell import page, page_title
from bartr.components.trust_section import trust_section
from bartr.state.profile_edit import AvailabilityEditorState as A
from bartr.state.profile_edit import ProfileEditState as P
from bartr.state.profile_edit import SkillEditorState as K
from bartr.state.trust_editor import TrustEditorState

AVATAR_TYPES = {"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"], "image/webp": [".webp"]}
AVATAR_TYPES["image/gif"] = [".gif"]


def _label(text: str, html_for: str) -> rx.Component:
    return rx.el.label(rx.text(text, size="2", weight="medium"), html_for=html_for)


def _error(errors: rx.Var, name: str) -> rx.Component:
    return field_error(errors.get(name, "").to(str))


def _section(title: str, subtitle: str, *children: rx.Component, id_: str) -> rx.Component:
    return section_card(
        title,
        *children,
        description=subtitle,
        title_size="5",
        size=rx.breakpoints(initial="2", sm="4"),
        id=id_,
    )


# --- about you ------------------------------------------------------------------------


def _language_chip(name: rx.Var) -> rx.Component:
    return language_chip(
        name, selected=P.languages.contains(name), on_toggle=P.toggle_language(name)
    )


def _avatar_block() -> rx.Component:
    return rx.hstack(
        rx.avatar(src=P.avatar_url, fallback=P.initials, size="7", radius="full", alt="Your photo"),
        rx.vstack(
            labelled_upload(
                rx.button(
                    rx.icon("image-up", size=16),
                    "Change photo",
                    variant="soft",
                    type="button",
                ),
                label="Choose a new photo",
                id="avatar",
                accept=AVATAR_TYPES,
                multiple=False,
                max_files=1,
                on_drop=P.upload_avatar(rx.upload_files(upload_id="avatar")),
                on_drop_rejected=P.set_avatar_rejected,
                border="none",
                padding="0",
            ),
            rx.text("PNG, JPEG, WebP or GIF, up to 2 MB.", size="1", color=rx.color("gray", 10)),
            field_error(P.avatar_error),
            spacing="2",
        ),
        spacing="5",
        align="center",
        wrap="wrap",
    )


def _about() -> rx.Component:
    return _section(
        "About you",
        "Your name, photo and languages appear on your skill cards.",
        _avatar_block(),
        form_alert(P.form_error),
        rx.vstack(
            _label("Display name", "display_name"),
            rx.input(
                id="display_name",
                value=P.display_name,
                on_change=P.set_display_name,
                max_length=60,
                size="3",
                width="100%",
                auto_complete="name",
            ),
            _error(P.errors, "display_name"),
            spacing="1",
            width="100%",
        ),
        rx.vstack(
            _label("Bio", "bio"),
            rx.text_area(
                id="bio",
                value=P.bio,
                on_change=P.set_bio,
                rows="4",
                width="100%",
                max_length=2000,
                placeholder="What do you love teaching? What are you curious about?",
            ),
            _error(P.errors, "bio"),
            spacing="1",
            width="100%",
        ),
        rx.vstack(
            rx.text("Languages you speak", size="2", weight="medium"),
            rx.flex(rx.foreach(P.language_options, _language_chip), wrap="wrap", spacing="2"),
            _error(P.errors, "languages"),
            spacing="2",
            width="100%",
        ),
        rx.vstack(
            _label("Time zone", "timezone"),
            timezone_select(P.timezone_options, value=P.timezone, on_change=P.set_timezone),
            rx.text(
                "Your free times stay at the same local hours if you change it.",
                size="1",
                color=rx.color("gray", 10),
            ),
            _error(P.errors, "timezone"),
            spacing="1",
            width="100%",
        ),
        rx.hstack(
            rx.button("Save profile", on_click=P.save, size="3", id="profile-save"),
            justify="end",
            width="100%",
        ),
        id_="about",
    )


# --- skills ---------------------------------------------------------------------------


def _skill_row(skill: rx.Var) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(skill.title, weight="bold", size="3"),
            skill_chips(skill.level, skill.category, skill.tags),
            spacing="2",
            flex="1",
            min_width="0",
        ),
        rx.hstack(
            rx.button(
                rx.icon("pencil", size=14),
                "Edit",
                size="2",
                variant="soft",
                color_scheme="gray",
                on_click=K.open_edit(skill.id),
                aria_label="Edit " + skill.title,
            ),
            rx.icon_button(
                rx.icon("trash-2", size=14),
                size="2",
                variant="soft",
                color_scheme="red",
                on_click=K.ask_remove(skill.id, skill.title),
                aria_label="Remove " + skill.title,
            ),
            spacing="2",
            flex_shrink="0",
        ),
        spacing="3",
        align="center",
        padding_y="12px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        class_name="skill-row",
    )


def skills_section(
    title: str, subtitle: str, skills: rx.Var, kind: str, empty: str
) -> rx.Component:
    add_label = "Add a skill you teach" if kind == "teach" else "Add something to learn"
    return _section(
        title,
        subtitle,
        rx.cond(
            K.load_error != "",
            form_alert(K.load_error),
            rx.cond(
                ~K.loaded,
                rx.vstack(
                    rx.skeleton(rx.box(height="44px", width="100%")),
                    rx.skeleton(rx.box(height="44px", width="100%")),
                    spacing="3",
                    width="100%",
                ),
                rx.cond(
                    skills.length() > 0,
                    rx.vstack(rx.foreach(skills, _skill_row), spacing="0", width="100%"),
                    rx.center(
                        rx.text(empty, size="2", color=rx.color("gray", 10)),
                        padding_y="16px",
                        width="100%",
                        border=f"1px dashed {rx.color('gray', 6)}",
                        border_radius="12px",
                    ),
                ),
            ),
        ),
        rx.button(
            rx.icon("plus", size=16),
            add_label,
            variant="soft",
            on_click=K.open_new(kind),
            id=f"add-{kind}",
        ),
        id_=f"skills-{kind}",
    )


def _skill_select(label: str, id_: str, options: rx.Var, value: rx.Var, on_change) -> rx.Component:
    return rx.vstack(
        _label(label, id_),
        rx.select.root(
            rx.select.trigger(id=id_, width="100%", placeholder=f"Choose a {label.lower()}"),
            rx.select.content(
                rx.foreach(options, lambda o: rx.select.item(o.label, value=o.value)),
            ),
            value=value,
            on_change=on_change,
        ),
        _error(K.errors, label.lower()),
        spacing="1",
        width="100%",
    )


def _tags_editor() -> rx.Component:
    return rx.vstack(
        _label("Tags", "skill-tags"),
        removable_tags(K.f_tags, K.remove_tag),
        rx.debounce_input(
            rx.input(
                id="skill-tags",
                value=K.tag_draft,
                on_change=K.set_tag_draft,
                on_key_down=K.tag_key,
                placeholder="e.g. conversation, jazz — press Enter after each",
                width="100%",
                max_length=31,
            ),
            debounce_timeout=200,
        ),
        rx.cond(
            K.tag_suggestions.length() > 0,
            rx.flex(
                rx.text("Suggestions:", size="1", color=rx.color("gray", 10)),
                rx.foreach(
                    K.tag_suggestions,
                    lambda t: rx.button(
                        "+ ", t, size="1", variant="outline", radius="full", on_click=K.add_tag(t)
                    ),
                ),
                spacing="1",
                wrap="wrap",
                align="center",
            ),
        ),
        _error(K.errors, "tags"),
        spacing="2",
        width="100%",
    )


def skill_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(
                    K.editing_id != 0,
                    "Edit skill",
                    rx.cond(K.kind == "teach", "Add a skill you teach", "Add something to learn"),
                )
            ),
            rx.dialog.description(
                rx.cond(
                    K.kind == "teach",
                    "Learners find it in the marketplace by its title, category and tags.",
                    "We use it to suggest people who teach it.",
                ),
                size="2",
                color=rx.color("gray", 11),
                margin_bottom="16px",
            ),
            rx.vstack(
                form_alert(K.form_error),
                rx.vstack(
                    _label("Title", "skill-title"),
                    rx.input(
                        id="skill-title",
                        value=K.f_title,
                        on_change=K.set_f_title,
                        placeholder="e.g. Spanish conversation",
                        max_length=80,
                        width="100%",
                    ),
                    _error(K.errors, "title"),
                    spacing="1",
                    width="100%",
                ),
                rx.grid(
                    _skill_select(
                        "Category",
                        "skill-category",
                        K.category_options,
                        K.f_category,
                        K.set_f_category,
                    ),
                    _skill_select(
                        "Level", "skill-level", K.level_options, K.f_level, K.set_f_level
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                _tags_editor(),
                rx.vstack(
                    _label("Description (optional)", "skill-description"),
                    rx.text_area(
                        id="skill-description",
                        value=K.f_description,
                        on_change=K.set_f_description,
                        rows="3",
                        width="100%",
                        max_length=2000,
                        placeholder="What will a session with you look like?",
                    ),
                    _error(K.errors, "description"),
                    spacing="1",
                    width="100%",
                ),
                rx.hstack(
                    rx.dialog.close(
                        rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                    ),
                    rx.button("Save skill", on_click=K.save, id="skill-save"),
                    justify="end",
                    spacing="3",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            max_width="520px",
        ),
        open=K.dialog_open,
        on_open_change=K.set_dialog_open,
    )


def remove_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove this skill?"),
            rx.alert_dialog.description(
                "“",
                K.confirm_title,
                "” will no longer show on your profile or in the marketplace.",
                " Past sessions keep it.",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Keep it", variant="soft", color_scheme="gray", on_click=K.cancel_remove
                    )
                ),
                rx.alert_dialog.action(
                    rx.button("Remove", color_scheme="red", on_click=K.remove, id="confirm-remove")
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="420px",
        ),
        open=K.confirm_id != 0,
        on_open_change=K.set_confirm_open,
    )


# --- availability ---------------------------------------------------------------------


def _time_select(value: rx.Var, options: rx.Var, on_change, label: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=label),
        rx.select.content(rx.foreach(options, lambda t: rx.select.item(t, value=t))),
        value=value,
        on_change=on_change,
        size="2",
    )


def _window_row(row: rx.Var) -> rx.Component:
    return rx.hstack(
        _time_select(row.start, A.start_options, lambda v: A.set_start(row.key, v), "Start time"),
        rx.text("to", size="2", color=rx.color("gray", 10)),
        _time_select(row.end, A.end_options, lambda v: A.set_end(row.key, v), "End time"),
        rx.icon_button(
            rx.icon("x", size=14),
            size="2",
            variant="ghost",
            color_scheme="gray",
            on_click=A.remove_window(row.key),
            aria_label="Remove this time",
        ),
        spacing="2",
        align="center",
        class_name="window-row",
    )


def _add_time(day: rx.Var, display: rx.Breakpoints) -> rx.Component:
    return rx.button(
        rx.icon("plus", size=14),
        "Add time",
        size="1",
        variant="ghost",
        on_click=A.add_window(day.weekday),
        aria_label="Add a time on " + day.name,
        flex_shrink="0",
        display=display,
    )


def _edit_day(day: rx.Var) -> rx.Component:
    """Desktop: name | windows | add. Phone: name and add on one line, windows below."""
    return rx.flex(
        rx.hstack(
            rx.text(day.name, size="2", weight="medium"),
            rx.spacer(),
            _add_time(day, rx.breakpoints(initial="flex", sm="none")),
            width=rx.breakpoints(initial="100%", sm="100px"),
            flex_shrink="0",
            align="center",
        ),
        rx.vstack(
            rx.cond(
                day.rows.length() > 0,
                rx.foreach(day.rows, _window_row),
                rx.text("Not available", size="2", color=rx.color("gray", 9)),
            ),
            spacing="2",
            flex="1",
        ),
        _add_time(day, rx.breakpoints(initial="none", sm="flex")),
        spacing=rx.breakpoints(initial="2", sm="3"),
        align=rx.breakpoints(initial="start", sm="center"),
        direction=rx.breakpoints(initial="column", sm="row"),
        padding_y="10px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        class_name="edit-day",
    )


def availability_section() -> rx.Component:
    return _section(
        "When you're free",
        "Learners can only request times inside these weekly windows.",
        rx.cond(
            A.loaded,
            rx.vstack(rx.foreach(A.days, _edit_day), spacing="0", width="100%"),
            rx.vstack(
                *[rx.skeleton(rx.box(height="32px", width="100%")) for _ in range(4)],
                spacing="3",
                width="100%",
            ),
        ),
        rx.cond(
            A.error != "",
            rx.callout(
                A.error, icon="triangle-alert", color_scheme="red", role="alert", width="100%"
            ),
        ),
        rx.flex(
            rx.hstack(
                rx.icon("globe", size=14, color=rx.color("gray", 10)),
                rx.text("Times in your zone: ", A.zone, size="1", color=rx.color("gray", 10)),
                spacing="1",
                align="center",
            ),
            rx.hstack(
                rx.cond(A.dirty, rx.text("Unsaved changes", size="1", color=rx.color("amber", 11))),
                rx.button("Save availability", on_click=A.save, size="3", id="availability-save"),
                spacing="3",
                align="center",
            ),
            justify="between",
            align="center",
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        id_="availability",
    )


def teach_section() -> rx.Component:
    return skills_section(
        "What you teach",
        "Each hour you teach earns one credit.",
        K.teaches,
        "teach",
        "You don't teach anything yet. Add your first skill below.",
    )


def learn_section() -> rx.Component:
    return skills_section(
        "What you want to learn",
        "We match you with people who teach it, and find swaps.",
        K.learns,
        "learn",
        "Nothing here yet. What are you curious about?",
    )


def _unsaved_bar() -> rx.Component:
    """Stays in sight while availability edits are unsaved: leaving would silently drop them."""
    return rx.cond(
        A.dirty,
        rx.card(
            rx.flex(
                rx.hstack(
                    rx.icon("circle-alert", size=16, color=rx.color("amber", 11)),
                    rx.text("Your availability has unsaved changes.", size="2", weight="medium"),
                    spacing="2",
                    align="center",
                ),
                rx.hstack(
                    rx.button("Discard", on_click=A.discard, variant="soft", color_scheme="gray"),
                    rx.button("Save now", on_click=A.save, id="unsaved-save"),
                    spacing="2",
                ),
                justify="between",
                align="center",
                gap="12px",
                wrap="wrap",
            ),
            id="unsaved-bar",
            role="status",
            position="sticky",
            bottom="16px",
            width="100%",
            z_index="10",
            box_shadow="0 8px 24px rgba(0,0,0,0.12)",
        ),
    )


@page(
    routes.PROFILE_EDIT,
    "Your profile",
    member_only=True,
    on_load=[P.load, K.load, A.load, TrustEditorState.load],
)
def profile_edit_page() -> rx.Component:
    return rx.vstack(
        rx.flex(
            page_title("Your profile", "What the community sees when they find you."),
            link_button(
                rx.icon("external-link", size=14),
                "View public profile",
                href=P.public_url,
                variant="soft",
                color_scheme="gray",
            ),
            justify="between",
            align="start",
            wrap="wrap",
            spacing="3",
            width="100%",
        ),
        _about(),
        trust_section(),
        teach_section(),
        learn_section(),
        availability_section(),
        _unsaved_bar(),
        skill_dialog(),
        remove_dialog(),
        spacing="5",
        width="100%",
        max_width="800px",
        margin_x="auto",
    )
