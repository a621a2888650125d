# 000 Logs Resource: alist (the key comes from SWARMS_API_KEY as in the document; base URL from the environment).
import os
import asyncio
from swarms_client import SwarmsClient

async def main():
    async with SwarmsClient(base_url=os.environ["SWARMS_API_BASE_URL"]) as client:
        response = await client.logs.alist()
        
        print(f"Found {response.count} logs:")
        for log in response.logs:
            print(f"- ID: {log.id}, Created at: {log.created_at}")
            print(f"  Data: {log.data}")

asyncio.run(main())
