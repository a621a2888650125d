# 001 agent (Python (requests)); only the base URL and key come from the environment.
import os
import requests
import json
API_BASE_URL = os.environ["SWARMS_API_BASE_URL"]
API_KEY = os.environ["SWARMS_API_KEY"]
headers = {
"x-api-key": API_KEY,
"Content-Type": "application/json"
}
agent_request = {
"agent_config": {
"agent_name": "Research Assistant",
"description": "Helps with research tasks",
"system_prompt": "You are a research assistant expert.",
"model_name": "gpt-4o",
"max_loops": 1,
"max_tokens": 8192,
"temperature": 0.5
},
"task": "Research the latest developments in quantum computing."
}
response = requests.post(
f"{API_BASE_URL}/v1/agent/completions",
headers=headers,
json=agent_request
)
if response.status_code == 200:
    result = response.json()
    print(f"Agent {result['name']} completed successfully!")
    print(f"Usage: {result['usage']['total_tokens']} tokens")
    print(f"Output: {result['outputs']}")
else:
    print(f"Error: {response.status_code} - {response.text}")
