"""Sign up, log in and onboarding."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.forms import centered_card, field_error, form_alert, text_field
from bartr.components.shell import page
from bartr.state.account_forms import LoginState, OnboardingState, SignupState


@page(routes.SIGNUP, "Join", on_load=[SignupState.load])
def signup_page() -> rx.Component:
    return centered_card(
        rx.vstack(
            rx.heading("Join BARTR", size="7"),
            rx.text(
                "Teach what you know. Learn what you love. One hour = one credit.",
                color=rx.color("gray", 11),
            ),
            spacing="2",
        ),
        rx.cond(
            SignupState.inviter_name != "",
            rx.callout(
                rx.text(
                    "Invited by ",
                    rx.text.strong(SignupState.inviter_name),
                    ": you both gain credits once you finish setting up.",
                ),
                icon="gift",
                color_scheme="green",
            ),
        ),
        form_alert(SignupState.form_error),
        rx.form(
            rx.vstack(
                text_field(
                    "Display name",
                    "display_name",
                    SignupState.errors,
                    placeholder="Maya Lopez",
                    autocomplete="name",
                    max_length=60,
                ),
                text_field(
                    "Email",
                    "email",
                    SignupState.errors,
                    type="email",
                    placeholder="you@example.com",
                    autocomplete="email",
                ),
                text_field(
                    "Password",
                    "password",
                    SignupState.errors,
                    type="password",
                    autocomplete="new-password",
                    hint="At least 10 characters. A short phrase works well.",
                ),
                rx.button("Create account", type="submit", size="3", width="100%"),
                spacing="4",
                width="100%",
            ),
            on_submit=SignupState.submit,
            reset_on_submit=False,
            width="100%",
        ),
        rx.text(
            "Already a member? ", rx.link("Log in", href=routes.LOGIN), size="2", align="center"
        ),
    )


@page(routes.LOGIN, "Log in", on_load=[LoginState.load])
def login_page() -> rx.Component:
    return centered_card(
        rx.vstack(
            rx.heading("Welcome back", size="7"),
            rx.text("Log in to your BARTR account.", color=rx.color("gray", 11)),
            spacing="2",
        ),
        form_alert(LoginState.form_error),
        rx.form(
            rx.vstack(
                text_field("Email", "email", rx.Var.create({}), type="email", autocomplete="email"),
                text_field(
                    "Password",
                    "password",
                    rx.Var.create({}),
                    type="password",
                    autocomplete="current-password",
                ),
                rx.button("Log in", type="submit", size="3", width="100%"),
                spacing="4",
                width="100%",
            ),
            on_submit=LoginState.submit,
            reset_on_submit=False,
            width="100%",
        ),
        rx.text(
            "New here? ", rx.link("Create an account", href=routes.SIGNUP), size="2", align="center"
        ),
    )


def _language_chip(name: rx.Var) -> rx.Component:
    selected = OnboardingState.languages.contains(name)
    return rx.button(
        rx.cond(selected, rx.icon("check", size=12), rx.fragment()),
        name,
        type="button",
        size="1",
        radius="full",
        variant=rx.cond(selected, "solid", "outline"),
        color_scheme=rx.cond(selected, "teal", "gray"),
        on_click=OnboardingState.toggle_language(name),
        aria_pressed=rx.cond(selected, "true", "false"),
    )


def _about_you() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.el.label(rx.text("About you", size="2", weight="medium"), html_for="bio"),
            rx.text_area(
                id="bio",
                value=OnboardingState.bio,
                on_change=OnboardingState.set_bio,
                placeholder="What do you love teaching? What are you curious about?",
                rows="4",
                width="100%",
                max_length=2000,
            ),
            field_error(OnboardingState.errors.get("bio", "").to(str)),
            spacing="1",
            width="100%",
        ),
        rx.vstack(
            rx.text("Languages you speak", size="2", weight="medium"),
            rx.flex(
                rx.foreach(OnboardingState.language_options, _language_chip), wrap="wrap", spacing="2"
            ),
            field_error(OnboardingState.errors.get("languages", "").to(str)),
            spacing="2",
            width="100%",
        ),
        rx.vstack(
            rx.el.label(rx.text("Your time zone", size="2", weight="medium"), html_for="timezone"),
            rx.select(
                OnboardingState.timezone_options,
                value=OnboardingState.timezone,
                on_change=OnboardingState.set_timezone,
                placeholder="Choose your time zone",
                id="timezone",
                name="timezone",
                width="100%",
            ),
            rx.text(
                "Session times are always shown in your time zone.",
                size="1",
                color=rx.color("gray", 10),
            ),
            field_error(OnboardingState.errors.get("timezone", "").to(str)),
            spacing="1",
            width="100%",
        ),
        spacing="5",
        width="100%",
    )


@page(routes.ONBOARDING, "Welcome", member_only=True, on_load=[OnboardingState.load])
def onboarding_page() -> rx.Component:
    return centered_card(
        rx.cond(
            OnboardingState.done,
            rx.vstack(
                rx.icon("party-popper", size=40, color=rx.color("accent", 9)),
                rx.heading("You're all set", size="6"),
                rx.cond(
                    OnboardingState.granted_label != "",
                    rx.text(
                        "We added ",
                        rx.text.strong(OnboardingState.granted_label, " welcome credits"),
                        " to your wallet. Spend them on your first lesson.",
                    ),
                    rx.text("Your profile is saved."),
                ),
                rx.hstack(
                    link_button("Add what you teach", variant="soft", href=routes.PROFILE_EDIT),
                    link_button("Explore the marketplace", href=routes.MARKETPLACE),
                    spacing="3",
                    wrap="wrap",
                ),
                spacing="4",
                align="center",
                text_align="center",
                id="onboarding-done",
            ),
            rx.vstack(
                rx.vstack(
                    rx.text(
                        "Step 1 of 1 · About you",
                        size="1",
                        color=rx.color("gray", 10),
                        weight="medium",
                    ),
                    rx.heading("Tell the community about yourself", size="6"),
                    rx.text(
                        "You can add the skills you teach and want to learn next.",
                        color=rx.color("gray", 11),
                    ),
                    spacing="1",
                ),
                form_alert(OnboardingState.form_error),
                _about_you(),
                rx.button(
                    "Finish",
                    on_click=OnboardingState.finish,
                    size="3",
                    width="100%",
                    id="onboarding-finish",
                ),
                spacing="5",
                width="100%",
            ),
        ),
        max_width="600px",
    )
