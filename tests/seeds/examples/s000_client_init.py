# 000 "Client Initialization" (key and base URL from the environment).
import os

from swarms_client import SwarmsClient

# Initialize with default settings
client = SwarmsClient(api_key=os.environ["SWARMS_API_KEY"], base_url=os.environ["SWARMS_API_BASE_URL"])

# Or with custom settings
client = SwarmsClient(
    api_key=os.environ["SWARMS_API_KEY"],
    base_url=os.environ["SWARMS_API_BASE_URL"],
    timeout=60,
    max_retries=3,
    retry_delay=1,
    log_level="INFO",
    pool_connections=100,
    pool_maxsize=100,
    keep_alive_timeout=5,
    max_concurrent_requests=100,
    circuit_breaker_threshold=5,
    circuit_breaker_timeout=60,
    enable_cache=True
)

# clear_cache
client.clear_cache()
