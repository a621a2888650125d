# 002 Code Examples / Python / Using requests; only the base URL and key come from the environment.
import os
import requests
from datetime import datetime, timedelta
import pytz

API_KEY = os.environ["SWARMS_API_KEY"]
BASE_URL = os.environ["SWARMS_API_BASE_URL"]

headers = {
    "x-api-key": API_KEY,
    "Content-Type": "application/json"
}

def run_single_swarm():
    payload = {
        "name": "Financial Analysis Swarm",
        "description": "Market analysis swarm",
        "agents": [
            {
                "agent_name": "Market Analyst",
                "description": "Analyzes market trends",
                "system_prompt": "You are a financial analyst expert.",
                "model_name": "gpt-4o",
                "role": "worker",
                "max_loops": 1
            }
        ],
        "max_loops": 1,
        "swarm_type": "SequentialWorkflow",
        "task": "Analyze current market trends in tech sector",
        "return_history": True,
        "rules": "Focus on major market indicators"
    }
    
    response = requests.post(
        f"{BASE_URL}/v1/swarm/completions",
        headers=headers,
        json=payload
    )
    
    return response.json()

def schedule_swarm():
    # Schedule for 1 hour from now
    scheduled_time = datetime.now(pytz.UTC) + timedelta(hours=1)
    
    payload = {
        "name": "Scheduled Analysis",
        "agents": [
            {
                "agent_name": "Analyst",
                "system_prompt": "You are a market analyst.",
                "model_name": "gpt-4o",
                "role": "worker"
            }
        ],
        "task": "Analyze tech trends",
        "schedule": {
            "scheduled_time": scheduled_time.isoformat(),
            "timezone": "America/New_York"
        }
    }
    
    response = requests.post(
        f"{BASE_URL}/v1/swarm/schedule",
        headers=headers,
        json=payload
    )
    
    return response.json()

def get_scheduled_jobs():
    response = requests.get(
        f"{BASE_URL}/v1/swarm/schedule",
        headers=headers
    )
    return response.json()

def cancel_scheduled_job(job_id: str):
    response = requests.delete(
        f"{BASE_URL}/v1/swarm/schedule/{job_id}",
        headers=headers
    )
    return response.json()

def get_swarm_logs():
    response = requests.get(
        f"{BASE_URL}/v1/swarm/logs",
        headers=headers
    )
    return response.json()
