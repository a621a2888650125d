"""mockswarms: a deterministic offline simulator of the Swarms Cloud API.

Public API (everything else is internal and may change):

- ``create_app(settings=None, **overrides)`` — the ASGI app (Starlette), e.g. for ``httpx.ASGITransport``.
- ``serve(settings=None, **overrides)`` — context manager running a real server in a background thread.
- ``Settings`` / ``load_settings`` — every switch, profiles, config files and ``MOCKSWARMS_*`` variables.
- ``Simulator`` — the service object behind an app (``app.state.simulator``), for embedding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Settings", "Simulator", "__version__", "create_app", "load_settings", "serve"]

if TYPE_CHECKING:
    from mockswarms.config import Settings, load_settings
    from mockswarms.engine.simulator import Simulator
    from mockswarms.http.app import create_app
    from mockswarms.testing.server import serve


def __getattr__(name: str) -> Any:
    # Lazy so that `import mockswarms` (e.g. by the pytest plugin) stays cheap.
    if name == "create_app":
        from mockswarms.http.app import create_app

        return create_app
    if name == "serve":
        from mockswarms.testing.server import serve

        return serve
    if name in ("Settings", "load_settings"):
        from mockswarms import config

        return getattr(config, name)
    if name == "Simulator":
        from mockswarms.engine.simulator import Simulator

        return Simulator
    raise AttributeError(f"module 'mockswarms' has no attribute {name!r}")
