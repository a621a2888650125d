# 002 Shell (cURL) / Get Scheduled Jobs; only the base URL and key come from the environment.
curl -X GET "$SWARMS_API_BASE_URL/v1/swarm/schedule" \
  -H "x-api-key: $SWARMS_API_KEY"
