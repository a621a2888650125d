"""Every response body of the public API, listed under its old import path (``mockswarms.shapes.responses``).

The shapes live by endpoint family in ``shapes/<family>.py`` (bare arrays in ``shapes/arrays.py``); see
:mod:`mockswarms.shapes.body` for the conventions and :data:`~mockswarms.contract.openapi.OPERATIONS` for
the bodies of each endpoint. This module only re-exports: each family's ``__all__`` is the list.
"""

# Re-exports: the family modules' ``__all__`` say what comes in, so the names are listed once.
from mockswarms.shapes import account, agents, arrays, chat, discovery, error_bodies, swarms, workflows
from mockswarms.shapes.account import *  # noqa: F403
from mockswarms.shapes.agents import *  # noqa: F403
from mockswarms.shapes.arrays import *  # noqa: F403
from mockswarms.shapes.chat import *  # noqa: F403
from mockswarms.shapes.discovery import *  # noqa: F403
from mockswarms.shapes.error_bodies import *  # noqa: F403
from mockswarms.shapes.swarms import *  # noqa: F403
from mockswarms.shapes.workflows import *  # noqa: F403

__all__ = sorted(
    [
        *account.__all__,
        *agents.__all__,
        *arrays.__all__,
        *chat.__all__,
        *discovery.__all__,
        *error_bodies.__all__,
        *swarms.__all__,
        *workflows.__all__,
    ]
)
