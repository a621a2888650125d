# 000 Swarm Resource: list_types
import os

from swarms_client import SwarmsClient

# Setup from the document's "Client Initialization" section; only the key and base URL come from the
# environment (SWARMS_API_KEY, SWARMS_API_BASE_URL).
client = SwarmsClient(api_key=os.environ["SWARMS_API_KEY"], base_url=os.environ["SWARMS_API_BASE_URL"])

response = client.swarm.list_types()

print(f"Available swarm types:")
for swarm_type in response.swarm_types:
    print(f"- {swarm_type}")
