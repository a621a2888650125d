"""Giving a charge back after the reply is over: the client did not get the complete response.

Used by the fault layer (a rule cut or corrupted the reply: ``FaultMiddleware(on_broken=...)``) and by
replay (a client that left a replayed stream). Streams the simulator itself sends refund from their
own ``on_close`` (``http/stream_responses.py``), which can price the part that was sent.
"""

from __future__ import annotations

import logging

from starlette.types import Scope

from mockswarms.engine.simulator import Simulator
from mockswarms.state.base import StoreUnavailable

__all__ = ["refund_cut_reply"]

_log = logging.getLogger("mockswarms")


async def refund_cut_reply(scope: Scope, reason: str) -> None:
    """Give this request's charge back (``refund`` log row naming ``reason``), unless
    ``stream_disconnect_billing: full`` models the real service billing the run it finished."""
    caller = scope.get("state", {}).get("caller")
    simulator: Simulator = scope["app"].state.simulator
    if caller is None or simulator.settings.stream_disconnect_billing == "full":
        return
    try:
        await simulator.undo_charges(caller, reason)
    except StoreUnavailable:
        # The response is gone already; nothing to answer. The log says what was not given back.
        _log.warning("mockswarms: the state store failed while refunding a reply cut by %s", reason)
