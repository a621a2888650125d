# 000 Advanced Features: connection pooling, circuit breaker, caching (key and base URL from the environment).
import os
from swarms_client import SwarmsClient

client = SwarmsClient(
    api_key=os.environ["SWARMS_API_KEY"],
    base_url=os.environ["SWARMS_API_BASE_URL"],
    pool_connections=100,  # Number of connection pools to cache
    pool_maxsize=100,      # Maximum number of connections to save in the pool
    keep_alive_timeout=5   # Keep-alive timeout for connections in seconds
)

client = SwarmsClient(
    api_key=os.environ["SWARMS_API_KEY"],
    base_url=os.environ["SWARMS_API_BASE_URL"],
    circuit_breaker_threshold=5,  # Number of failures before the circuit opens
    circuit_breaker_timeout=60    # Time in seconds before attempting to close the circuit
)

client = SwarmsClient(
    api_key=os.environ["SWARMS_API_KEY"],
    base_url=os.environ["SWARMS_API_BASE_URL"],
    enable_cache=True  # Enable in-memory caching
)

# Clear the cache manually if needed
client.clear_cache()
