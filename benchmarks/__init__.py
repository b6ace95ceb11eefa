"""Performance suites for asgikit (not shipped with the package).

- ``python -m benchmarks.inprocess``: apps called directly, median ns per request vs raw ASGI.
- ``python -m benchmarks.server``: uvicorn and granian under ``wrk``, req/s and server CPU.
- ``python -m benchmarks.soak --seconds 60``: mixed valid and hostile traffic, RSS and fds.

See ``benchmarks/README.md`` and ``docs/performance.md``.
"""
