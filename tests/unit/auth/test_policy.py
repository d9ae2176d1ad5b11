"""Policy: admin, workspace admin, DENY, user and role grants, defaults, membership,
creation and the search visibility modes, against a real auth store."""

from __future__ import annotations

import pytest

from ardea.auth.policy import Decisions, Policy
from ardea.entities.auth import Permission, ResourceType, User
from ardea.store.auth import AuthStore
from ardea.store.visibility import VisibilityMode

EXP = ResourceType.EXPERIMENT
P = Permission


@pytest.fixture
def users(store: AuthStore) -> dict[str, User]:
    return {
        "root": store.create_user("root", None, is_admin=True),
        "ada": store.create_user("ada", None),
        "bob": store.create_user("bob", None),
    }


def test_admin_may_do_everything(store: AuthStore, users: dict[str, User]) -> None:
    policy = Policy(store, workspaces_enabled=True, default_permission=P.NO_PERMISSIONS)
    store.grant(users["root"].id, EXP, "1", P.DENY)
    assert policy.level(users["root"], EXP, "1") is P.MANAGE
    assert policy.level(users["root"], EXP, "1", "team-a") is P.MANAGE
    assert policy.can_create(users["root"], EXP, "team-a")
    assert policy.visibility(users["root"], [EXP]) is None


def test_default_permission_when_nothing_is_granted(
    store: AuthStore, users: dict[str, User]
) -> None:
    ada = users["ada"]
    assert Policy(store).level(ada, EXP, "1") is P.READ
    assert Policy(store, default_permission=P.EDIT).level(ada, EXP, "1") is P.EDIT
    own = {"default": P.NO_PERMISSIONS}
    policy = Policy(store, default_permission=P.EDIT, workspace_default=own.get)
    assert policy.level(ada, EXP, "1") is P.NO_PERMISSIONS


def test_user_grant_replaces_the_default(store: AuthStore, users: dict[str, User]) -> None:
    ada = users["ada"]
    policy = Policy(store, default_permission=P.EDIT)
    store.grant(ada.id, EXP, "1", P.READ)
    store.grant(ada.id, EXP, "2", P.NO_PERMISSIONS)
    assert policy.level(ada, EXP, "1") is P.READ
    assert policy.level(ada, EXP, "2") is P.NO_PERMISSIONS
    assert policy.level(ada, EXP, "3") is P.EDIT
    assert policy.level(users["bob"], EXP, "1") is P.EDIT


def test_roles_combine_and_deny_wins(store: AuthStore, users: dict[str, User]) -> None:
    ada = users["ada"]
    policy = Policy(store)
    readers = store.create_role("readers")
    store.add_role_grant(readers.id, EXP, "*", P.EDIT)
    store.assign_role(ada.id, readers.id)
    store.grant(ada.id, EXP, "1", P.NO_PERMISSIONS)
    assert policy.level(ada, EXP, "1") is P.EDIT  # the highest grant
    assert policy.level(ada, EXP, "9") is P.EDIT
    blocked = store.create_role("blocked")
    store.add_role_grant(blocked.id, EXP, "9", P.DENY)
    store.assign_role(ada.id, blocked.id)
    assert policy.level(ada, EXP, "9") is P.DENY
    store.grant(ada.id, EXP, "9", P.MANAGE)
    assert policy.level(ada, EXP, "9") is P.DENY


