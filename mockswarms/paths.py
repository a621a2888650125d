"""URL prefixes every layer agrees on (a foundation: imports nothing of the package)."""

from __future__ import annotations

__all__ = ["CONTROL_PREFIX"]

# The control API, the dashboard and the proxy's drift feed live under it; the journal, the fault
# middleware and replay leave its paths alone.
CONTROL_PREFIX = "/__mockswarms"
