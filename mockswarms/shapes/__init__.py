"""Every request and response shape of the public API, declared once (pydantic models).

The contract generator (`mockswarms.contract.openapi`) reads them; the HTTP layer parses requests
with them."""
