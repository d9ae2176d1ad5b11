"""``ardea.auth.oidc_users``: claims to a user, groups to roles, the admin group."""

from __future__ import annotations

import pytest

from ardea._core.errors import PermissionDeniedError, UnauthenticatedError
from ardea.auth import accounts
from ardea.auth.oidc import OidcConfig, parse_group_roles
from ardea.auth.oidc_users import groups_from_claims, sign_in, sync_roles, username_from_claims
from ardea.store.auth import AuthStore

CONFIG = OidcConfig(
    "https://idp.example",
    "ardea",
    group_roles=parse_group_roles(["ml=editors", "ml=readers", "ops=readers", "x=missing"]),
    admin_group="admins",
)


def test_username_claims_in_order() -> None:
    assert username_from_claims({"preferred_username": "ada", "email": "a@x"}, CONFIG) == "ada"
    assert username_from_claims({"preferred_username": "a b", "email": "a@x"}, CONFIG) == "a@x"
    assert username_from_claims({"email": "a@x"}, CONFIG) == "a@x"
    with pytest.raises(UnauthenticatedError, match="preferred_username, email"):
        username_from_claims({"preferred_username": 3, "sub": "x"}, CONFIG)


def test_groups_claim_shapes() -> None:
    assert groups_from_claims({"groups": ["a", "b", 3]}, CONFIG) == {"a", "b"}
    assert groups_from_claims({"groups": "a"}, CONFIG) == {"a"}
    assert groups_from_claims({"groups": {"a": 1}}, CONFIG) == frozenset()
    assert groups_from_claims({}, CONFIG) == frozenset()


def test_sign_in_creates_a_passwordless_user_with_mapped_roles(store: AuthStore) -> None:
    editors, readers = store.create_role("editors"), store.create_role("readers")
    user = sign_in(store, {"preferred_username": "ada", "groups": ["ml"]}, CONFIG, ip="10.0.0.1")
    assert not user.is_admin
    login = store.get_login("ada")
    assert login is not None and login.password_hash is None
    assert {r.id for r in store.list_user_roles(user.id)} == {editors.id, readers.id}
    # ops keeps readers, ml's editors goes; the same sign-in twice changes nothing more.
    sign_in(store, {"preferred_username": "ada", "groups": ["ops"]}, CONFIG)
    assert sync_roles(store, user, frozenset({"ops"}), CONFIG) == ([], [])
    assert {r.id for r in store.list_user_roles(user.id)} == {readers.id}
    actions = [e.action for e in reversed(store.list_audit())]
    assert actions == ["user.create", "role.assign", "role.assign", "role.unassign"]


def test_the_admin_group_but_never_the_last_admin(store: AuthStore) -> None:
    boss = sign_in(store, {"preferred_username": "boss", "groups": ["admins"]}, CONFIG)
    assert boss.is_admin
    # boss is the only enabled admin: leaving the group cannot demote it.
    assert sign_in(store, {"preferred_username": "boss", "groups": []}, CONFIG).is_admin
    accounts.create_user(store, "root", "root's password 1", is_admin=True, actor="test")
    assert not sign_in(store, {"preferred_username": "boss", "groups": []}, CONFIG).is_admin
    plain = OidcConfig("https://idp.example", "ardea")  # no admin group: admins stay as they are
    accounts.set_admin(store, store.get_user_by_username("boss"), True, actor="test")
    assert sign_in(store, {"preferred_username": "boss"}, plain).is_admin


def test_accounts_sso_may_not_use(store: AuthStore) -> None:
    accounts.create_user(store, "ada", "ada's password 12", actor="test")
    with pytest.raises(PermissionDeniedError, match="never takes over"):
        sign_in(store, {"preferred_username": "ada"}, CONFIG)
    accounts.create_service_account(store, "ci-bot", actor="test")
    with pytest.raises(PermissionDeniedError, match="service account"):
        sign_in(store, {"preferred_username": "ci-bot"}, CONFIG)
    eve = accounts.create_user(store, "eve", None, actor="test")
    accounts.set_disabled(store, eve, True, actor="test")
    with pytest.raises(PermissionDeniedError, match="disabled"):
        sign_in(store, {"preferred_username": "eve"}, CONFIG)
    # A user created without a password (for SSO) is signed in.
    accounts.create_user(store, "bob", None, actor="test")
    assert sign_in(store, {"preferred_username": "bob"}, CONFIG).username == "bob"
