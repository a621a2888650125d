"""The one source of randomness: a seed, and independent streams derived from it.

Two kinds of draws:
- :meth:`Entropy.derive` gives a fresh ``random.Random`` fixed by (seed, parts): the same prompt
  always yields the same generated text, whatever happened before.
- :meth:`Entropy.ids` is a stream consumed in request order: ids differ per request but the same
  request sequence gives the same ids.
"""

from __future__ import annotations

import hashlib
import random
import string

__all__ = ["Entropy", "IdSource"]

_ALNUM = string.ascii_letters + string.digits


def _seed_from(seed: int, parts: tuple[object, ...]) -> int:
    digest = hashlib.blake2b(repr((seed, *parts)).encode("utf-8"), digest_size=16).digest()
    return int.from_bytes(digest, "big")


# The version-4 and RFC 4122 variant bits, as uuid.UUID(version=4) sets them.
_UUID_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID_V4 = (0x8000 << 48) | (4 << 76)


class IdSource:
    """Identifiers in the API's formats, drawn from one seeded stream."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def hex(self, length: int) -> str:
        # One draw for the whole id: ids are on every response's hot path.
        return f"{self._rng.getrandbits(4 * length):0{length}x}"

    def alnum(self, length: int) -> str:
        return "".join(self._rng.choices(_ALNUM, k=length))

    def uuid(self) -> str:
        # str(uuid.UUID(int=n, version=4)), spelled out: one on every agent output message.
        n = (self._rng.getrandbits(128) & _UUID_CLEAR) | _UUID_V4
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    # Formats per reference §i row 54.
    def agent_job(self) -> str:
        return "agent-" + self.hex(32)

    def swarm_job(self) -> str:
        return "swarms-" + self.alnum(28)

    def chat_completion(self) -> str:
        return "chatcmpl-" + self.hex(27)

    def prefixed(self, prefix: str, length: int = 12) -> str:
        """e.g. ``batched-grid-workflow-XyZ123AbC456``, ``graph-workflow-…``, ``agent-batch-…``."""
        return f"{prefix}-{self.alnum(length)}"


class Entropy:
    """Seeded randomness for one simulator. ``reset()`` rewinds the id stream."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.lane = 1
        self._stream = random.Random(self._stream_seed())
        self.ids = IdSource(self._stream)

    def _stream_seed(self) -> int:
        # Lane 1 is the historical stream, so a single process keeps its exact ids.
        return _seed_from(self.seed, ("ids",) if self.lane == 1 else ("ids", self.lane))

    def use_lane(self, lane: int) -> None:
        """Rewind the id stream onto ``lane``: processes sharing one store each take their own lane
        (from the store), so their ids never collide while each stays deterministic."""
        self.lane = max(lane, 1)
        self._stream.seed(self._stream_seed())

    def derive(self, *parts: object) -> random.Random:
        """An independent RNG determined only by the seed and ``parts`` (reprs must be stable)."""
        return random.Random(_seed_from(self.seed, parts))

    def stream(self) -> random.Random:
        """The request-ordered stream (ids, probabilistic faults)."""
        return self._stream

    def reset(self, seed: int | None = None) -> None:
        if seed is not None:
            self.seed = seed
        self._stream.seed(self._stream_seed())
