"""Who may load the dashboard's pages: the control API's rule (loopback clients, or anyone when an
admin token is set, since the pages hold no data and every data call carries the token)."""

from __future__ import annotations

from starlette.requests import Request

from mockswarms.errors import APIError
from mockswarms.http.control import _LOOPBACK
from mockswarms.http.guard import check_host

__all__ = ["check_page_access"]


def check_page_access(request: Request) -> None:
    """Raise the control API's 403 for a page request it would refuse."""
    token = request.app.state.simulator.settings.admin_token
    if not token:
        host = request.client.host if request.client else ""
        if host not in _LOOPBACK and not host.startswith("127."):
            raise APIError(403, "The dashboard only answers loopback clients (set --admin-token to open it)")
    check_host(request)  # a page served under a rebound DNS name could read the control API
