"""Form pieces: a labelled field with its error beside it, a form-level alert."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.components.el.elements.base import BaseHTML


def field_error(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.hstack(
            rx.icon("circle-alert", size=12, flex_shrink="0"),
            rx.text(message, size="1"),
            spacing="1",
            align="center",
            color=rx.color("red", 11),
            role="alert",
        ),
    )


def text_field(
    label: str,
    name: str,
    errors: rx.Var,
    *,
    type: str = "text",
    placeholder: str = "",
    autocomplete: str | None = None,
    hint: str | None = None,
    **props: Any,
) -> rx.Component:
    error = errors.get(name, "").to(str)  # type: ignore[attr-defined]
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=name),
        rx.input(
            name=name,
            id=name,
            type=type,
            placeholder=placeholder,
            auto_complete=autocomplete,
            size="3",
            width="100%",
            color_scheme=rx.cond(error != "", "red", "gray"),
            aria_invalid=rx.cond(error != "", "true", "false"),
            **props,
        ),
        rx.cond(
            hint is not None and error == "",
            rx.text(hint or "", size="1", color=rx.color("gray", 10)),
        )
        if hint
        else rx.fragment(),
        field_error(error),
        spacing="1",
        width="100%",
        align="stretch",
    )


def form_alert(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
    )


def centered_card(*children: rx.Component, max_width: str = "440px") -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(*children, spacing="5", width="100%", align="stretch"),
            size="4",
            width="100%",
            max_width=max_width,
        ),
        padding_y="32px",
        width="100%",
    )


def timezone_select(options: rx.Var, *, value: rx.Var, on_change: Any) -> rx.Component:
    """The IANA zone picker used by onboarding and the profile editor."""
    return rx.select.root(
        rx.select.trigger(id="timezone", placeholder="Choose your time zone", width="100%"),
        rx.select.content(rx.foreach(options, lambda zone: rx.select.item(zone, value=zone))),
        value=value,
        on_change=on_change,
        name="timezone",
    )


class NativeForm(BaseHTML):
    """A form the browser submits itself, with no Reflex submit handler (`rx.el.form` always
    adds one that prevents the default): for posting to an /api route that answers 303."""

    tag = "form"
    action: rx.Var[str]
    method: rx.Var[str]


native_form = NativeForm.create


def labelled_upload(*children: rx.Component, label: str, **props: Any) -> rx.Component:
    """`rx.upload.root` whose hidden file input has an accessible name.

    Reflex builds the `<input type="file">` itself, with no way to pass it attributes; a
    screen reader would announce an unnamed "file upload" control (axe: `label`).
    """
    upload = rx.upload.root(*children, **props)
    zone = upload.children[0]
    file_input = zone.children[0]
    file_input.custom_attrs["aria-label"] = label
    return upload
