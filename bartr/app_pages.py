"""Registry of pages declared with `components.shell.page`, added to the app in bartr.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class PageSpec:
    route: str
    title: str
    component: Callable[[], Any]
    on_load: list[Any]


PAGES: list[PageSpec] = []


def register(*, route: str, title: str, component: Callable[[], Any], on_load: list[Any]) -> None:
    PAGES.append(PageSpec(route=route, title=title, component=component, on_load=on_load))
