"""What Reflex writes to its state store (`.states/*.pkl` or Redis: the same pickles) for a
tab on a member's socket: the session token's hash, never the token (issue 19.3)."""

from __future__ import annotations

import reflex as rx
from reflex.istate.data import RouterData
from reflex_base import constants

from bartr.services.session_keys import hash_token, socket_cookie_header

TOKEN = "Zt0k3n-" + "q" * 36


def _stored(cookie_header: str) -> bytes:
    """The bytes Reflex's state managers persist for a root state that handled an event
    from a socket whose handshake carried this Cookie header."""
    root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
    router_data = {
        constants.RouteVar.HEADERS: {"cookie": cookie_header, "origin": "http://t"},
        constants.RouteVar.PATH: "/settings",
        constants.RouteVar.ORIGIN: "/settings",
    }
    root.router_data = router_data
    root.router = RouterData.from_router_data(router_data)
    return root._serialize()


def test_the_raw_cookie_would_be_persisted_without_the_socket_middleware() -> None:
    """Why SessionOnSocket exists: Reflex pickles the handshake's headers with the state."""
    assert TOKEN.encode() in _stored(f"bartr_session={TOKEN}")


def test_the_state_store_holds_the_sessions_hash_and_never_the_token() -> None:
    stored = _stored(socket_cookie_header(f"theme=dark; bartr_session={TOKEN}"))
    assert TOKEN.encode() not in stored
    assert hash_token(TOKEN).encode() in stored
