"""The HTTP layer (Starlette): the app and its middleware, public routes, endpoint handlers, the control
API, SSE rendering and contract request validation. Thin: it parses, calls the engine, renders."""
