"""The role-by-action matrix, every cell, and how token scopes, projects and level ranges narrow it."""

from __future__ import annotations

import itertools

import pytest

from mltrl.service.authorization import (
    ALL_PROJECTS,
    MATRIX,
    SCOPE_OF,
    Action,
    Grant,
    Principal,
    Role,
    Scope,
    denial,
    roles_allowing,
)

#: The matrix as the docs state it (docs/server.md), written out cell by cell on purpose: a change to
#: MATRIX that nobody meant fails here.
EXPECTED = {
    Role.VIEWER: {"read"},
    Role.CONTRIBUTOR: {
        "read",
        "record-evidence",
        "open-review",
        "edit-review",
        "edit-records",
        "acknowledge",
    },
    Role.REVIEWER: {"read", "edit-review", "sign", "acknowledge"},
    Role.APPROVER: {"read", "edit-review", "sign", "decide", "acknowledge"},
    Role.ADMIN: {
        "read",
        "record-evidence",
        "open-review",
        "edit-review",
        "sign",
        "decide",
        "administer",
        "edit-records",
        "acknowledge",
    },
}


def who(*grants: Grant, scopes: set[Scope] | None = None, projects: set[str] | None = None) -> Principal:
    return Principal(
        name="u",
        display_name="U",
        is_admin=False,
        grants=grants,
        scopes=frozenset(Scope) if scopes is None else frozenset(scopes),
        projects=frozenset({ALL_PROJECTS}) if projects is None else frozenset(projects),
    )


@pytest.mark.parametrize(("role", "action"), list(itertools.product(Role, Action)))
def test_every_cell_of_the_matrix(role: Role, action: Action) -> None:
    allowed = str(action) in EXPECTED[role]
    assert (action in MATRIX[role]) is allowed
    reason = denial(who(Grant("p", role)), action, "p", level=4)
    assert (reason is None) is allowed, reason
    if not allowed:
        assert f"may not {action} on project 'p'" in reason  # type: ignore[operator]


def test_every_action_needs_a_scope_and_someone_may_do_it() -> None:
    assert set(SCOPE_OF) == set(Action)
    for action in Action:
        assert Role.ADMIN in roles_allowing(action)
    assert roles_allowing(Action.DECIDE) == [Role.APPROVER, Role.ADMIN]


@pytest.mark.parametrize("action", list(Action))
def test_a_role_on_another_project_allows_nothing(action: Action) -> None:
    assert denial(who(Grant("q", Role.ADMIN)), action, "p") == "u has no role on project 'p'"


@pytest.mark.parametrize(("action", "scope"), list(itertools.product(Action, Scope)))
def test_a_token_without_the_actions_scope_cannot_do_it(action: Action, scope: Scope) -> None:
    reason = denial(who(Grant("p", Role.ADMIN), scopes={scope}), action, "p")
    assert (reason is None) is (SCOPE_OF[action] is scope)


def test_a_token_is_valid_only_for_the_projects_it_names() -> None:
    principal = who(Grant("p", Role.ADMIN), Grant("q", Role.ADMIN), projects={"q"})
    assert denial(principal, Action.READ, "p") == "this token is not valid for project 'p'"
    assert denial(principal, Action.READ, "q") is None


@pytest.mark.parametrize("level", range(10))
def test_a_level_limited_role_acts_only_inside_its_range(level: int) -> None:
    qa = who(Grant("p", Role.APPROVER, min_level=7, max_level=9), Grant("p", Role.VIEWER))
    assert (denial(qa, Action.DECIDE, "p", level) is None) is (level >= 7)
    assert (denial(qa, Action.SIGN, "p", level) is None) is (level >= 7)
    assert denial(qa, Action.READ, "p", level) is None  # viewer everywhere
    if level < 7:
        assert "(roles: approver at levels 7-9, viewer)" in denial(qa, Action.DECIDE, "p", level)  # type: ignore[operator]


def test_a_site_admin_may_do_everything_a_token_allows() -> None:
    admin = Principal(
        "root", "Root", True, (), frozenset({Scope.READ, Scope.WRITE}), frozenset({ALL_PROJECTS})
    )
    assert denial(admin, Action.RECORD_EVIDENCE, "anything") is None
    assert "do not include approve" in denial(admin, Action.SIGN, "anything")  # type: ignore[operator]
