"""A link that looks like a button (one interactive element, not a button inside a link)."""

from __future__ import annotations

from typing import Any

import reflex as rx


def link_button(*children: Any, href: Any, **props: Any) -> rx.Component:
    return rx.button(rx.link(*children, href=href, underline="none"), as_child=True, **props)
