"""Sign up, log in and onboarding."""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.chips import language_chip
from bartr.components.forms import (
    centered_card,
    field_error,
    form_alert,
    text_field,
    timezone_select,
)
from bartr.components.shell import page
from bartr.pages.profile_edit import (
    availability_section,
    learn_section,
    remove_dialog,
    skill_dialog,
    teach_section,
)
from bartr.state.account_forms import (
    LOGIN_FORM_ID,
    ONBOARDING_STEPS,
    SIGNUP_FORM_ID,
    LoginState,
    OnboardingState,
    SignupState,
)
from bartr.state.profile_edit import AvailabilityEditorState, SkillEditorState


@page(routes.SIGNUP, "Join", on_load=[SignupState.load])
def signup_page() -> rx.Component:
    return centered_card(rx.cond(SignupState.sent, _check_inbox(), _signup_form()))


def _check_inbox() -> rx.Component:
    """What everyone sees after signing up, whether or not the address was already ours."""
    return rx.vstack(
        rx.center(
            rx.icon("mail", size=28, color=rx.color("accent", 11)),
            background=rx.color("accent", 3),
            border_radius="9999px",
            width="56px",
            height="56px",
        ),
        rx.heading("Check your inbox", size="7", as_="h1"),
        rx.text(
            "We sent an email to the address you entered. Open the link in it to confirm "
            "your address (it works for 48 hours).",
            color=rx.color("gray", 11),
        ),
        rx.text(
            "Already have an account with this address? The email says what to do next.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.link(rx.button("Log in to continue", size="3", width="100%"), href=routes.LOGIN),
        spacing="3",
        align="start",
        width="100%",
        id="signup-sent",
    )


def _signup_form() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading("Join BARTR", size="7", as_="h1"),
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
                    rx.text.strong(SignupState.inviter_name),
                    " invited you. You get the usual ",
                    SignupState.welcome_reward,
                    " welcome credits when you finish setting up your profile. ",
                    SignupState.inviter_name,
                    " gets ",
                    SignupState.referral_reward,
                    " credits once you have confirmed your email and finished setting up.",
                ),
                icon="gift",
                color_scheme="green",
                id="invite-callout",
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
                rx.el.input(type="hidden", name="ref", value=SignupState.ref_code),
                rx.button(
                    "Create account",
                    type="submit",
                    size="3",
                    width="100%",
                    loading=SignupState.submitting,
                ),
                spacing="4",
                width="100%",
            ),
            # Checked over the socket first (messages by field), then posted to
            # /api/auth/signup, which answers "check your inbox" for every address.
            on_submit=SignupState.submit,
            reset_on_submit=False,
            id=SIGNUP_FORM_ID,
            action=routes.API_SIGNUP,
            method="post",
            width="100%",
        ),
        rx.text(
            "Already a member? ",
            rx.link("Log in", href=routes.LOGIN, underline="always"),
            size="2",
            align="center",
        ),
        spacing="5",
        width="100%",
        align="stretch",
    )


@page(routes.LOGIN, "Log in", on_load=[LoginState.load])
def login_page() -> rx.Component:
    return centered_card(
        rx.vstack(
            rx.heading("Welcome back", size="7", as_="h1"),
            rx.text("Log in to your BARTR account.", color=rx.color("gray", 11)),
            spacing="2",
        ),
        rx.cond(
            LoginState.notice != "",
            rx.callout(LoginState.notice, icon="circle-check", color_scheme="green", role="status"),
        ),
        form_alert(LoginState.form_error),
        # Posted to /api/auth/login (with fetch; natively if scripts are off), which checks
        # the password off the event loop and answers with the HttpOnly session cookie:
        # no script ever sees the token.
        rx.el.form(
            rx.vstack(
                rx.el.input(type="hidden", name="next", value=LoginState.next_path),
                text_field("Email", "email", rx.Var.create({}), type="email", autocomplete="email"),
                text_field(
                    "Password",
                    "password",
                    rx.Var.create({}),
                    type="password",
                    autocomplete="current-password",
                ),
                rx.link(
                    "Forgot password?",
                    href=routes.FORGOT_PASSWORD,
                    size="2",
                    align="right",
                    width="100%",
                    id="forgot-password",
                ),
                rx.button(
                    "Log in",
                    type="submit",
                    size="3",
                    width="100%",
                    loading=LoginState.submitting,
                ),
                spacing="4",
                width="100%",
            ),
            on_submit=LoginState.submit,
            id=LOGIN_FORM_ID,
            action=routes.API_LOGIN,
            method="post",
            width="100%",
        ),
        rx.text(
            "New here? ",
            rx.link("Create an account", href=routes.SIGNUP, underline="always"),
            size="2",
            align="center",
        ),
    )


