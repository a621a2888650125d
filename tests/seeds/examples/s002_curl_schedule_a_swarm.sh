# 002 Shell (cURL) / Schedule a Swarm; only the base URL and key come from the environment.
curl -X POST "$SWARMS_API_BASE_URL/v1/swarm/schedule" \
  -H "x-api-key: $SWARMS_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{
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
      "scheduled_time": "2024-03-20T15:00:00Z",
      "timezone": "America/New_York"
    }
  }'
