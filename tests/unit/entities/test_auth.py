"""Auth entities: MLflow's permission table, combining levels, resource types, input checks."""

from __future__ import annotations

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities.auth import (
    GrantSet,
    Permission,
    ResourceType,
    ServiceAccount,
    TokenInfo,
    User,
    check_role_grant,
    check_user_grant,
    combine_permissions,
    validate_role_name,
    validate_username,
    validate_workspace_name,
)

P = Permission

# MLflow 3.18's mlflow.server.auth.permissions: (can_read, can_use, can_update, can_delete,
# can_manage) per level.
MLFLOW_TABLE = {
    "READ": (True, False, False, False, False),
    "USE": (True, True, False, False, False),
    "EDIT": (True, True, True, False, False),
    "MANAGE": (True, True, True, True, True),
    "NO_PERMISSIONS": (False, False, False, False, False),
    "DENY": (False, False, False, False, False),
}


@pytest.mark.parametrize(("name", "caps"), MLFLOW_TABLE.items())
def test_permission_table_is_mlflows(name: str, caps: tuple[bool, ...]) -> None:
    level = Permission.parse(name)
    assert (
        level.can_read,
        level.can_use,
        level.can_update,
        level.can_delete,
        level.can_manage,
    ) == (caps)
    assert str(level) == name


def test_every_level_is_in_the_table() -> None:
    assert {p.value for p in Permission} == set(MLFLOW_TABLE)


def test_parse_errors_name_the_valid_levels() -> None:
    with pytest.raises(InvalidArgumentError, match="Valid permissions are: READ, USE"):
        Permission.parse("WRITE")
    with pytest.raises(InvalidArgumentError):
        Permission.parse("read")  # MLflow's names are upper case
    assert Permission.parse(P.EDIT) is P.EDIT


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([], None),
        ([P.READ], P.READ),
        ([P.READ, P.MANAGE, P.EDIT], P.MANAGE),
        ([P.USE, P.READ], P.USE),
        ([P.MANAGE, P.DENY, P.READ], P.DENY),
        ([P.DENY], P.DENY),
        ([P.NO_PERMISSIONS], P.NO_PERMISSIONS),
        ([P.NO_PERMISSIONS, P.READ], P.READ),
    ],
)
def test_combine(levels: list[Permission], expected: Permission | None) -> None:
    assert combine_permissions(levels) is expected
    assert combine_permissions(reversed(levels)) is expected


def test_allows() -> None:
    assert P.MANAGE.allows(P.EDIT) and P.EDIT.allows(P.EDIT) and not P.READ.allows(P.EDIT)
    assert not P.DENY.allows(P.READ) and not P.DENY.allows(P.NO_PERMISSIONS)
    assert not P.NO_PERMISSIONS.allows(P.READ)


def test_resource_types_are_mlflows_names() -> None:
    assert {t.value for t in ResourceType} == {
        "experiment",
        "registered_model",
        "prompt",
        "scorer",
        "gateway_secret",
        "gateway_endpoint",
        "gateway_model_definition",
        "webhook",
        "evaluation_dataset",
        "workspace",
    }
    assert ResourceType.parse("prompt") is ResourceType.PROMPT
    assert str(ResourceType.EXPERIMENT) == "experiment"
    with pytest.raises(InvalidArgumentError, match="Valid resource types are: experiment"):
        ResourceType.parse("bucket")


def test_grant_set_levels() -> None:
    assert GrantSet().resource_level is None and GrantSet().workspace_level is None
    assert GrantSet(user=P.READ, roles=(P.EDIT,)).resource_level is P.EDIT
    assert GrantSet(user=P.MANAGE, roles=(P.DENY,)).resource_level is P.DENY
    assert GrantSet(workspace=(P.USE, P.MANAGE)).workspace_level is P.MANAGE


def test_users_and_service_accounts() -> None:
    user = User(1, "ada", False, 5)
    bot = ServiceAccount(2, "bot", False, 5)
    assert user.kind == "user" and not user.is_service
    assert bot.kind == "service" and bot.is_service and isinstance(bot, User)


def test_token_activity() -> None:
    t = TokenInfo(1, 1, "n", "abcd1234", "pat", created=0, expires=100)
    assert t.active(99) and not t.active(100)
    assert not TokenInfo(1, 1, "n", "p", "pat", 0, revoked=5).active(1)
    assert TokenInfo(1, 1, "n", "p", "pat", 0).active(10**15)


@pytest.mark.parametrize("name", ["ada", "ada@example.com", "Ada.Lovelace+ml", "x" * 255, "é"])
def test_good_usernames(name: str) -> None:
    assert validate_username(name) == name


@pytest.mark.parametrize("name", ["", " ", "a b", "a:b", "a\nb", "\u200b", "x" * 256, None])
def test_bad_usernames(name: object) -> None:
    with pytest.raises(InvalidArgumentError, match="Invalid username"):
        validate_username(name)


def test_role_and_workspace_names() -> None:
    assert validate_role_name("Data scientists") == "Data scientists"
    for bad in ["", " x", "x ", "a\tb", 3]:
        with pytest.raises(InvalidArgumentError):
            validate_role_name(bad)
    assert validate_workspace_name("team-a1") == "team-a1"
    for bad in ["", "Team", "-a", "a/b", "..", "a" * 64, "a_b"]:
        with pytest.raises(InvalidArgumentError):
            validate_workspace_name(bad)


def test_check_role_grant() -> None:
    assert check_role_grant("experiment", "12", "DENY") == (ResourceType.EXPERIMENT, "12", P.DENY)
    assert check_role_grant("workspace", "*", "MANAGE")[2] is P.MANAGE
    with pytest.raises(InvalidArgumentError, match="must be '\\*'"):
        check_role_grant("workspace", "default", "USE")
    with pytest.raises(InvalidArgumentError, match="USE or MANAGE"):
        check_role_grant("workspace", "*", "READ")
    with pytest.raises(InvalidArgumentError, match="role grant"):
        check_role_grant("experiment", "*", "NO_PERMISSIONS")


def test_check_user_grant() -> None:
    assert check_user_grant("registered_model", "m", "NO_PERMISSIONS", "default") == (
        ResourceType.REGISTERED_MODEL,
        "m",
        P.NO_PERMISSIONS,
        "default",
    )
    assert check_user_grant("workspace", "team-a", "USE", "team-a")[1] == "team-a"
    with pytest.raises(InvalidArgumentError, match="'\\*' is for roles"):
        check_user_grant("experiment", "*", "READ", "default")
    with pytest.raises(InvalidArgumentError, match="its workspace's name"):
        check_user_grant("workspace", "other", "USE", "default")
    with pytest.raises(InvalidArgumentError, match="USE or MANAGE"):
        check_user_grant("workspace", "default", "EDIT", "default")
    with pytest.raises(InvalidArgumentError, match="printable"):
        check_user_grant("experiment", "a\x00", "READ", "default")