def _language_chip(name: rx.Var) -> rx.Component:
    return language_chip(
        name,
        selected=OnboardingState.languages.contains(name),
        on_toggle=OnboardingState.toggle_language(name),
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
                rx.foreach(OnboardingState.language_options, _language_chip),
                wrap="wrap",
                spacing="2",
            ),
            field_error(OnboardingState.errors.get("languages", "").to(str)),
            spacing="2",
            width="100%",
        ),
        rx.vstack(
            rx.el.label(rx.text("Your time zone", size="2", weight="medium"), html_for="timezone"),
            timezone_select(
                OnboardingState.timezone_options,
                value=OnboardingState.timezone,
                on_change=OnboardingState.set_timezone,
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


def _stepper() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(
                "Step ", OnboardingState.step + 1, " of ", len(ONBOARDING_STEPS),
                size="1", color=rx.color("gray", 10), weight="medium",
            ),
            rx.spacer(),
            rx.match(
                OnboardingState.step,
                *[(i, rx.text(name, size="1", color=rx.color("gray", 10))) for i, name in enumerate(ONBOARDING_STEPS)],
                rx.fragment(),
            ),
            width="100%",
        ),
        rx.progress(
            value=(OnboardingState.step + 1) * 100 // len(ONBOARDING_STEPS),
            size="1",
            width="100%",
            aria_label="Onboarding progress",
        ),
        spacing="2",
        width="100%",
    )  # fmt: skip


def _step_nav(label: str = "Next", on_click: Any = OnboardingState.next_step) -> rx.Component:
    return rx.hstack(
        rx.cond(
            OnboardingState.granted_label != "",
            rx.hstack(
                rx.icon("gift", size=14),
                rx.text(OnboardingState.granted_label, " welcome credits are in your wallet.", size="2"),
                spacing="1",
                align="center",
                color=rx.color("green", 11),
            ),
        ),
        rx.spacer(),
        rx.button(label, on_click=on_click, size="3", id="onboarding-next"),
        width="100%",
        align="center",
        wrap="wrap",
        spacing="3",
    )  # fmt: skip


def _done() -> rx.Component:
    return rx.vstack(
        rx.icon("party-popper", size=40, color=rx.color("accent", 9)),
        rx.heading("You're all set", size="6", as_="h1"),
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
            link_button("Edit your profile", href=routes.PROFILE_EDIT, variant="soft"),
            link_button("Explore the marketplace", href=routes.MARKETPLACE),
            spacing="3",
            wrap="wrap",
            justify="center",
        ),
        spacing="4",
        align="center",
        text_align="center",
        id="onboarding-done",
    )


def _first_step() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading("Tell the community about yourself", size="6", as_="h1"),
            rx.text(
                "Then add what you teach, what you want to learn and when you're free.",
                color=rx.color("gray", 11),
            ),
            spacing="1",
        ),
        form_alert(OnboardingState.form_error),
        _about_you(),
        rx.button(
            "Continue",
            on_click=OnboardingState.finish,
            size="3",
            width="100%",
            id="onboarding-finish",
        ),
        spacing="5",
        width="100%",
    )


def _later_step(
    body: rx.Component, hint: str, label: str = "Next", on_click: Any = OnboardingState.next_step
) -> rx.Component:
    return rx.vstack(
        rx.text(hint, size="2", color=rx.color("gray", 11)),
        body,
        _step_nav(label, on_click),
        spacing="4",
        width="100%",
    )


@page(
    routes.ONBOARDING,
    "Welcome",
    member_only=True,
    on_load=[OnboardingState.load, SkillEditorState.load, AvailabilityEditorState.load],
)
def onboarding_page() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.cond(
                OnboardingState.done | AvailabilityEditorState.finished,
                rx.card(_done(), size="4", width="100%"),
                rx.vstack(
                    _stepper(),
                    rx.match(
                        OnboardingState.step,
                        (0, rx.card(_first_step(), size="4", width="100%")),
                        (1, _later_step(teach_section(), "Add a skill or two you could teach. You can skip this and add them later.")),
                        # Entering the last step reloads the editor: it shows the zone just chosen.
                        (2, _later_step(learn_section(), "What would you love to learn? We use this to find you swaps.", on_click=[OnboardingState.next_step, AvailabilityEditorState.load])),
                        (3, _later_step(availability_section(), "Add the weekly times you're usually free. Finish saves them.", "Finish", AvailabilityEditorState.save_and_finish)),
                        rx.fragment(),
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
            skill_dialog(),
            remove_dialog(),
            width="100%",
            max_width="720px",
        ),
        padding_y="24px",
        width="100%",
    )  # fmt: skip
