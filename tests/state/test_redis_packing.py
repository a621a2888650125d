"""The Redis store's connections pack commands with hiredis' C packer: the same bytes redis-py's own
(Python) packer sends, the same error for an argument it cannot send, on every kind of connection."""

from __future__ import annotations

from typing import Any

import pytest
import redis.asyncio as aioredis
from hypothesis import given
from hypothesis import strategies as st
from redis.asyncio.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.exceptions import DataError

from mockswarms.state.redis import RedisStore

python_packer = Connection()  # not connected: packing needs no server

arguments = st.one_of(
    st.text(),
    st.binary(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
)


def packed_connection(url: str) -> Any:
    store = RedisStore(url)
    return store._redis.connection_pool.connection_class


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("redis://127.0.0.1:6379/0", Connection),
        ("rediss://127.0.0.1:6380/0", SSLConnection),
        ("unix:///tmp/redis.sock", UnixDomainSocketConnection),
    ],
)
def test_the_store_packs_with_hiredis_on_the_connection_its_url_picks(url: str, base: Any) -> None:
    connection_class = packed_connection(url)
    assert issubclass(connection_class, base)
    assert connection_class.pack_command is not base.pack_command


@given(st.lists(arguments, max_size=30))
def test_the_bytes_equal_redis_pys_own_packer(args: list[Any]) -> None:
    connection = packed_connection("redis://127.0.0.1:6379/0")()
    command = ("EVALSHA", "0123abcd", 2, *args)
    assert b"".join(connection.pack_command(*command)) == b"".join(python_packer.pack_command(*command))


def test_a_command_name_with_literal_arguments_is_sent_as_words() -> None:
    connection = packed_connection("redis://127.0.0.1:6379/0")()
    for command in (("CONFIG GET", "maxmemory"), (b"CLIENT SETNAME", "worker-1")):
        assert connection.pack_command(*command) == [b"".join(python_packer.pack_command(*command))]


@pytest.mark.parametrize("bad", [True, None, [1], {"a": 1}])
def test_an_argument_redis_cannot_take_is_a_data_error(bad: Any) -> None:
    connection = packed_connection("redis://127.0.0.1:6379/0")()
    with pytest.raises(DataError):
        python_packer.pack_command("SET", "k", bad)
    with pytest.raises(DataError):
        connection.pack_command("SET", "k", bad)


async def test_commands_round_trip_through_a_real_server(redis_url: str) -> None:
    store = RedisStore(redis_url, namespace="packing-test")
    try:
        client: aioredis.Redis = store._redis
        value = "é☃\x00" + "x" * 70_000  # past redis-py's 6 KB chunking cut-off
        await client.set("packing-test:value", value)
        assert await client.get("packing-test:value") == value
        assert await client.incrby("packing-test:n", 2**40) == 2**40
        await client.delete("packing-test:value", "packing-test:n")
    finally:
        await store.close()
