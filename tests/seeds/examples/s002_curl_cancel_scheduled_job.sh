# 002 Shell (cURL) / Cancel Scheduled Job; only the base URL and key come from the environment.
curl -X DELETE "$SWARMS_API_BASE_URL/v1/swarm/schedule/job_id_here" \
  -H "x-api-key: $SWARMS_API_KEY"
