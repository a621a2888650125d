# 001 swarm batch (Python (requests)); only the base URL and key come from the environment.
import os
import requests
import json
API_BASE_URL = os.environ["SWARMS_API_BASE_URL"]
API_KEY = os.environ["SWARMS_API_KEY"]
headers = {
"x-api-key": API_KEY,
"Content-Type": "application/json"
}
batch_swarms = [
{
"name": "Batch Swarm 1",
"description": "First swarm in the batch",
"agents": [
{
"agent_name": "Research Agent",
"description": "Conducts research",
"system_prompt": "You are a research assistant.",
"model_name": "gpt-4o",
"role": "worker",
"max_loops": 1
},
{
"agent_name": "Analysis Agent",
"description": "Analyzes data",
"system_prompt": "You are a data analyst.",
"model_name": "gpt-4o",
"role": "worker",
"max_loops": 1
}
],
"max_loops": 1,
"swarm_type": "SequentialWorkflow",
"task": "Research AI advancements."
},
{
"name": "Batch Swarm 2",
"description": "Second swarm in the batch",
"agents": [
{
"agent_name": "Writing Agent",
"description": "Writes content",
"system_prompt": "You are a content writer.",
"model_name": "gpt-4o",
"role": "worker",
"max_loops": 1
},
{
"agent_name": "Editing Agent",
"description": "Edits content",
"system_prompt": "You are an editor.",
"model_name": "gpt-4o",
"role": "worker",
"max_loops": 1
}
],
"max_loops": 1,
"swarm_type": "SequentialWorkflow",
"task": "Write a summary of AI research."
}
]
response = requests.post(
f"{API_BASE_URL}/v1/swarm/batch/completions",
headers=headers,
json=batch_swarms
)
if response.status_code == 200:
    results = response.json()
    print(f"Batch completed with {len(results)} swarms")
    for i, result in enumerate(results):
        print(f"Swarm {i+1}: {result['swarm_name']} - {result['status']}")
else:
    print(f"Error: {response.status_code} - {response.text}")
