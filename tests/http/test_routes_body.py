"""http/routes.py's request body: read once, parsed once, floats that are integers made integers."""

import json

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from mockswarms.http.routes import _Body, _integral

_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet="ab1.eE -", max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text("xyz", max_size=2), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=400)
@given(_JSON_VALUES)
def test_a_body_without_a_float_mark_is_passed_on_as_parsed(value: object) -> None:
    """``5.0`` becomes ``5`` for strict parsing; bytes with no digit before "." or an exponent hold
    no float, so the payload is the parse itself — and equal to the converted one either way."""
    raw = json.dumps(value).encode()
    body = _Body(raw, openai=False)
    converted = _integral(orjson.loads(raw))
    assert body.payload() == converted
    assert [type(x) for x in _leaves(body.payload())] == [type(x) for x in _leaves(converted)]


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]
