"""The request journal as a live sequence, with call assertions (``mockswarms.journal`` in tests)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol, overload

import httpx

from mockswarms.paths import CONTROL_PREFIX

__all__ = ["CONTROL", "ControlRequests", "Journal"]

CONTROL = CONTROL_PREFIX  # the control API's own calls are left out of the journal


class ControlRequests(Protocol):
    """What the journal and the clock need of :class:`SimulatorControl`: its control API calls."""

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response: ...


class Journal(Sequence[dict[str, Any]]):
    """The requests the simulator saw, oldest first. Live: every access re-reads the journal."""

    def __init__(self, control: ControlRequests) -> None:
        self._control = control

    @property
    def entries(self) -> list[dict[str, Any]]:
        data = self._control._request("GET", "/journal").json()
        entries = data["entries"] if isinstance(data, dict) else data
        return [e for e in entries if not str(e.get("path", "")).startswith(CONTROL)]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.entries)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        return self.entries[index]

    def __repr__(self) -> str:
        return f"Journal({_summary(self.entries)})"

    @property
    def last_request(self) -> dict[str, Any] | None:
        entries = self.entries
        return entries[-1] if entries else None

    def requests(
        self, path: str | None = None, *, method: str | None = None, status: int | None = None
    ) -> list[dict[str, Any]]:
        """Entries filtered by exact path, method and status (each optional)."""
        return [
            e
            for e in self.entries
            if (path is None or e["path"] == path)
            and (method is None or e["method"] == method.upper())
            and (status is None or e["status"] == status)
        ]

    def assert_called(
        self, path: str, times: int | None = None, *, method: str | None = None, status: int | None = None
    ) -> list[dict[str, Any]]:
        """Assert ``path`` was requested (exactly ``times`` times if given); returns the matches."""
        matches = self.requests(path, method=method, status=status)
        what = " ".join(x for x in (method and method.upper(), path) if x)
        if status is not None:
            what += f" with status {status}"
        if times is None and not matches:
            raise AssertionError(f"{what} was never requested; seen: {_summary(self.entries)}")
        if times is not None and len(matches) != times:
            raise AssertionError(
                f"{what} was requested {len(matches)} time(s), expected {times}; "
                f"seen: {_summary(self.entries)}"
            )
        return matches

    def assert_not_called(self, path: str, *, method: str | None = None) -> None:
        self.assert_called(path, times=0, method=method)

    def clear(self) -> None:
        self._control._request("DELETE", "/journal")


def _summary(entries: list[dict[str, Any]]) -> str:
    if not entries:
        return "no requests"
    return ", ".join(f"{e['method']} {e['path']} -> {e['status']}" for e in entries[-20:])
