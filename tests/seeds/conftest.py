"""Fixtures for the seed-document tests: cached tool installs (venv with swarms-client 0.1.6, typescript)."""

from __future__ import annotations

from pathlib import Path

import pytest
from seed_harness import cached_typescript, cached_venv


@pytest.fixture(scope="session")
def seed_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # pytest's cache directory keeps the installs between sessions; without it (-p no:cacheprovider)
    # they are rebuilt in the session's temporary directory.
    cache = getattr(request.config, "cache", None)
    if cache is None:
        return tmp_path_factory.mktemp("mockswarms-seeds")
    return Path(cache.mkdir("mockswarms-seeds"))


@pytest.fixture(scope="session")
def client016_python(seed_cache: Path) -> str:
    return cached_venv(seed_cache)


@pytest.fixture(scope="session")
def typescript_dir(seed_cache: Path) -> Path:
    return cached_typescript(seed_cache)
