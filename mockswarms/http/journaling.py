"""The request journal's capture: every public request's method, path, status, masked key, bodies,
timing, fault rule and cost, written to the store before the response's last byte leaves.

A plain (non-streamed) response is held back whole until its entry is written, so a client that
reads ``GET /__mockswarms/journal`` right after a response always finds it. An endpoint that charges
the request writes the entry with its charge in one store step (``seal``, used by
``routes._settle_and_render``); everything else is written here. The entry is a
:class:`~mockswarms.journal.JournalRecord`: raw parts, built into a dict only when read. The outer
layer (``http/outer.py``) makes one :class:`JournalCapture` per public request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from mockswarms.engine.simulator import Simulator
from mockswarms.journal import MAX_KEPT, JournalRecord, kept, presented_key
from mockswarms.state.base import StoreUnavailable

__all__ = ["MAX_CAPTURE", "JournalCapture"]

# Bytes kept of each body (SSE frames too: the journal keeps them as events): what the journal shows.
MAX_CAPTURE = MAX_KEPT
_log = logging.getLogger("mockswarms")


class JournalCapture:
    """One request's journal capture: its receive and send wrappers and its entry. (An object, not
    closures: one is made for every request.) ``response_started`` tells whether the server has
    been handed the response's start (a plain response's start is held until its entry is written)."""

    __slots__ = (
        "_receive",
        "_send",
        "captured",
        "held",
        "held_start",
        "received_at",
        "recorded",
        "request_captured",
        "request_chunks",
        "response_chunks",
        "response_started",
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
        self.request_chunks: list[bytes] = []  # the first MAX_CAPTURE bytes of the body
        self.request_captured = 0
        self.response_chunks: list[bytes] = []
        self.captured = 0
        self.status = 0
        self.streamed = False
        self.retry_after: int | None = None
        self.recorded = False
        self.response_started = False
        self.held_start: Message | None = None  # a plain response goes out whole, after its entry
        self.held: list[Message] | None = None  # its body parts before the last, if any
        scope.setdefault("state", {})["journal_seal"] = self.seal

    def release(self) -> None:
        """Drop the scope's reference to this capture (its ``journal_seal``) once the request is
        over: capture → scope → seal → capture is a cycle, and every request's scope, capture and
        the server's send and receive would otherwise wait for the garbage collector to free them."""
        self.scope["state"].pop("journal_seal", None)

    def entry(
        self, status: int, body: bytes, streamed: bool, retry_after: int | None, cost: Any
    ) -> JournalRecord:
        scope = self.scope
        simulator = self.simulator
        query = scope.get("query_string")
        # Positional: keyword arguments made this constructor 4x dearer (it runs for every request).
        return JournalRecord(
            scope["method"],
            scope["path"],
            query.decode("latin-1") if query else "",
            status or 500,
            presented_key(scope["headers"]),
            b"".join(self.request_chunks),
            kept(body),  # a plain reply's whole body when sealed
            streamed,
            self.received_at,
            simulator.clock.isoformat(),
            (simulator.monotonic() - self.started) * 1000,
            scope["state"].get("fault_rule"),
            retry_after,
            None if cost is None else str(cost),
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
        body = b"".join(self.response_chunks)
        entry = self.entry(self.status, body, self.streamed, self.retry_after, cost)
        try:
            # No start-up or sync here: the outer layer did both before the request went in.
            await simulator.store.journal_add(entry, simulator.settings.journal_size)
        except StoreUnavailable as exc:
            # The response is already decided (and maybe charged): losing one journal entry
            # while the store is down must not cost the client its response.
            _log.warning("journal entry not stored: %s", exc)

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request" and self.request_captured < MAX_CAPTURE:
            chunk = message.get("body", b"")[: MAX_CAPTURE - self.request_captured]
            self.request_chunks.append(chunk)
            self.request_captured += len(chunk)
        return message

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.body":
            if self.captured < MAX_CAPTURE:
                chunk = message.get("body", b"")[: MAX_CAPTURE - self.captured]
                self.response_chunks.append(chunk)
                self.captured += len(chunk)
            if message.get("more_body", False):
                if self.held_start is not None:  # a plain response: held whole
                    if self.held is None:
                        self.held = []
                    self.held.append(message)
                    return
            else:
                # Written before the response leaves (never between its headers and body).
                await self.record()
                start = self.held_start
                if start is not None:
                    self.held_start = None
                    self.response_started = True
                    await self._send(start)
                    for earlier in self.held or ():
                        await self._send(earlier)
                    self.held = None
        elif kind == "http.response.start":
            self.status = message["status"]
            for name, value in message.get("headers", ()):
                lowered = name.lower()
                if lowered == b"content-type" and value.startswith(b"text/event-stream"):
                    self.streamed = True
                elif lowered == b"retry-after" and value.isdigit():
                    self.retry_after = int(value)
            # A plain reply goes out whole after its entry, unless a fault rule shapes the bytes
            # on the wire (drip, truncate): held back, a drip arrived at once and a truncated
            # body never (its last part is never sent).
            if not self.streamed and self.scope["state"].get("fault_rule") is None:
                self.held_start = message
                return
            self.response_started = True
        await self._send(message)
