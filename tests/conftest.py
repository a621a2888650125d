"""Shared test set-up.

pytester's in-process runs (tests/testing/test_plugin.py) restore ``sys.modules`` afterwards, dropping
modules first imported inside them; a later import then makes second copies whose classes fail
``isinstance`` checks against the first (Schemathesis engine events, in tests/contract/test_verify.py).
Importing them here, before any pytester run, keeps one copy for the whole session.

``redis_url``: ``MOCKSWARMS_TEST_REDIS_URL`` when set, otherwise a throw-away ``redis-server`` on a
free port for the session (tests needing it are skipped, with the reason, when it is not installed).
"""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import schemathesis.engine
import schemathesis.engine.events  # noqa: F401


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    url = os.environ.get("MOCKSWARMS_TEST_REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip(
            "redis-server is not on PATH (apt-get install redis-server, or set MOCKSWARMS_TEST_REDIS_URL)"
        )
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("redis-server did not start")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
