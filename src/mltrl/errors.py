"""The errors mltrl raises on purpose, each with the exit code the CLI maps it to.

Every message is one line that says what is wrong and where, so that a user
(or a CI log) can act on it without a traceback.
"""

from __future__ import annotations


class MltrlError(Exception):
    """Base class: a refusal mltrl can explain in one line."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        # Newlines would break the one-line contract of the CLI.
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        return str(self.args[0])


class BadInput(MltrlError):
    """Input that is malformed or names something that does not exist (exit 2)."""


class NotFound(BadInput):
    """A project, component or version the user named does not exist (exit 2)."""


class RuleViolation(BadInput):
    """A lifecycle rule of MLTRL refuses the change (skip, upward switchback ...; exit 2)."""


class Conflict(MltrlError):
    """Another writer changed the same thing first; nothing was written (exit 2)."""


class StoreError(MltrlError):
    """The registry cannot be opened or read: missing, corrupt, wrong schema (exit 2)."""

    #: The database server dropped the connection (restarted, or ended the session): a read may
    #: simply be made again on a new one.
    disconnected = False


class PolicyError(BadInput):
    """An organisation policy file is unreadable or invalid (exit 2)."""


class CheckFailed(MltrlError):
    """A check or gate ran and did not hold (exit 1)."""

    exit_code = 1


class Unauthenticated(MltrlError):
    """No valid credentials: an unknown, expired or revoked token, a wrong password (HTTP 401)."""


class Forbidden(MltrlError):
    """Valid credentials whose roles or scopes do not allow the action (HTTP 403)."""
