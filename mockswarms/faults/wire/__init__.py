"""The wire side of fault injection: the ASGI middleware and what it does to the connection.

The only part of ``mockswarms.faults`` that knows ASGI (Starlette's types); the rules and the
engine above it are plain data and decisions.
"""

from mockswarms.faults.wire.middleware import CONTROL_PREFIX, FaultMiddleware, send_api_error

__all__ = ["CONTROL_PREFIX", "FaultMiddleware", "send_api_error"]
