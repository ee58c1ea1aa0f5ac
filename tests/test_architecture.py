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
