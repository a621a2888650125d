# 000 Agent Resource: acreate (key and base URL from the environment).
import os
import asyncio
from swarms_client import SwarmsClient

async def main():
    async with SwarmsClient(api_key=os.environ["SWARMS_API_KEY"], base_url=os.environ["SWARMS_API_BASE_URL"]) as client:
        response = await client.agent.acreate(
            agent_config={
                "agent_name": "Researcher",
                "description": "Conducts in-depth research",
                "model_name": "gpt-4o"
            },
            task="Research the impact of quantum computing on cryptography"
        )
        
        print(f"Agent ID: {response.id}")
        print(f"Output: {response.outputs}")

asyncio.run(main())
