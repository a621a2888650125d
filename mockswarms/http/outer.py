"""The outermost layer: what every HTTP request gets before and after the app, in one frame.

- **Shared state:** a request's first store read (Redis: ``begin_request``, one round trip) or, in
  one process, the simulator's first start-up.
- **Store failure:** a state store that fails anywhere below is a clean 503 with ``Retry-After``,
  never a 500 or a traceback; nothing was charged (see ``Simulator.charge``).
- **Client gone:** a client that disconnects before its request body is in (Starlette's
  ``ClientDisconnect``, also after the server answered a malformed body with its own 400) is no
  server error: one DEBUG line, no reply (nobody reads it), journal status 499, nothing charged.
- **Unexpected errors:** any other exception is the app's 500 handler's body (Starlette's
  ``ServerErrorMiddleware``, which this layer replaces), re-raised for the server's log.
- **Journal:** each public request's entry (``http/journaling.py``), written before its last byte.

One layer, not three: each of Starlette's error layer, a store-failure layer and the journal layer
cost every request a coroutine frame and a send wrapper per message (~15 % of ``/health``).
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, ExceptionHandler, Message, Receive, Scope, Send

from mockswarms.engine.simulator import Simulator
from mockswarms.http.journaling import JournalCapture
from mockswarms.http.responses import json_response
from mockswarms.paths import CONTROL_PREFIX
from mockswarms.state.base import StoreUnavailable

__all__ = ["STORE_RETRY_AFTER", "OuterMiddleware", "store_unavailable_body"]

STORE_RETRY_AFTER = 1  # seconds; Retry-After of the 503 answered while the state store is down
CLIENT_CLOSED = 499  # the journal's status for a request whose client left before any reply (as nginx)
_log = logging.getLogger("mockswarms")


def store_unavailable_body(path: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The 503's body (in the route's own error format) and headers while the store is down."""
    message = "Service temporarily unavailable: the state store is not reachable. Retry shortly."
    headers = {"retry-after": str(STORE_RETRY_AFTER)}
    if path.startswith(("/v1/chat/completions", "/v1/models")):
        error = {"message": message, "type": "server_error", "code": "service_unavailable", "param": None}
        return {"error": error}, headers
    return {"detail": message}, headers


class _StartTracker:
    """The send of a request with no journal capture: notes whether the response has begun."""

    __slots__ = ("_send", "response_started")

    def __init__(self, send: Send) -> None:
        self._send = send
        self.response_started = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.response_started = True
        await self._send(message)


class OuterMiddleware:
    """See the module docstring. ``error_handler`` is the app's 500/``Exception`` handler
    (``SimulatorApp`` hands it over when it drops Starlette's error layer)."""

    def __init__(self, app: ASGIApp, error_handler: ExceptionHandler | None = None) -> None:
        self.app = app
        self.error_handler = error_handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        simulator: Simulator = scope["app"].state.simulator
        public = not scope["path"].startswith(CONTROL_PREFIX)
        tokens = None
        exchange: JournalCapture | _StartTracker | None = None
        try:
            if public:
                if simulator.shares_state:
                    # The request's first read: shared state (clock, settings, fixtures, fault
                    # rules) and its caller (account, balances, windows), in one round trip.
                    tokens = await simulator.begin_request(Headers(scope=scope))
                else:  # one process: nothing to sync, only a first start-up
                    await simulator.ensure_started()
            if public and simulator.settings.journal_size:
                exchange = capture = JournalCapture(scope, receive, send, simulator)
                await self.app(scope, capture.receive, capture.send)
            else:
                exchange = _StartTracker(send)
                await self.app(scope, receive, exchange.send)
        except StoreUnavailable as exc:
            if isinstance(exchange, JournalCapture):
                await exchange.record()  # tries, and only warns: the store is down
            _log.warning("state store unavailable: %s", exc)
            if exchange is not None and exchange.response_started:
                return  # mid-stream: the connection ends; the client sees an incomplete response
            body, headers = store_unavailable_body(scope["path"])
            await json_response(body, 503, headers)(scope, receive, send)
        except ClientDisconnect:
            # Not re-raised: the server would log it as the app's error, with a traceback.
            if isinstance(exchange, JournalCapture) and not exchange.status:
                exchange.status = CLIENT_CLOSED
            _log.debug(
                "client disconnected before its request was read: %s %s", scope["method"], scope["path"]
            )
        except Exception as exc:
            if isinstance(exchange, JournalCapture):
                await exchange.record()  # the entry first, as for any reply
            if exchange is None or not exchange.response_started:
                response = await self._error_response(scope, exc)
                await response(scope, receive, send)
            raise  # the server logs it (as Starlette's error layer does)
        finally:
            if isinstance(exchange, JournalCapture):
                try:
                    await exchange.record()  # once: a no-op when written above or with the reply
                finally:
                    exchange.release()
            if tokens is not None:
                simulator.end_request(tokens)

    async def _error_response(self, scope: Scope, exc: Exception) -> Response:
        if self.error_handler is None:
            return PlainTextResponse("Internal Server Error", status_code=500)
        handler: Any = self.error_handler  # Starlette's type also admits websocket handlers
        response = handler(Request(scope), exc)
        if inspect.isawaitable(response):
            response = await response
        assert isinstance(response, Response)
        return response
