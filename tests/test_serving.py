"""The production server replaces a worker that dies instead of stopping (bartr/serving.py).

Measured behaviour (a worker SIGKILLed under load, the server keeps serving) is in
`bench/load_fault.py`; this checks the option Reflex's Granian server is built with.
"""

from __future__ import annotations

import importlib

from granian.server import Server

from bartr.serving import respawn_failed_workers


def test_rxconfig_makes_granian_respawn_failed_workers() -> None:
    importlib.import_module("rxconfig")
    # Built as Reflex's run_granian_backend_prod builds it: keywords, no respawn option.
    server = Server(target="bartr.bartr:app", factory=True, workers=2)
    assert server.respawn_failed_workers is True


def test_an_explicit_choice_is_kept_and_patching_twice_is_harmless() -> None:
    assert respawn_failed_workers() is True
    assert respawn_failed_workers() is True
    server = Server(target="bartr.bartr:app", respawn_failed_workers=False)
    assert server.respawn_failed_workers is False
