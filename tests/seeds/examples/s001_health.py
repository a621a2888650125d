# 001 health (Python (requests)); only the base URL and key come from the environment.
import os
import requests
API_BASE_URL = os.environ["SWARMS_API_BASE_URL"]
API_KEY = os.environ["SWARMS_API_KEY"]
headers = {
"x-api-key": API_KEY
}
response = requests.get(f"{API_BASE_URL}/health", headers=headers)
if response.status_code == 200:
    print("API is healthy:", response.json())
else:
    print(f"Error: {response.status_code}")
