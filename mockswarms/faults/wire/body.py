"""Body effects: latency before every chunk; truncated, malformed or dripped response bodies."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from starlette.types import Message, Send

from mockswarms.faults.rules import DripAction, LatencyAction, MalformedJsonAction, TruncateAction
from mockswarms.faults.wire.transport import drop_connection


class ChunkDelay:
    """Sleeps a fresh latency draw before every body chunk."""

    def __init__(self, send: Send, action: LatencyAction, rng: random.Random) -> None:
        self.send, self.action, self.rng = send, action, rng

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.body" and (message.get("body") or message.get("more_body")):
            await asyncio.sleep(self.action.draw(self.rng))
        await self.send(message)


class BodyRewriter:
    """Collects the whole response, then sends it truncated, corrupted or dripped. ``transport``:
    the connection to cut (``transport.find_transport``), looked up before the response runs."""

    def __init__(
        self, send: Send, action: TruncateAction | MalformedJsonAction | DripAction, transport: Any = None
    ) -> None:
        self.send, self.action, self.transport = send, action, transport
        self.start: Message | None = None
        self.chunks: list[bytes] = []
        self.broke = False  # the client got a cut or unparsable reply (billing refunds it)

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        self.chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            await self._flush(b"".join(self.chunks))

    async def _flush(self, body: bytes) -> None:
        assert self.start is not None
        action = self.action
        headers = [(k, v) for k, v in self.start.get("headers", []) if k.lower() != b"content-length"]
        self.broke = not isinstance(action, DripAction)
        if isinstance(action, MalformedJsonAction):
            # Cut the JSON mid-way and keep the framing right: the client reads a 2xx it cannot parse.
            body = body[: max(len(body) // 2, 1)] + b"\x00}"
        headers.append((b"content-length", str(len(body)).encode()))
        await self.send({**self.start, "headers": headers})
        if isinstance(action, TruncateAction):
            await self.send(
                {
                    "type": "http.response.body",
                    "body": body[: int(len(body) * action.fraction)],
                    "more_body": True,
                }
            )
            await drop_connection(reset=False, transport=self.transport)
        elif isinstance(action, DripAction):
            for start in range(0, len(body), action.chunk_bytes):
                await asyncio.sleep(action.interval)
                await self.send(
                    {
                        "type": "http.response.body",
                        "body": body[start : start + action.chunk_bytes],
                        "more_body": True,
                    }
                )
            await self.send({"type": "http.response.body", "body": b"", "more_body": False})
        else:
            await self.send({"type": "http.response.body", "body": body})
