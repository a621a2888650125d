"""Skipping middleware layers that have nothing to do for a request.

Most requests meet no fault rule, no recording and no body to refuse, yet each of those layers cost
a coroutine frame, its scope lookups and its checks: together a fifth of a ``/health`` request's
instructions. A layer that can say cheaply, without awaiting, that it would hand a request on
untouched implements ``idle_for(scope)``, and ``handle`` for its work otherwise (its ``__call__`` is
one or the other). :class:`IdleLayerSkip` stands where the first of a run of such layers was and
hands the request to the ``handle`` of the first one that is not idle — which then calls the rest of
the run as usual — or, when all are idle, to the app below them directly.

The contract for ``idle_for``: when it returns True, calling the layer must be the same as calling
its ``app`` with the same ``scope``, ``receive`` and ``send``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["IdleAware", "IdleLayerSkip", "skip_idle_layers"]


class IdleAware(Protocol):
    app: ASGIApp

    def idle_for(self, scope: Scope) -> bool: ...

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None: ...


class IdleLayerSkip:
    """Hands the request to the first of ``layers`` (outermost first) that has work for it, else
    to ``app``."""

    def __init__(self, layers: Sequence[IdleAware], app: ASGIApp) -> None:
        self.layers = tuple(layers)
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        for layer in self.layers:
            if not layer.idle_for(scope):
                await layer.handle(scope, receive, send)  # idle_for already answered: not twice
                return
        await self.app(scope, receive, send)


def skip_idle_layers(stack: ASGIApp) -> ASGIApp:
    """``stack`` with its first run of consecutive idle-aware layers fronted by an
    :class:`IdleLayerSkip` (the layers themselves stay chained as they were)."""
    outer: Any = None
    layer: Any = stack
    while layer is not None and not hasattr(layer, "idle_for"):
        outer, layer = layer, getattr(layer, "app", None)
    run: list[IdleAware] = []
    while layer is not None and hasattr(layer, "idle_for"):
        run.append(layer)
        layer = layer.app
    if not run:
        return stack
    skip = IdleLayerSkip(run, layer)
    if outer is None:
        return skip
    outer.app = skip
    return stack
