"""The bodies that are bare JSON arrays (the SDKs' ``List[...]``), as ``RootModel`` lists of item shapes.

Only the contract reads these; the endpoints build plain lists of the item shapes. Kept apart from
the family modules so that importing a shape at run time never builds a pydantic generic model.
"""

from __future__ import annotations

from pydantic import ConfigDict, RootModel

from mockswarms.shapes.agents import AgentBatchItemError, AgentCompletionOutput
from mockswarms.shapes.swarms import (
    LegacySwarmCompletionOutput,
    SwarmBatchItemError,
    SwarmBatchItemSuccess,
    SwarmCompletionOutput,
)
from mockswarms.shapes.workflows import AdvancedResearchOutput

__all__ = [
    "AdvancedResearchBatchResponse",
    "AgentBatchLegacyList",
    "AutoSwarmBuilderExecutionTypes",
    "SwarmBatchResponse",
]


class AgentBatchLegacyList(RootModel[list[AgentCompletionOutput | AgentBatchItemError]]):
    """Legacy agent batch (``agent_batch_shape=list``): a bare array of agent outputs."""


class AutoSwarmBuilderExecutionTypes(RootModel[list[str]]):
    """A bare JSON array (the SDK's ``List[str]``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [["return-agents", "return-swarm-router-config", "return-agents-objects"]]
        }
    )


class SwarmBatchResponse(
    RootModel[
        list[
            SwarmBatchItemSuccess | SwarmBatchItemError | SwarmCompletionOutput | LegacySwarmCompletionOutput
        ]
    ]
):
    """``POST /v1/swarm/batch/completions``: a JSON array in request order (SDK ``List[Dict]``). Items are
    the docs' ``{status, swarm_name, result, usage}`` or, with ``swarm_batch_item=full``, whole single
    responses (current or legacy layout)."""


class AdvancedResearchBatchResponse(RootModel[list[AdvancedResearchOutput]]):
    """A bare JSON array of single responses (SDK ``List[...]``)."""
