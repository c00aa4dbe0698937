"""Checks whose results become evidence (issue 12): one contract, :class:`CheckResult`."""

from mltrl.checks.result import CheckResult

__all__ = ["CheckResult"]
