"""Old import path, kept for users: ``from mockswarms.server import serve``.

The server runner lives in ``mockswarms.testing.server``."""

from mockswarms.testing.server import RunningServer, ServerStartError, serve

__all__ = ["RunningServer", "ServerStartError", "serve"]
