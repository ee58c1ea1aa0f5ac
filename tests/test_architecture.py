"""The layers import downwards only (CONVENTIONS.md, habit 1) and SQL stays in services."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "bartr"
WEB = ("reflex", "starlette", "fastapi")
UPPER = ("bartr.pages", "bartr.state", "bartr.components", "bartr.api", "bartr.bartr")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_services_and_models_never_import_the_web_layer() -> None:
    bad = [
        f"{p.relative_to(ROOT)} imports {name}"
        for pkg in ("services", "models")
        for p in _files(pkg)
        for name in _imports(p)
        if name.split(".")[0] in WEB or name.startswith(UPPER)
    ]
    assert bad == []


def test_state_never_imports_pages_and_api_never_imports_state() -> None:
    bad = [
        f"{p.relative_to(ROOT)} imports {name}"
        for p in _files("state")
        for name in _imports(p)
        if name.startswith(("bartr.pages", "bartr.components"))
    ] + [
        f"{p.relative_to(ROOT)} imports {name}"
        for p in _files("api")
        for name in _imports(p)
        if name.startswith(("bartr.pages", "bartr.state", "bartr.components")) or name == "reflex"
    ]
    assert bad == []


def test_no_sql_in_pages_states_or_components() -> None:
    bad = []
    for pkg in ("pages", "state", "components"):
        for p in _files(pkg):
            text = p.read_text(encoding="utf-8")
            sql = re.search(
                r"(?<![.\w])select\(|\.exec\(|\bsqlalchemy\b|\bcol\(|\bdb\.(get|add|delete|flush)\(",
                text,
            )
            if sql:
                bad.append(str(p.relative_to(ROOT)))
    assert bad == []


def test_adapters_know_nothing_of_the_app_above_them() -> None:
    """Adapters talk to the outside world; rules stay in services, pages above."""
    bad = [
        f"{p.relative_to(ROOT)} imports {name}"
        for p in _files("adapters")
        for name in _imports(p)
        if name.split(".")[0] in WEB or name.startswith((*UPPER, "bartr.services", "bartr.db"))
    ]
    assert bad == []


# --------------------------------------------------------------------------- size and shape

MAX_SERVICE_LINES = 600


def test_no_services_file_is_over_600_lines() -> None:
    """A service module past ~600 lines hides its rules; split it by what it decides."""
    services = ROOT / "services"
    lines = {
        str(p.relative_to(services)): len(p.read_text(encoding="utf-8").splitlines())
        for p in _files("services")
    }
    long = {name: n for name, n in lines.items() if n > MAX_SERVICE_LINES}
    assert long == {}


# State modules every page may use (not page states themselves: no page's State class,
# only shared wording, view models and the slot picker's data; `auth` and `live` are the
# base states of every page: who is acting, and the header's live counts).
SHARED_STATE = {"__init__", "auth", "live", "wording", "view_models", "slots", "course_cards"}
# Modules that are a part of one page's state (a mixin), counted as that page.
PAGE_PARTS = {"session_actions": "session_detail"}


def _page(module: str) -> str:
    return PAGE_PARTS.get(module, module)


def test_page_states_never_import_another_pages_state() -> None:
    """Page states stay flat: shared wording and view models live in state helpers."""
    bad = []
    for p in _files("state"):
        here = p.stem
        for name in _imports(p):
            if not name.startswith("bartr.state."):
                continue
            there = name.split(".")[2]
            if there in SHARED_STATE or _page(there) == _page(here):
                continue
            bad.append(f"state/{here}.py imports {name}")
    assert bad == []


def test_shared_state_modules_hold_no_state() -> None:
    """What every page may import is plain Python (wording, view models): no Reflex state,
    so sharing it can never make one page's state reach into another's."""
    bad = [
        f"state/{name}.py imports {imported}"
        for name in sorted(SHARED_STATE - {"__init__", "auth", "live"})
        for imported in _imports(ROOT / "state" / f"{name}.py")
        if imported.split(".")[0] == "reflex"
    ]
    assert bad == []
