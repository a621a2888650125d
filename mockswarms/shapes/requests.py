"""Request bodies of every endpoint, as pydantic v2 models (the contract is generated from these).

Why ~500 lines: every request model mirrors one SDK request type; to be split by endpoint family like
the response shapes (``shapes/<family>.py``) once the contract-truthfulness work on it has landed.

Shapes follow the SDKs (``shared/reference/sdk-models.md``) and reference §b: nearly every field is
optional and nullable, because the official SDKs send ``{}`` for minimal calls. Semantic rules
(task required, agent name required, batch caps, …) are enforced by the domain, not here, so the
``prism`` profile can answer every schema-valid body. Unknown keys are kept (``extra="allow"``).

The same rules are written into the contract as JSON Schema only (``schema_rules``): models used by one
operation carry them directly; where one SDK shape serves a strict and a lenient operation (a single run
vs. a batch whose items fail one by one), a schema-only subclass (``AgentRunRequest``, ``SwarmRunRequest``,
``NamedAgentSpec``) carries them. Parsing never enforces them. (Over 400 lines on purpose: each body and
its rules read together in one place.)
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field

from mockswarms.limits import MAX_AGENTS, MAX_EDGES, MAX_IMAGES, MAX_LIST_ITEMS, MAX_LOOPS, MAX_TASKS
from mockswarms.shapes.schema_rules import NON_EMPTY_STRING, any_of, present, rule, with_rules

__all__ = [
    "CHAT_PARAM_BOUNDS",
    "CHAT_ROLES",
    "DOCS_SWARM_TYPES",
    "HEAVY_SWARM_VARIANTS",
    "LEGACY_SWARM_TYPES",
    "MAX_LOOPS",
    "REASONING_AGENT_TYPES",
    "SELF_STAFFED_SWARM_TYPES",
    "SWARM_OUTPUT_TYPES",
    "SWARM_TYPES",
    "WORKFLOW_SWARM_TYPES",
    "AdvancedResearchBatchRequest",
    "AdvancedResearchConfig",
    "AdvancedResearchRequest",
    "AgentCompletion",
    "AgentRunRequest",
    "AgentSpec",
    "AutoGenerateRequest",
    "AutoSwarmBuilderRequest",
    "BatchedGridWorkflowRequest",
    "ChatCompletionRequest",
    "ChatMessage",
    "EdgeSpec",
    "GraphWorkflowRequest",
    "HistoryMessage",
    "MCPConnection",
    "MarketplaceAgentsRequest",
    "NamedAgentSpec",
    "ReasoningAgentRequest",
    "ScheduleRequest",
    "ScheduleSpec",
    "SwarmOutputType",
    "SwarmRunRequest",
    "SwarmSpec",
]

SwarmType = Literal[
    "AgentRearrange",
    "MixtureOfAgents",
    "SequentialWorkflow",
    "ConcurrentWorkflow",
    "GroupChat",
    "MultiAgentRouter",
    "AutoSwarmBuilder",
    "HierarchicalSwarm",
    "auto",
    "MajorityVoting",
    "CouncilAsAJudge",
    "HeavySwarm",
    "BatchedGridWorkflow",
    "LLMCouncil",
    "DebateWithJudge",
    "RoundRobin",
    "PlannerWorkerSwarm",
    "HiearchicalSwarm",
    "MALT",
    "DeepResearchSwarm",
    "InteractiveGroupChat",
    "SpreadSheetSwarm",
    "GraphWorkflow",
    "AdvancedResearch",
]

# Derived from the Literal so the accepted values are written once.
SWARM_TYPES: tuple[str, ...] = get_args(SwarmType)
# /v1/swarms/available, in the docs' order (reference b.10): the values before the misspelling.
DOCS_SWARM_TYPES: tuple[str, ...] = SWARM_TYPES[: SWARM_TYPES.index("HiearchicalSwarm")]
# Accepted behind switches (reference §g): the SDK-era misspelling and the legacy types after it.
LEGACY_SWARM_TYPES: tuple[str, ...] = SWARM_TYPES[
    SWARM_TYPES.index("HiearchicalSwarm") + 1 : SWARM_TYPES.index("GraphWorkflow")
]
# Seed 003's table also lists these two: they run on the graph / research engines (engine.swarm_runner).
WORKFLOW_SWARM_TYPES: tuple[str, ...] = SWARM_TYPES[SWARM_TYPES.index("GraphWorkflow") :]
# output_type of a swarm (reference §g: [S2], [SRV] and the SDK enum; engine.output_types shapes each).
SwarmOutputType = Literal[
    "list",
    "dict",
    "dictionary",
    "str",
    "string",
    "all",
    ".txt",
    ".md",
    "final",
    "last",
    "json",
    ".json",
    "yaml",
    ".yaml",
    "xml",
    "dict-all-except-first",
    "str-all-except-first",
    "dict-final",
    "list-final",
]
SWARM_OUTPUT_TYPES: tuple[str, ...] = get_args(SwarmOutputType)
# Types that bring their own agents: every other type needs at least one agent in the request.
SELF_STAFFED_SWARM_TYPES: tuple[str, ...] = (
    "HeavySwarm",
    "AutoSwarmBuilder",
    "CouncilAsAJudge",
    "DebateWithJudge",
    "MALT",
    "AdvancedResearch",  # its director and workers are built in (engine.swarm_runner)
)
HEAVY_SWARM_VARIANTS: tuple[str, ...] = ("default", "medium", "heavy")

REASONING_AGENT_TYPES: tuple[str, ...] = (
    "reasoning-duo",
    "self-consistency",
    "ire",
    "reasoning-agent",
    "consistency-agent",
    "ire-agent",
    "ReflexionAgent",
    "GKPAgent",
    "AgentJudge",
)
ReasoningOutputType = Literal[
    "list",
    "dict",
    "dictionary",
    "string",
    "str",
    "final",
    "last",
    "json",
    "all",
    "yaml",
    "xml",
    "dict-all-except-first",
    "str-all-except-first",
    "basemodel",
    "dict-final",
    "list-final",
]


# The simulator runs every loop for real; bounds keep one request from running for minutes
# (mockswarms.limits, README "Reliability"). No source documents a cap; 100 is far above any
# documented example (1-5). The product of agents, loops, tasks and samples has its own bound.
Loops = Annotated[int, Field(le=MAX_LOOPS)]
_Item = TypeVar("_Item")
# Every other list: pydantic builds one error per bad item, and 100,000 of them held the event loop
# for seconds; a cap stops it at the first item past it.
Items = Annotated[list[_Item], Field(max_length=MAX_LIST_ITEMS)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class MCPConnection(_Body):
    type: str | None = "mcp"
    url: str | None = None
    tool_configurations: dict[str, Any] | None = None
    authorization_token: str | None = None
    transport: str | None = "streamable_http"
    headers: dict[str, str] | None = None
    timeout: int | None = 10


class MCPConfigs(_Body):
    connections: Items[MCPConnection]


class UseCase(_Body):
    title: str | None = None
    description: str | None = None


class AgentSpec(_Body):
    agent_name: str | None = Field(None, max_length=100)
    description: str | None = None
    system_prompt: str | None = None
    marketplace_prompt_id: str | None = None
    model_name: str | None = None
    auto_generate_prompt: bool | None = False
    max_tokens: int | None = None
    temperature: float | None = None
    role: str | None = "worker"
    max_loops: Loops | Literal["auto"] | None = 1
    tools_list_dictionary: Items[dict[str, Any]] | None = None
    tools_dictionary: Items[dict[str, Any]] | None = None  # pre-2026 name
    selected_tools: str | Items[str] | None = None
    mcp_url: str | None = None
    mcp_config: MCPConnection | None = None
    mcp_configs: MCPConfigs | None = None
    streaming_on: bool | None = False
    llm_args: dict[str, Any] | None = None
    dynamic_temperature_enabled: bool | None = True
    tool_call_summary: bool | None = True
    reasoning_effort: str | None = None
    thinking_tokens: int | None = None
    reasoning_enabled: bool | None = False
    publish_to_marketplace: bool | None = False
    use_cases: Items[UseCase] | None = None
    tags: Items[str] | None = None
    capabilities: Items[str] | None = None
    category: str | None = None
    is_free: bool | None = True
    price_usd: float | None = None
    handoffs: Items[AgentSpec] | None = None


_AGENT_NAME_RULE = rule(
    "The server runs named agents only: `agent_name` (1-100 characters), or `marketplace_prompt_id` for a "
    "marketplace agent; otherwise 400 (`Agent name is required`).",
    any_of([present("agent_name", NON_EMPTY_STRING), present("marketplace_prompt_id", NON_EMPTY_STRING)]),
)


class NamedAgentSpec(AgentSpec):
    """An AgentSpec as the server runs it (agent, swarm, graph and grid requests): it has a name."""

    model_config = ConfigDict(json_schema_extra=with_rules(_AGENT_NAME_RULE))


class HistoryMessage(_Body):
    role: str
    content: Any = None


class AgentCompletion(_Body):
    agent_config: AgentSpec | None = None
    task: str | None = None
    history: dict[str, Any] | Items[HistoryMessage] | None = None
    img: str | None = None
    imgs: list[str] | None = Field(None, max_length=MAX_IMAGES)  # each billed $0.25
    tools_enabled: Items[str] | None = None
    stream: bool | None = None


class AgentRunRequest(AgentCompletion):
    """``POST /v1/agent/completions`` as the server accepts it: ``agent_config`` with a named agent.
    (Batch items stay plain ``AgentCompletion``: an item that breaks this fails alone, inside a 200.)"""

    agent_config: NamedAgentSpec  # schema only: required, not null


class ScheduleSpec(_Body):
    scheduled_time: str
    timezone: str | None = "UTC"


class SwarmSpec(_Body):
    name: str | None = Field(None, max_length=100)
    description: str | None = None
    agents: list[AgentSpec] | None = Field(None, max_length=MAX_AGENTS)
    max_loops: Loops | None = 1
    swarm_type: SwarmType | None = None
    rearrange_flow: str | None = None
    task: str | None = None
    tasks: list[str] | None = Field(None, max_length=MAX_TASKS)
    messages: Items[dict[str, Any]] | dict[str, Any] | None = None
    img: str | None = None
    rules: str | None = None
    stream: bool | None = False
    service_tier: str | None = "standard"
    heavy_swarm_loops_per_agent: Loops | None = None
    heavy_swarm_max_loops: Loops | None = None
    heavy_swarm_question_agent_model_name: str | None = None
    heavy_swarm_worker_model_name: str | None = None
    heavy_swarm_variant: str | None = None
    multi_agent_collab_prompt: bool | None = True
    list_all_agents: bool | None = False
    council_judge_model_name: str | None = None
    chairman_model: str | None = None
    director_model_name: str | None = None
    director_settings: dict[str, Any] | None = None
    return_history: bool | None = True
    schedule: ScheduleSpec | None = None
    output_type: SwarmOutputType | None = None


_NON_EMPTY_ARRAY: dict[str, Any] = {"type": "array", "minItems": 1}
_SWARM_RULES = (
    rule(
        "A task: a non-empty `task`, `tasks` or `messages`; otherwise 400 (`There is no task or tasks or "
        "messages provided. …`).",
        any_of(
            [
                present("task", NON_EMPTY_STRING),
                present("tasks", _NON_EMPTY_ARRAY),
                present("messages", {"anyOf": [_NON_EMPTY_ARRAY, {"type": "object", "minProperties": 1}]}),
            ]
        ),
    ),
    rule(
        "At least one agent, unless `swarm_type` brings its own ("
        + ", ".join(SELF_STAFFED_SWARM_TYPES)
        + "); otherwise 400 (`Agent validation error: At least one agent is required.`).",
        any_of(
            [
                present("agents", _NON_EMPTY_ARRAY),
                present("swarm_type", {"enum": list(SELF_STAFFED_SWARM_TYPES)}),
            ]
        ),
    ),
    rule(
        "With `swarm_type` HeavySwarm, `heavy_swarm_variant` is "
        + ", ".join(HEAVY_SWARM_VARIANTS)
        + " or null; "
        "otherwise 422.",
        any_of(
            [
                {"properties": {"heavy_swarm_variant": {"enum": [*HEAVY_SWARM_VARIANTS, None]}}},
                {
                    "properties": {
                        "swarm_type": {"enum": [*(t for t in SWARM_TYPES if t != "HeavySwarm"), None]}
                    }
                },
            ]
        ),
    ),
)


class SwarmRunRequest(SwarmSpec):
    """``POST /v1/swarm/completions`` as the server accepts it: a task, named agents (unless the type
    brings its own), a known HeavySwarm variant. (Batch items stay plain ``SwarmSpec``: an item that breaks
    a rule comes back as an error item inside a 200.)"""

    model_config = ConfigDict(json_schema_extra=with_rules(*_SWARM_RULES))

    agents: list[NamedAgentSpec] | None = Field(None, max_length=MAX_AGENTS)  # type: ignore[assignment]


class ScheduleRequest(SwarmSpec):
    """``POST /v1/swarm/schedule`` (legacy) as the server accepts it: ``schedule`` is required (400
    ``Schedule information is required``); the swarm itself is checked when the job runs."""

    schedule: ScheduleSpec  # schema only: required, not null


class ChatContentPart(_Body):
    type: str
    text: str | None = None
    image_url: dict[str, Any] | None = None


class ChatMessage(_Body):
    role: str
    content: str | Items[ChatContentPart] | None = None
    name: str | None = None


# (param, minimum, maximum) of the OpenAI API's own checks; reference b.14 gives temperature 0.0-2.0. The
# docs/legacy server answers 400 naming the param outside them (engine.workflows.run_chat); null is unset.
CHAT_PARAM_BOUNDS: tuple[tuple[str, int, int | None], ...] = (
    ("max_tokens", 1, None),
    ("max_completion_tokens", 1, None),
    ("temperature", 0, 2),
    ("top_p", 0, 1),
    ("presence_penalty", -2, 2),
    ("frequency_penalty", -2, 2),
    ("n", 1, None),  # above 1: the rule before
)


# Roles the OpenAI API accepts in `messages` (docs/legacy: 400 naming `messages[i].role` otherwise).
CHAT_ROLES: tuple[str, ...] = ("system", "developer", "user", "assistant", "tool", "function")


def _bounds(low: int, high: int | None) -> dict[str, int]:
    return {"minimum": low} if high is None else {"minimum": low, "maximum": high}


class ChatCompletionRequest(_Body):
    model_config = ConfigDict(
        json_schema_extra=with_rules(
            rule(
                "At least one message with role `user`; otherwise 400 "
                "(`At least one message with role 'user' is required.`).",
                {"properties": {"messages": {"contains": present("role", {"const": "user"})}}},
            ),
            rule("Only n=1 is supported; n > 1 is answered 400.", {"properties": {"n": {"maximum": 1}}}),
            rule(
                "Every message's `role` is one of OpenAI's; otherwise 400 naming `messages[i].role`.",
                {"properties": {"messages": {"items": {"properties": {"role": {"enum": list(CHAT_ROLES)}}}}}},
            ),
            # Said, not schema: as JSON Schema these two stopped schemathesis' coverage phase from
            # sending negative data for this operation (tests/contract/test_verify_prism_cli.py).
            rule(
                "`tool_choice` is `none`, `auto`, `required`, a function `tools` declares "
                '(`{"type": "function", "function": {"name"}}`), `allowed_tools` or `custom`, and '
                "only comes with a non-empty `tools`; `response_format.type` is `text`, `json_object` or "
                '`json_schema` (with a named `json_schema`), and `json_object` needs the word "json" in '
                "some message; otherwise 400 naming the param.",
                {},
            ),
            rule(
                "As the OpenAI API checks them: a non-empty `model`; `max_tokens`, `max_completion_tokens` "
                "and `n` at least 1; `temperature` 0-2; `top_p` 0-1; `presence_penalty` and "
                "`frequency_penalty` -2 to 2; otherwise 400 (`invalid_request_error` naming the param).",
                {
                    "properties": {
                        "model": {"minLength": 1},
                        **{name: _bounds(low, high) for name, low, high in CHAT_PARAM_BOUNDS},
                    }
                },
            ),
        )
    )

    model: str
    messages: Items[ChatMessage]
    temperature: float | None = 0.5
    max_tokens: int | None = 8192
    max_completion_tokens: int | None = None
    stream: bool | None = False
    top_p: float | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    n: int | None = 1
    user: str | None = None
    max_loops: Loops | None = 1
    # OpenAI's: `include_usage` adds a last chunk with the usage to a stream.
    stream_options: dict[str, Any] | None = None
    tools: Items[dict[str, Any]] | None = None  # {"type": "function", "function": {"name", "parameters"}}
    tool_choice: str | dict[str, Any] | None = None  # "none" | "auto" | "required" | a named function
    response_format: dict[str, Any] | None = None  # text | json_object | json_schema


class ReasoningAgentRequest(_Body):
    model_config = ConfigDict(
        json_schema_extra=with_rules(
            rule(
                "`swarm_type` is one of the reasoning agent types (null: reasoning-duo); otherwise 422.",
                {"properties": {"swarm_type": {"enum": [*REASONING_AGENT_TYPES, None]}}},
            )
        )
    )

    agent_name: str | None = "reasoning-agent"
    description: str | None = "A reasoning agent that can answer questions and help with tasks."
    model_name: str | None = "claude-sonnet-4-20250514"
    system_prompt: str | None = None
    max_loops: Loops | None = 1
    swarm_type: str | None = None  # a str so prism answers any; the schema rule lists the accepted ones
    num_samples: Loops | None = 1
    output_type: ReasoningOutputType | None = "dict-all-except-first"
    num_knowledge_items: int | None = None
    memory_capacity: int | None = None
    task: str | None = None


class AutoSwarmBuilderRequest(_Body):
    name: str | None = None
    description: str | None = None
    task: str | None = None
    model_name: str | None = None
    max_tokens: int | None = None
    max_loops: Loops | None = None
    execution_type: Literal["return-agents", "return-swarm-router-config", "return-agents-objects"] | None = (
        None
    )


class AdvancedResearchConfig(_Body):
    model_config = ConfigDict(
        json_schema_extra=with_rules(
            rule(
                "`worker_model_name` and `director_model_name`, when sent, are non-empty strings; "
                "`max_loops` is at least 1; otherwise 422 with an `error_code`.",
                {
                    "properties": {
                        "worker_model_name": NON_EMPTY_STRING,
                        "director_model_name": NON_EMPTY_STRING,
                        "max_loops": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
                    }
                },
            )
        )
    )

    name: str | None = "Advanced Research"
    description: str | None = "Advanced Research"
    worker_model_name: str | None = "gpt-4.1"
    director_agent_name: str | None = "Director-Agent"
    director_model_name: str | None = "gpt-4.1"
    director_max_tokens: int | None = 8000
    director_max_loops: Loops | None = 1
    max_loops: Loops | None = 1
    exa_search_num_results: int | None = 2
    exa_search_max_characters: int | None = 100


class AdvancedResearchRequest(_Body):
    config: AdvancedResearchConfig | None
    task: str | None
    img: str | None = None


class AdvancedResearchBatchRequest(_Body):
    input_schemas: Items[AdvancedResearchRequest]


class MarketplaceAgentsRequest(_Body):
    number_of_items: int | None = Field(10, ge=0, le=100)


class BatchedGridWorkflowRequest(_Body):
    model_config = ConfigDict(
        json_schema_extra=with_rules(
            rule(
                "`max_loops` (>= 1), at least one agent in `agent_completions` and one task in `tasks`; "
                "otherwise 400.",
                {
                    "required": ["max_loops", "agent_completions", "tasks"],
                    "properties": {
                        "max_loops": {"type": "integer", "minimum": 1},
                        "agent_completions": _NON_EMPTY_ARRAY,
                        "tasks": _NON_EMPTY_ARRAY,
                    },
                },
            )
        )
    )

    name: str | None = None
    description: str | None = None
    agent_completions: list[NamedAgentSpec] | None = Field(None, max_length=MAX_AGENTS)
    tasks: list[str] | None = Field(None, max_length=MAX_TASKS)
    max_loops: Loops | None = None
    imgs: list[str] | None = Field(None, max_length=MAX_IMAGES)


class EdgeSpec(_Body):
    source: str
    target: str
    metadata: dict[str, Any] | None = None


class GraphWorkflowRequest(_Body):
    model_config = ConfigDict(
        json_schema_extra=with_rules(
            rule("At least one agent; otherwise 400.", present("agents", _NON_EMPTY_ARRAY))
        )
    )

    name: str | None = None
    description: str | None = None
    agents: list[NamedAgentSpec] | None = Field(None, max_length=MAX_AGENTS)
    edges: list[EdgeSpec] | None = Field(None, max_length=MAX_EDGES)
    entry_points: Items[str] | None = None
    end_points: Items[str] | None = None
    max_loops: Loops | None = 1
    task: str | None = None
    img: str | None = None
    auto_compile: bool | None = True
    verbose: bool | None = False


class AutoGenerateRequest(_Body):
    task: str
