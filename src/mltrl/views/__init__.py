"""Read-side views shared by the CLI and the Python API; they only need a :class:`Reader`."""
