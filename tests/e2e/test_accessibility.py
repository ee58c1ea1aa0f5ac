"""Every main page passes axe-core (WCAG 2.1 A/AA) with no serious or critical violation,
in light and dark, logged out and logged in; a keyboard alone can reach and leave things.

axe runs in the real page after its content has loaded (the checks see what a member sees,
including colour contrast of the theme in use). Minor and moderate findings are printed
for the record but do not fail the run.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.journeys import browser_page, onboard, settled, sign_up

PUBLIC = ["/", "/login", "/signup", "/marketplace", "/trust"]
MEMBER = [
    "/",
    "/marketplace",
    "/sessions",
    "/messages",
    "/notifications",
    "/wallet",
    "/profile",
    "/settings",
    "/courses",
]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

_axe = Axe()


@pytest.fixture(params=["light", "dark"])
def scheme_page(request: pytest.FixtureRequest, browser: Browser, app_url: str) -> Iterator[Page]:
    with browser_page(browser, app_url, color_scheme=request.param) as pg:
        yield pg


def _describe(node: dict[str, object]) -> str:
    """Where, and for contrast the two colours and the ratio axe measured."""
    target = " ".join(map(str, node["target"]))  # type: ignore[call-overload]
    for check in node.get("any", []):  # type: ignore[attr-defined]
        data = check.get("data") or {}
        if isinstance(data, dict) and "contrastRatio" in data:
            return (
                f"{target} ({data.get('fgColor')} on {data.get('bgColor')}: "
                f"{data.get('contrastRatio')}, text {str(node.get('html', ''))[:80]!r})"
            )
    return target


def _violations(page: Page, where: str) -> list[str]:
    result = _axe.run(
        page, options={"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]}
    )
    found = []
    for violation in result.response["violations"]:
        targets = [_describe(node) for node in violation["nodes"][:6]]
        line = (
            f"{where}: [{violation['impact']}] {violation['id']}: {violation['help']} at {targets}"
        )
        if violation["impact"] in BLOCKING:
            found.append(line)
        else:
            print("note:", line)
    return found


def test_main_pages_have_no_serious_axe_violations(scheme_page: Page) -> None:
    page = scheme_page
    problems: list[str] = []
    for path in PUBLIC:
        settled(page, path)
        problems += _violations(page, path)

    sign_up(page, name="Axe Person", email=f"axe-{uuid.uuid4().hex[:8]}@example.com")
    problems += _violations(page, "/onboarding")
    onboard(page)
    problems += _violations(page, "/onboarding (done)")
    for path in MEMBER:
        settled(page, path)
        problems += _violations(page, path)
    page.get_by_label("Account menu").click()
    page.get_by_role("menuitem", name="My public profile").click()
    page.wait_for_url("**/u/**")
    settled(page, page.url)
    problems += _violations(page, "/u/<own handle>")
    assert problems == [], "\n".join(problems)


def _focused(page: Page) -> str:
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return e ? (e.getAttribute('aria-label') || e.textContent || e.tagName).trim() : '' }"
        )
    )


def test_keyboard_alone_reaches_the_main_actions_and_escape_closes_menus(page: Page) -> None:
    settled(page, "/login")
    # Tab order reaches the form in reading order, with a visible focus ring.
    seen: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("() => document.activeElement && document.activeElement.id"))
        if "password" in seen:
            break
    assert "email" in seen and "password" in seen
    assert seen.index("email") < seen.index("password")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow] }"
    )
    assert outline[0] != "none" or outline[2] != "none", f"no visible focus: {outline}"

    sign_up(page, name="Keys Person", email=f"keys-{uuid.uuid4().hex[:8]}@example.com")
    onboard(page)
    settled(page, "/marketplace")
    menu = page.get_by_label("Account menu")
    menu.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Log out")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menuitem", name="Log out")).to_be_hidden()
    # Focus returns to the control that opened the menu.
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == (
        "Account menu"
    )
