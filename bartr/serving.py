"""How the production server treats a worker that dies: Granian starts a new one.

Reflex starts Granian for `reflex run --env prod` with Granian's defaults, and one of them
is `respawn_failed_workers=False`: when one worker process dies (an out-of-memory kill, a
segfault in a native library, a SIGKILL), the supervisor stops every other worker and
exits. Measured with two workers and Redis (`bench/load_fault.py`): killing one worker took
the whole backend down within half a second and it stayed down, every member's socket
dropped and nothing answered again until someone restarted the server.

Reflex passes no way to set the option, so `rxconfig.py` (read by `reflex run` before it
builds the server) calls `respawn_failed_workers()`, which makes the option default to
True on Granian's server class: the supervisor then starts a new worker at once and the
other workers keep serving. Granian's own crash-loop guard stays: a worker that dies again
within ~5 s of being respawned still stops the server. An explicit argument (Reflex's dev
server passes its own reload options) is left as it is.
"""

from __future__ import annotations

import functools
from typing import Any

_MARK = "_bartr_respawns_failed_workers"


def respawn_failed_workers() -> bool:
    """Make Granian respawn a worker that died; True once patched (idempotent)."""
    try:
        from granian.server import common
    except ImportError:  # another ASGI server (uvicorn) runs the app
        return False
    server_class: Any = common.AbstractServer
    if getattr(server_class, _MARK, False):
        return True
    original = server_class.__init__

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("respawn_failed_workers", True)
        original(self, *args, **kwargs)

    server_class.__init__ = __init__
    setattr(server_class, _MARK, True)
    return True
