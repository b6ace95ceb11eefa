"""ASGI applications the integration tests run under real servers (``module:attr`` targets)."""
