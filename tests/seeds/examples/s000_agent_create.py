# 000 Agent Resource: create
import os

from swarms_client import SwarmsClient

# Setup from the document's "Client Initialization" section; only the key and base URL come from the
# environment (SWARMS_API_KEY, SWARMS_API_BASE_URL).
client = SwarmsClient(api_key=os.environ["SWARMS_API_KEY"], base_url=os.environ["SWARMS_API_BASE_URL"])

response = client.agent.create(
    agent_config={
        "agent_name": "Researcher",
        "description": "Conducts in-depth research on topics",
        "model_name": "gpt-4o",
        "temperature": 0.7
    },
    task="Research the latest advancements in quantum computing and summarize the key findings"
)

print(f"Agent ID: {response.id}")
print(f"Output: {response.outputs}")
