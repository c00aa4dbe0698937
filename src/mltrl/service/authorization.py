"""Who may do what on a project: the role-by-action matrix, as data, and the one check that reads it.

The matrix says what a *role* allows; a *token* narrows it further by its scopes and projects. An
action is allowed when the user holds (on that project, at that level) a role that allows it AND the
token's scopes cover it AND the token names that project. Nothing here decides a gate: a request
that passes this check still goes through the service layer and its rules (a contributor may open a
review, but the review graduates only when its gate holds and its panel signed).

Kept free of the database, so the whole matrix can be tested exhaustively.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    CONTRIBUTOR = "contributor"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    ADMIN = "admin"


class Action(StrEnum):
    READ = "read"
    #: Record evidence (a check's result) on a component.
    RECORD_EVIDENCE = "record-evidence"
    #: Open a component's gate review.
    OPEN_REVIEW = "open-review"
    #: Staff the panel, record criteria results, answer the ethics checklist, record key decisions.
    EDIT_REVIEW = "edit-review"
    #: Sign a review as oneself (approve or request changes); the service checks the panel.
    SIGN = "sign"
    #: Decide a review (graduate, switch back ...); the service checks the gate and signatures.
    DECIDE = "decide"
    #: Grant and revoke roles on the project.
    ADMINISTER = "administer"
    #: Keep the project's records: components and their versions and couplings, requirements and
    #: their V&V steps, data sets and datasheets, card sections and revisions, targets. None of these
    #: moves a level (a component enters above the review-free level only through a review).
    EDIT_RECORDS = "edit-records"
    #: Acknowledge a monitoring alert (the alert stays in the log; a review still decides).
    ACKNOWLEDGE = "acknowledge"


class Scope(StrEnum):
    """What a token may be used for, whatever its user's roles allow."""

    READ = "read"
    WRITE = "write"
    APPROVE = "approve"
    ADMIN = "admin"


#: The role-by-action matrix. A reviewer signs (approves or requests changes) but does not decide;
#: an approver also decides. Contributors build: evidence, reviews opened and filled in, no signature.
MATRIX: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.READ}),
    Role.CONTRIBUTOR: frozenset(
        {
            Action.READ,
            Action.RECORD_EVIDENCE,
            Action.OPEN_REVIEW,
            Action.EDIT_REVIEW,
            Action.EDIT_RECORDS,
            Action.ACKNOWLEDGE,
        }
    ),
    Role.REVIEWER: frozenset({Action.READ, Action.EDIT_REVIEW, Action.SIGN, Action.ACKNOWLEDGE}),
    Role.APPROVER: frozenset(
        {Action.READ, Action.EDIT_REVIEW, Action.SIGN, Action.DECIDE, Action.ACKNOWLEDGE}
    ),
    Role.ADMIN: frozenset(Action),
}

#: Which token scope each action needs: a CI token with read,write records evidence but never signs.
SCOPE_OF: dict[Action, Scope] = {
    Action.READ: Scope.READ,
    Action.RECORD_EVIDENCE: Scope.WRITE,
    Action.OPEN_REVIEW: Scope.WRITE,
    Action.EDIT_REVIEW: Scope.WRITE,
    Action.SIGN: Scope.APPROVE,
    Action.DECIDE: Scope.APPROVE,
    Action.ADMINISTER: Scope.ADMIN,
    Action.EDIT_RECORDS: Scope.WRITE,
    Action.ACKNOWLEDGE: Scope.WRITE,
}

#: A token naming this project stands for every project its user has a role on.
ALL_PROJECTS = "*"


@dataclass(frozen=True)
class Grant:
    """One role a user holds on a project, for components at levels ``min_level``..``max_level``."""

    project: str
    role: Role
    min_level: int = 0
    max_level: int = 9

    def covers(self, level: int | None) -> bool:
        # Reads and project-wide actions name no level: any grant on the project covers them.
        return level is None or self.min_level <= level <= self.max_level


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: the user, the roles they hold, and what their token lets them use."""

    name: str
    display_name: str
    is_admin: bool
    grants: tuple[Grant, ...]
    scopes: frozenset[Scope]
    projects: frozenset[str]
    token_prefix: str | None = None

    def denial(self, action: Action, project: str, level: int | None = None) -> str | None:
        """Why this principal may not do ``action`` on ``project`` (at ``level``); None when it may."""
        return denial(self, action, project, level)

    def readable(self, projects: Iterable[str]) -> list[str]:
        return [key for key in projects if denial(self, Action.READ, key) is None]


def allows(role: Role, action: Action) -> bool:
    return action in MATRIX[role]


def denial(principal: Principal, action: Action, project: str, level: int | None = None) -> str | None:
    """The one-line reason ``principal`` may not do ``action`` on ``project``, or None when it may."""
    scope = SCOPE_OF[action]
    if scope not in principal.scopes:
        return f"this token's scopes ({', '.join(sorted(principal.scopes)) or 'none'}) do not include {scope}"
    if ALL_PROJECTS not in principal.projects and project not in principal.projects:
        return f"this token is not valid for project {project!r}"
    if principal.is_admin:
        return None  # a site admin holds every role on every project
    held = [g for g in principal.grants if g.project == project]
    if not held:
        return f"{principal.name} has no role on project {project!r}"
    if any(allows(g.role, action) and g.covers(level) for g in held):
        return None
    roles = ", ".join(sorted(_describe(g) for g in held))
    where = f" at level {level}" if level is not None else ""
    return f"{principal.name} may not {action} on project {project!r}{where} (roles: {roles})"


def roles_allowing(action: Action) -> list[Role]:
    return [role for role in Role if allows(role, action)]


def _describe(grant: Grant) -> str:
    if (grant.min_level, grant.max_level) == (0, 9):
        return str(grant.role)
    return f"{grant.role} at levels {grant.min_level}-{grant.max_level}"
