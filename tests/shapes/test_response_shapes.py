"""One declaration per response body: the TypedDicts of ``mockswarms.shapes`` are what the contract
describes, and the checked-in contract is exactly what they generate."""

import json
from typing import Any

from pydantic import RootModel, TypeAdapter
from typing_extensions import is_typeddict

from mockswarms.contract import FULL_CONTRACT_PATH
from mockswarms.shapes import arrays
from mockswarms.shapes import responses as rs

FULL: dict[str, Any] = json.loads(FULL_CONTRACT_PATH.read_text(encoding="utf-8"))
SCHEMAS: dict[str, Any] = FULL["components"]["schemas"]


def test_every_response_shape_is_a_typeddict_or_a_bare_array() -> None:
    for name in rs.__all__:
        shape = getattr(rs, name)
        if name in arrays.__all__:
            assert issubclass(shape, RootModel), name
        else:
            assert is_typeddict(shape), f"{name} is not a TypedDict"


def test_every_response_shape_is_a_component_of_the_contract_generated_from_it() -> None:
    for name in rs.__all__:
        generated = TypeAdapter(getattr(rs, name)).json_schema(ref_template="#/components/schemas/{model}")
        generated.pop("$defs", None)
        assert SCHEMAS[name] == generated, name


def test_a_body_built_by_the_code_is_its_shape_key_for_key() -> None:
    from mockswarms.config import Settings
    from mockswarms.engine import billing

    usage, _ = billing.workflow_usage(1_000, 2_000, 3, settings=Settings(), now=0.0)
    assert TypeAdapter(rs.WorkflowUsage).validate_python(usage) == usage
    assert list(usage) == list(SCHEMAS["WorkflowUsage"]["properties"])
