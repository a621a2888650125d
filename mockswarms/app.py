"""Old import path, kept for users: ``from mockswarms.app import create_app``.

The app lives in ``mockswarms.http.app``."""

from mockswarms.http.app import app_from_env, create_app

__all__ = ["app_from_env", "create_app"]
