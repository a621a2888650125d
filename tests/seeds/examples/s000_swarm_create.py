# 000 Swarm Resource: create
import os

from swarms_client import SwarmsClient

# Setup from the document's "Client Initialization" section; only the key and base URL come from the
# environment (SWARMS_API_KEY, SWARMS_API_BASE_URL).
client = SwarmsClient(api_key=os.environ["SWARMS_API_KEY"], base_url=os.environ["SWARMS_API_BASE_URL"])

response = client.swarm.create(
    name="Research Swarm",
    description="A swarm for research tasks",
    swarm_type="SequentialWorkflow",
    task="Research quantum computing advances in 2024 and summarize the key findings",
    agents=[
        {
            "agent_name": "Researcher",
            "description": "Conducts in-depth research",
            "model_name": "gpt-4o",
            "temperature": 0.5
        },
        {
            "agent_name": "Critic",
            "description": "Evaluates arguments for flaws",
            "model_name": "gpt-4o-mini",
            "temperature": 0.3
        }
    ],
    max_loops=3,
    return_history=True
)

print(f"Job ID: {response.job_id}")
print(f"Status: {response.status}")
print(f"Output: {response.output}")
