"""Every request and response shape of the public API, declared once.

Requests are pydantic models (``requests.py``): the HTTP layer parses with them. Responses are
``TypedDict``s by endpoint family (``agents``, ``swarms``, ``chat``, ``workflows``, ``account``,
``discovery``, ``error_bodies``; bare arrays in ``arrays``): the code that builds a body is typed with
its shape. The contract generator (``mockswarms.contract.openapi``) reads both."""
