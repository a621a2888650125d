"""Conventions of every response body shape (``mockswarms.shapes.<family>``).

Each body is a ``TypedDict``: the code that builds it annotates the dict literal with it (mypy checks
every key and type at the construction site, at no cost at run time), and the contract generator
turns it into a JSON Schema through pydantic's ``TypeAdapter``. Shapes are the documented ones
(reference §b, with the §i recommendations), filled so that the official SDKs' strict validation
passes (§h): keys the SDKs declare required-but-nullable are required here too; unknown extra keys
are allowed (``OUT`` → ``additionalProperties: true``), as the SDKs allow them. Wire numbers are
``float``/``int``: money is computed as ``Decimal`` in the domain and serialised as a JSON number.

A key a body may leave out is ``NotRequired[Annotated[T, ABSENT]]`` (the schema shows its default,
``null``). Bare JSON arrays are ``RootModel`` lists of these shapes. Where a profile switch changes
a shape (legacy agent batch list, legacy swarm layout, flat usage costs), the old variant has its
own shape and the contract documents both as ``anyOf``.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

__all__ = ["ABSENT", "OUT"]

OUT = ConfigDict(extra="allow")
ABSENT = Field(default=None)
