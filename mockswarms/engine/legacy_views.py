"""Views of stored data in the shapes older documents and clients read (switches in ``Settings``).

- ``SWARM_TYPES_2025``: ``/v1/swarms/available`` as the 2025 service listed it ([SRV] 2025-05 column of
  reference §g), exactly the ``SwarmTypeType`` Literal of swarms-client 0.1.6, which rejects any other
  value (``available_swarm_types = "2025"``).
- ``present_log_rows``: log rows with a string ``id`` (swarms-client 0.1.6's ``LogEntry.id: str``,
  ``log_id_type = "str"``) and ``data.execution_time`` as the ISO instant of the run (seed 002's rows,
  ``log_execution_time = "iso"``). Rows are copied; the store keeps what it logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from mockswarms.shapes.swarms import LogEntry

__all__ = ["SWARM_TYPES_2025", "present_log_rows"]

SWARM_TYPES_2025: tuple[str, ...] = (
    "AgentRearrange",
    "MixtureOfAgents",
    "SpreadSheetSwarm",
    "SequentialWorkflow",
    "ConcurrentWorkflow",
    "GroupChat",
    "MultiAgentRouter",
    "AutoSwarmBuilder",
    "HiearchicalSwarm",
    "auto",
    "MajorityVoting",
    "MALT",
    "DeepResearchSwarm",
)


def present_log_rows(
    rows: Sequence[dict[str, Any]], *, id_type: str = "int", execution_time: str = "as-logged"
) -> list[LogEntry]:
    """The store keeps rows as plain JSON objects (it imports no shapes); each is a row the simulator
    logged (``Simulator._log_row`` / ``log_completion``) plus the ``id`` the store numbered it with."""
    if id_type == "int" and execution_time == "as-logged":
        return cast(list[LogEntry], list(rows))
    shown: list[LogEntry] = []
    for row in rows:
        row = dict(row)
        if id_type == "str" and row.get("id") is not None:
            row["id"] = str(row["id"])
        data = row.get("data")
        if execution_time == "iso" and isinstance(data, dict) and row.get("created_at"):
            row["data"] = {**data, "execution_time": row["created_at"]}
        shown.append(cast(LogEntry, row))
    return shown
