"""The demo registry: the paper's use-cases, built through the public Python API."""
