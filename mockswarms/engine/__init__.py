"""The simulated service, plain Python: auth and gates, limits, billing, the fake LLM and its fixtures,
every architecture and workflow, the scheduler. Never imports Starlette, httpx or uvicorn."""
