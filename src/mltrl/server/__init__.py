"""The team server: a thin HTTP layer (FastAPI on uvicorn) over the same service layer as the CLI.

No rule lives here. A router checks who is asking (:mod:`mltrl.server.security`), then calls the
:class:`~mltrl.service.registry.Registry` method the CLI calls, acting as that person, and returns
the JSON the CLI's ``--format json`` prints. See docs/server.md.
"""
