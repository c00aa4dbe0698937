"""The resources of the Python API, one per REST collection: ``reg.reviews``, ``reg.evidence`` ...

Each is a small class over a :class:`~mltrl.service.registry.Registry` (its transactions, actor and
catalogue), named after the noun of its REST route and with verbs matching what the route does, so
the HTTP API, the Python API and docs/python-api.md share one map (DESIGN.md §7).
"""