def test_workspaces_membership(store: AuthStore, users: dict[str, User]) -> None:
    ada, bob = users["ada"], users["bob"]
    policy = Policy(store, workspaces_enabled=True)
    # default is everyone's; another workspace only its members'
    assert policy.level(ada, EXP, "1") is P.READ
    assert policy.level(ada, EXP, "1", "team-a") is P.NO_PERMISSIONS
    assert not policy.can_create(ada, EXP, "team-a")
    assert policy.can_create(ada, EXP)
    assert not policy.can_create(ada, ResourceType.WEBHOOK)  # workspace admins only
    store.grant(ada.id, ResourceType.WORKSPACE, "team-a", P.USE, workspace="team-a")
    assert policy.level(ada, EXP, "1", "team-a") is P.READ
    assert policy.can_create(ada, EXP, "team-a")
    assert policy.is_workspace_member(ada, "team-a")
    assert not policy.is_workspace_admin(ada, "team-a")
    # a grant on one resource works without membership
    store.grant(bob.id, EXP, "5", P.EDIT, workspace="team-a")
    assert policy.level(bob, EXP, "5", "team-a") is P.EDIT
    assert policy.level(bob, EXP, "6", "team-a") is P.NO_PERMISSIONS
    # a workspace admin may do everything there, DENY or not
    admins = store.create_role("admins", workspace="team-a")
    store.add_role_grant(admins.id, ResourceType.WORKSPACE, "*", P.MANAGE)
    store.assign_role(bob.id, admins.id)
    store.grant(bob.id, EXP, "5", P.DENY, workspace="team-a")
    assert policy.level(bob, EXP, "5", "team-a") is P.MANAGE
    assert policy.is_workspace_admin(bob, "team-a")
    assert policy.can_create(bob, ResourceType.WEBHOOK, "team-a")
    assert policy.visibility(bob, [EXP], "team-a") is None


def test_a_role_deny_on_everything_blocks_creation(
    store: AuthStore, users: dict[str, User]
) -> None:
    ada = users["ada"]
    role = store.create_role("no-experiments")
    store.add_role_grant(role.id, EXP, "*", P.DENY)
    store.assign_role(ada.id, role.id)
    policy = Policy(store)
    assert not policy.can_create(ada, EXP)
    assert policy.can_create(ada, ResourceType.REGISTERED_MODEL)
    assert policy.visibility(ada, [EXP]).mode("experiment") is VisibilityMode.NOTHING


@pytest.mark.parametrize(
    ("default", "wildcard", "mode"),
    [
        (P.READ, None, VisibilityMode.DEFAULT),
        (P.NO_PERMISSIONS, None, VisibilityMode.GRANTED_ONLY),
        (P.NO_PERMISSIONS, P.READ, VisibilityMode.ALL_BUT_DENIED),
        (P.READ, P.DENY, VisibilityMode.NOTHING),
    ],
)
def test_visibility_modes(
    store: AuthStore,
    users: dict[str, User],
    default: Permission,
    wildcard: Permission | None,
    mode: VisibilityMode,
) -> None:
    ada = users["ada"]
    if wildcard is not None:
        role = store.create_role("r")
        store.add_role_grant(role.id, EXP, "*", wildcard)
        store.assign_role(ada.id, role.id)
    visibility = Policy(store, default_permission=default).visibility(ada, [EXP])
    assert visibility is not None
    assert visibility.mode("experiment") is mode
    assert visibility.user_id == ada.id and visibility.workspace == "default"


def test_a_request_asks_each_question_once(store: AuthStore, users: dict[str, User]) -> None:
    calls: list[str] = []
    policy = Policy(store, workspace_default=lambda ws: calls.append(ws) or None)
    memo = Decisions()
    for _ in range(3):
        assert policy.level(users["ada"], EXP, "1", memo=memo) is P.READ
    assert calls == ["default"]
    assert list(memo.grants) == [("experiment", "1", "default")]


def test_calling_a_gateway_endpoint_needs_use(store: AuthStore, users: dict[str, User]) -> None:
    ada, bob, root = users["ada"], users["bob"], users["root"]
    ep = ResourceType.GATEWAY_ENDPOINT
    policy = Policy(store)  # members read by default: not enough to call
    assert not policy.can(ada, P.USE, ep, "e-1")
    assert policy.can(ada, P.READ, ep, "e-1")
    store.grant(ada.id, ep, "e-1", P.USE)
    assert policy.can(ada, P.USE, ep, "e-1")
    assert not policy.can(ada, P.EDIT, ep, "e-1")
    assert not policy.can(bob, P.USE, ep, "e-1")
    assert policy.can(root, P.USE, ep, "e-1")
    store.grant(bob.id, ep, "e-1", P.DENY)
    assert not policy.can(bob, P.READ, ep, "e-1")
    for rtype in (ep, ResourceType.GATEWAY_SECRET, ResourceType.GATEWAY_MODEL_DEFINITION):
        assert not policy.can_create(ada, rtype)  # workspace admins only
        assert policy.can_create(root, rtype)
