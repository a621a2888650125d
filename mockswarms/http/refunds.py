"""Giving a charge back after the reply is over: the client did not get the complete response.

Used by the fault layer (a rule cut or corrupted the reply: ``FaultMiddleware(on_broken=...)``) and by
replay (a client that left a replayed stream). Streams the simulator itself sends refund from their
own ``on_close`` (``http/stream_responses.py``), which can price the part that was sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from starlette.types import Scope

from mockswarms.engine.simulator import Simulator
from mockswarms.state.base import StoreUnavailable

__all__ = ["refund_after_reply", "refund_cut_reply"]

_log = logging.getLogger("mockswarms")


async def refund_cut_reply(scope: Scope, reason: str) -> None:
    """Give this request's charge back (``refund`` log row naming ``reason``), unless
    ``stream_disconnect_billing: full`` models the real service billing the run it finished."""
    caller = scope.get("state", {}).get("caller")
    simulator: Simulator = scope["app"].state.simulator
    if caller is None or simulator.settings.stream_disconnect_billing == "full":
        return
    await refund_after_reply(simulator.undo_charges(caller, reason), f"a reply cut by {reason}")


async def refund_after_reply(refund: Awaitable[None], what: str) -> None:
    """Run a refund step once the response is over: a store failure has nobody to answer, so it is
    one warning saying what was not given back (no traceback)."""
    try:
        await refund
    except StoreUnavailable:
        _log.warning("mockswarms: the state store failed while refunding %s", what)
