"""Forgot password, choose a new password, and the outcome of an email verification link."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.forms import centered_card, form_alert, native_form, text_field
from bartr.components.shell import page
from bartr.state.account_email import ForgotPasswordState, ResetPasswordState, VerifyEmailState
from bartr.state.email_prefs import UnsubscribeState

MUTED = rx.color("gray", 11)


def _heading(title: str, subtitle: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="7", as_="h1"),
        rx.text(subtitle, color=MUTED),
        spacing="2",
    )


@page(routes.FORGOT_PASSWORD, "Forgot password", on_load=[ForgotPasswordState.load])
def forgot_password_page() -> rx.Component:
    return centered_card(
        _heading(
            "Forgot your password?",
            "Enter the email you signed up with and we'll send you a link to choose a new one.",
        ),
        rx.cond(
            ForgotPasswordState.sent,
            rx.callout(
                "If an account uses that address, a link is on its way. It works once, for "
                "30 minutes. Nothing arrived after a few minutes? Check the spam folder, or "
                "make sure you typed the address you signed up with.",
                icon="mail-check",
                color_scheme="green",
                id="reset-sent",
                role="status",
            ),
            rx.fragment(
                form_alert(ForgotPasswordState.form_error),
                rx.form(
                    rx.vstack(
                        text_field(
                            "Email",
                            "email",
                            rx.Var.create({}),
                            type="email",
                            autocomplete="email",
                            placeholder="you@example.com",
                            required=True,
                        ),
                        # Enabled once the page has hydrated: a click before that would submit the
                        # form natively (a GET with the address in the URL) and do nothing else.
                        rx.button(
                            "Send me a link",
                            type="submit",
                            size="3",
                            width="100%",
                            disabled=~rx.State.is_hydrated,
                        ),
                        spacing="4",
                        width="100%",
                    ),
                    on_submit=ForgotPasswordState.submit,
                    reset_on_submit=False,
                    width="100%",
                ),
            ),
        ),
        rx.text("Remembered it? ", rx.link("Log in", href=routes.LOGIN), size="2", align="center"),
    )


def _password_input(label: str, name: str, hint: str | None = None) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=name),
        rx.input(
            name=name,
            id=name,
            type="password",
            auto_complete="new-password",
            size="3",
            width="100%",
            required=True,
            min_length=10,
            max_length=1024,
        ),
        rx.cond(hint is not None, rx.text(hint or "", size="1", color=rx.color("gray", 10))),
        spacing="1",
        width="100%",
    )


@page(routes.RESET_PASSWORD, "Choose a new password", on_load=[ResetPasswordState.load])
def reset_password_page() -> rx.Component:
    # A plain HTML form: it posts to /api/password-reset, where the link's token waits in
    # an HttpOnly cookie (never in this page or its state).
    return centered_card(
        _heading(
            "Choose a new password",
            "After this, your account is logged out everywhere; log in again with the new one.",
        ),
        form_alert(ResetPasswordState.error),
        native_form(
            rx.vstack(
                _password_input(
                    "New password", "password", "At least 10 characters. A short phrase works well."
                ),
                _password_input("New password, again", "password_again"),
                rx.button("Save new password", type="submit", size="3", width="100%"),
                spacing="4",
                width="100%",
            ),
            action=routes.API_PASSWORD_RESET,
            method="post",
            width="100%",
        ),
        rx.text(
            "Link expired? ",
            rx.link("Ask for a new one", href=routes.FORGOT_PASSWORD),
            size="2",
            align="center",
        ),
    )


def _outcome(icon: str, tone: str, title: str, text: str, *actions: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.center(
            rx.icon(icon, size=28, color=rx.color(tone, 11)),  # type: ignore[arg-type]
            background=rx.color(tone, 3),  # type: ignore[arg-type]
            border_radius="9999px",
            width="56px",
            height="56px",
        ),
        rx.heading(title, size="6", as_="h1"),
        rx.text(text, color=MUTED),
        rx.hstack(*actions, spacing="3", wrap="wrap"),
        spacing="3",
        align="start",
    )


@page(routes.VERIFY_EMAIL, "Confirm your email", on_load=[VerifyEmailState.load])
def verify_email_page() -> rx.Component:
    go_on = rx.cond(
        VerifyEmailState.logged_in,
        rx.link(rx.button("Continue", size="3"), href=routes.HOME),
        rx.link(rx.button("Log in", size="3"), href=routes.LOGIN),
    )
    return centered_card(
        rx.match(
            VerifyEmailState.outcome,
            (
                "ok",
                _outcome(
                    "mail-check",
                    "green",
                    "Your email is confirmed",
                    "Thank you. If a friend invited you, they get their invite reward once "
                    "you have also finished setting up your profile.",
                    go_on,
                ),
            ),
            (
                "error",
                _outcome(
                    "triangle-alert",
                    "amber",
                    "Something went wrong on our side",
                    "Nothing was changed. Open the link again in a moment.",
                    go_on,
                ),
            ),
            _outcome(
                "link-2-off",
                "red",
                "This link doesn't work any more",
                "It has expired or was already used. Log in and use “Send the link again” in "
                "the banner at the top of the page to get a fresh one.",
                go_on,
            ),
        ),
    )


@page(routes.UNSUBSCRIBE, "Unsubscribe", on_load=[UnsubscribeState.load])
def unsubscribe_page() -> rx.Component:
    settings_link = rx.link(
        rx.button("Email settings", size="3", variant="soft"), href=routes.SETTINGS
    )
    return centered_card(
        rx.cond(
            UnsubscribeState.error != "",
            _outcome(
                "link-2-off", "red", "We couldn't unsubscribe you", UnsubscribeState.error,
                settings_link,
            ),
            rx.cond(
                UnsubscribeState.undone,
                _outcome(
                    "mail-check", "green", "You're subscribed again",
                    "You'll get " + UnsubscribeState.what + " again.", settings_link,
                ),
                rx.cond(
                    UnsubscribeState.done,
                    _outcome(
                        "mail-x", "accent", "You're unsubscribed",
                        "We won't send you " + UnsubscribeState.what
                        + " any more. It still shows in your notification centre.",
                        rx.button(
                            "Undo", size="3", on_click=UnsubscribeState.undo, id="unsubscribe-undo"
                        ),
                        settings_link,
                    ),
                    rx.skeleton(height="120px", width="100%"),
                ),
            ),
        ),
    )  # fmt: skip
