"""Persistence: schema, migrations, locating the registry, and reading/writing it."""
