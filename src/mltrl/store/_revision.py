"""The schema revision this mltrl expects, kept apart so reads need not import Alembic.

A test checks it equals the head of ``store/migrations``.
"""

HEAD_REVISION = "0017_session_provider"


def is_known_revision(revision: object) -> bool:
    """Whether this mltrl has a migration named ``revision`` (False: the registry is newer)."""
    from importlib.resources import files

    versions = files("mltrl.store") / "migrations" / "versions"
    return isinstance(revision, str) and versions.joinpath(f"{revision}.py").is_file()
