# 001 health (Shell (curl)); only the base URL and key come from the environment.
curl -X GET "$SWARMS_API_BASE_URL/health" \
-H "x-api-key: $SWARMS_API_KEY"
