"""One coroutine per public endpoint, grouped by family; each returns a :class:`Reply`.

``pipeline`` holds what they share (the reply type, strict parsing, the admit → run → price →
settle → log steps); the family modules hold the bodies. The routes use the names re-exported here.
"""

from mockswarms.http.endpoints.account import (
    account_credits,
    agents_list,
    metrics_summary,
    rate_limits,
    swarm_logs,
    usage_costs,
    usage_report,
)
from mockswarms.http.endpoints.agents import agent_batch, agent_completion
from mockswarms.http.endpoints.builders import asb_execution_types, auto_generate, auto_swarm_builder
from mockswarms.http.endpoints.chat import chat_completion, models_openai
from mockswarms.http.endpoints.discovery import (
    marketplace_agents,
    models_available,
    swarms_available,
    tools_available,
)
from mockswarms.http.endpoints.pipeline import Reply
from mockswarms.http.endpoints.research import advanced_research, advanced_research_batch
from mockswarms.http.endpoints.scheduling import schedule_create, schedule_delete, schedule_list
from mockswarms.http.endpoints.swarms import swarm_batch, swarm_completion
from mockswarms.http.endpoints.workflows import (
    batched_grid,
    graph_workflow,
    reasoning_completion,
    reasoning_types,
)

__all__ = [
    "Reply",
    "account_credits",
    "advanced_research",
    "advanced_research_batch",
    "agent_batch",
    "agent_completion",
    "agents_list",
    "asb_execution_types",
    "auto_generate",
    "auto_swarm_builder",
    "batched_grid",
    "chat_completion",
    "graph_workflow",
    "marketplace_agents",
    "metrics_summary",
    "models_available",
    "models_openai",
    "rate_limits",
    "reasoning_completion",
    "reasoning_types",
    "schedule_create",
    "schedule_delete",
    "schedule_list",
    "swarm_batch",
    "swarm_completion",
    "swarm_logs",
    "swarms_available",
    "tools_available",
    "usage_costs",
    "usage_report",
]
