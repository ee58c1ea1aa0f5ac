"""State handlers driven directly, as the socket would call them, on a test database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import reflex as rx

from bartr.state.auth import AuthState
from tests.factories import sign_in


@pytest.fixture
def make_state(sqlite_engine) -> Callable:  # type: ignore[no-untyped-def]
    """Build a fresh state tree and return the substate of the given class."""

    def make(cls: type[AuthState], token: str = "") -> AuthState:
        root = rx.State(_reflex_internal_init=True)
        path = cls.get_full_name().split(".")[1:]
        state = root.get_substate(path)
        return sign_in(state, token)  # type: ignore[no-any-return]

    return make
