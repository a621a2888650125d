"""The request journal's capture: every public request's method, path, status, masked key, bodies,
timing, fault rule and cost, written to the store before the response's last byte leaves.

A plain (non-streamed) response is held back whole until its entry is written, so a client that
reads ``GET /__mockswarms/journal`` right after a response always finds it. An endpoint that charges
the request writes the entry with its charge in one store step (``seal``, used by
``routes._settle_and_render``); everything else is written here. The entry is a
:class:`~mockswarms.journal.JournalRecord`: raw parts, built into a dict only when read.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockswarms.engine.simulator import Simulator
from mockswarms.journal import JournalRecord, presented_key
from mockswarms.paths import CONTROL_PREFIX
from mockswarms.state.base import StoreUnavailable

__all__ = ["MAX_CAPTURE", "JournalMiddleware"]

MAX_CAPTURE = 65_536  # response bytes kept per entry (SSE frames too: the journal keeps them as events)
_log = logging.getLogger("mockswarms")


class JournalMiddleware:
    """Records every public request (see the module docstring)."""

    MAX_CAPTURE = MAX_CAPTURE

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        simulator: Simulator = scope["app"].state.simulator
        if simulator.settings.journal_size == 0:
            await self.app(scope, receive, send)
            return
        capture = _Capture(scope, receive, send, simulator)
        scope.setdefault("state", {})["journal_seal"] = capture.seal
        try:
            await self.app(scope, capture.receive, capture.send)
        finally:
            await capture.record()


class _Capture:
    """One request's journal capture: its receive and send wrappers and its entry. (An object, not
    closures: one is made for every request.)"""

    __slots__ = (
        "_receive",
        "_send",
        "captured",
        "held",
        "received_at",
        "recorded",
        "request_chunks",
        "response_chunks",
        "retry_after",
        "scope",
        "simulator",
        "started",
        "status",
        "streamed",
    )

    def __init__(self, scope: Scope, receive: Receive, send: Send, simulator: Simulator) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self.simulator = simulator
        self.started = simulator.monotonic()
        self.received_at = time.time()
        self.request_chunks: list[bytes] = []
        self.response_chunks: list[bytes] = []
        self.captured = 0
        self.status = 0
        self.streamed = False
        self.retry_after: int | None = None
        self.recorded = False
        self.held: list[Message] = []  # a plain response goes out whole, after its journal entry

    def entry(
        self, status: int, body: bytes, streamed: bool, retry_after: int | None, cost: Any
    ) -> JournalRecord:
        scope = self.scope
        simulator = self.simulator
        return JournalRecord(
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            status=status or 500,
            api_key=presented_key(scope["headers"]),
            request_body=b"".join(self.request_chunks),
            response_body=body,
            streamed=streamed,
            received_at=self.received_at,
            simulated_at=simulator.timestamp(),
            duration_ms=(simulator.monotonic() - self.started) * 1000,
            fault_rule=scope.get("state", {}).get("fault_rule"),
            retry_after=retry_after,
            cost=None if cost is None else str(cost),
        )

    def seal(self, status: int, body: bytes, cost: Any, headers: Mapping[str, str]) -> JournalRecord | None:
        """The entry of a finished plain reply, for the endpoint to write with its charge in one
        store step; none when a fault rule may still alter the bytes (recorded here instead)."""
        if self.scope.get("state", {}).get("fault_rule") is not None:
            return None
        after = ""
        for name, value in headers.items():
            if name.lower() == "retry-after":
                after = value
        return self.entry(status, body, False, int(after) if after.isdigit() else None, cost)

    async def record(self) -> None:
        """Write the entry once, before the last byte goes out (unless the endpoint's charge did)."""
        if self.recorded:
            return
        self.recorded = True
        state = self.scope["state"]
        if state.get("journal_sealed"):
            return  # written with the request's charge
        simulator = self.simulator
        caller = state.get("caller")  # set by the endpoint once it knows the key
        cost = caller.charged if caller is not None else None
        entry = self.entry(self.status, b"".join(self.response_chunks), self.streamed, self.retry_after, cost)
        try:
            await simulator.ensure_started()  # no store read: this request already synced
            await simulator.store.journal_add(entry, simulator.settings.journal_size)
        except StoreUnavailable as exc:
            # The response is already decided (and maybe charged): losing one journal entry
            # while the store is down must not cost the client its response.
            _log.warning("journal entry not stored: %s", exc)

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.request_chunks.append(message.get("body", b""))
        return message

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self.status = message["status"]
            for name, value in message.get("headers", ()):
                lowered = name.lower()
                if lowered == b"content-type" and value.startswith(b"text/event-stream"):
                    self.streamed = True
                elif lowered == b"retry-after" and value.isdigit():
                    self.retry_after = int(value)
            if not self.streamed:
                self.held.append(message)
                return
        elif kind == "http.response.body":
            more = message.get("more_body", False)
            if self.captured < MAX_CAPTURE:
                chunk = message.get("body", b"")
                self.response_chunks.append(chunk)
                self.captured += len(chunk)
            if more and not self.streamed:
                self.held.append(message)
                return
            if not more:
                # Written before the response leaves (never between its headers and body).
                await self.record()
            if self.held:
                for earlier in self.held:
                    await self._send(earlier)
                self.held.clear()
        await self._send(message)
