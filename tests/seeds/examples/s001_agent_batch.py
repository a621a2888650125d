# 001 agent batch (Python (requests)); only the base URL and key come from the environment.
import os
import requests
import json
API_BASE_URL = os.environ["SWARMS_API_BASE_URL"]
API_KEY = os.environ["SWARMS_API_KEY"]
headers = {
"x-api-key": API_KEY,
"Content-Type": "application/json"
}
batch_agents = [
{
"agent_config": {
"agent_name": "Market Analyst",
"description": "Expert in market analysis",
"system_prompt": "You are a financial market analyst.",
"model_name": "gpt-4o",
"temperature": 0.3
},
"task": "Analyze the current market trends in AI technology sector"
},
{
"agent_config": {
"agent_name": "Technical Writer",
"description": "Specialized in technical documentation",
"system_prompt": "You are a technical documentation expert.",
"model_name": "gpt-4o",
"temperature": 0.7
},
"task": "Create a technical guide for implementing OAuth2 authentication"
}
]
response = requests.post(
f"{API_BASE_URL}/v1/agent/batch/completions",
headers=headers,
json=batch_agents
)
if response.status_code == 200:
    result = response.json()
    print(f"Batch completed with {result['total_requests']} agents")
    print(f"Execution time: {result['execution_time']} seconds")
    print("\nResults:")
    for i, agent_result in enumerate(result['results']):
        print(f" Agent {i+1}: {agent_result['name']} - {agent_result['success']}")
else:
    print(f"Error: {response.status_code} - {response.text}")
