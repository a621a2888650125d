# 000 Swarm Resource: create_batch
import os

from swarms_client import SwarmsClient

# Setup from the document's "Client Initialization" section; only the key and base URL come from the
# environment (SWARMS_API_KEY, SWARMS_API_BASE_URL).
client = SwarmsClient(api_key=os.environ["SWARMS_API_KEY"], base_url=os.environ["SWARMS_API_BASE_URL"])

responses = client.swarm.create_batch([
    {
        "name": "Research Swarm",
        "swarm_type": "auto",
        "task": "Research quantum computing advances",
        "agents": [
            {"agent_name": "Researcher", "model_name": "gpt-4o"}
        ]
    },
    {
        "name": "Writing Swarm",
        "swarm_type": "SequentialWorkflow",
        "task": "Write a blog post about AI safety",
        "agents": [
            {"agent_name": "Writer", "model_name": "gpt-4o"},
            {"agent_name": "Editor", "model_name": "gpt-4o-mini"}
        ]
    }
])

for i, response in enumerate(responses):
    print(f"Swarm {i+1} Job ID: {response.job_id}")
    print(f"Status: {response.status}")
    print(f"Output: {response.output}")
    print("---")
