"""Test-facing helpers: :class:`SimulatorControl` (a client of the control API with domain assertions),
the pytest plugin (``testing.plugin``) and ``serve()`` (a real server in a thread, ``testing.server``)."""

from __future__ import annotations

from mockswarms.testing.asgi_transport import SyncASGITransport
from mockswarms.testing.control import BROKE_KEY, FREE_KEY, PREMIUM_KEY, ControlError, SimulatorControl
from mockswarms.testing.control_clock import ControlClock
from mockswarms.testing.journal_view import Journal

__all__ = [
    "BROKE_KEY",
    "FREE_KEY",
    "PREMIUM_KEY",
    "ControlClock",
    "ControlError",
    "Journal",
    "SimulatorControl",
    "SyncASGITransport",
]
