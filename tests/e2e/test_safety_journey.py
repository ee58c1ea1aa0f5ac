"""Safety in the browser: a member reports another, an admin suspends them with a note,
the suspended member is logged out and can't log back in, and the audit log shows it."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.journeys import PASSWORD, create_admin, log_in, onboard, sign_up


def test_report_suspend_logout_and_audit(
    page: Page, new_page: Callable[[], Page], app_env: dict[str, str]
) -> None:
    tag = uuid.uuid4().hex[:8]
    rude = new_page()
    sign_up(rude, name=f"Rita Rude {tag}", email=f"rita-{tag}@example.com")
    onboard(rude)
    handle = f"rita-rude-{tag}"

    reporter = new_page()
    sign_up(reporter, name=f"Rex Porter {tag}", email=f"rex-{tag}@example.com")
    onboard(reporter)
    reporter.goto(f"/u/{handle}")
    reporter.get_by_label("More: report or block").click()
    reporter.get_by_role("menuitem", name="Report…").click()
    dialog = reporter.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Report Rita Rude {tag}")
    dialog.get_by_label("Reason").click()
    reporter.get_by_role("option", name="Harassment or hate").click()
    reporter.fill("#report-details", "Insulted me in a session request.")
    reporter.locator("#send-report").click()
    expect(reporter.get_by_role("dialog")).to_have_count(0)
    reporter.goto("/settings")
    expect(reporter.locator("#settings-reports")).to_contain_text(f"Rita Rude {tag}")
    expect(reporter.locator("#settings-reports")).to_contain_text("Received")

    admin_email = f"admin-{tag}@example.com"
    create_admin(app_env, email=admin_email)
    log_in(page, email=admin_email)
    page.goto("/admin")
    row = page.locator("#admin-reports-table tbody tr", has_text=f"Rita Rude {tag}")
    row.get_by_role("button", name="Open").click()
    panel = page.locator("#report-panel")
    expect(panel).to_contain_text("Insulted me in a session request.")
    panel.get_by_label("Action").click()
    page.get_by_role("option", name="Suspend for some days").click()
    page.fill("#suspend-days", "3")
    page.locator("#apply-moderation").click()
    expect(panel).to_contain_text("Note is required")  # every action needs a note
    page.fill("#moderation-note", "Harassment confirmed by the reporter's messages.")
    page.locator("#apply-moderation").click()
    expect(page.locator("#report-panel")).to_have_count(0)
    expect(page.get_by_text("Member suspended; their logins ended.")).to_be_visible()

    # The suspended member's login is gone: their next page shows them logged out, and
    # logging in again is refused.
    rude.goto("/sessions")
    expect(rude.get_by_role("link", name="Log in", exact=True)).to_be_visible(timeout=15_000)
    expect(rude.get_by_label("Account menu")).to_have_count(0)
    rude.goto("/login")
    rude.fill("#email", f"rita-{tag}@example.com")
    rude.fill("#password", PASSWORD)
    rude.locator("#main").get_by_role("button", name="Log in", exact=True).click()
    expect(rude.get_by_text("This account is suspended")).to_be_visible()

    page.reload()
    page.locator("#admin-menu-audit").click()
    audit = page.locator("#admin-audit-table")
    first = audit.locator("tbody tr").first
    expect(first).to_contain_text("Suspended a member")
    expect(first).to_contain_text("Harassment confirmed by the reporter's messages.")
    expect(first).to_contain_text(f"Rita Rude {tag}")

    reporter.reload()
    expect(reporter.locator("#settings-reports")).to_contain_text("Action taken")
