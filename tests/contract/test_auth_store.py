"""AuthStore contract: users, tokens, sessions, roles, grants, grants_for and the audit log on
SQLite, PostgreSQL and MySQL/MariaDB (there is no REST auth store)."""

from __future__ import annotations

import hashlib

import pytest

from ardea._core.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
)
from ardea.entities.auth import (
    GrantSet,
    Permission,
    ResourceType,
    ServiceAccount,
    User,
    UserGrant,
)
from ardea.store.auth import AuthStore
from ardea.store.backend import Backend

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"
E, RM, WS = ResourceType.EXPERIMENT, ResourceType.REGISTERED_MODEL, ResourceType.WORKSPACE
R, U, ED, M, D, NO = (
    Permission.READ,
    Permission.USE,
    Permission.EDIT,
    Permission.MANAGE,
    Permission.DENY,
    Permission.NO_PERMISSIONS,
)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def backend(sql_backend: Backend) -> Backend:
    """Each SQL database (see ``sql_backend`` in conftest.py)."""
    return sql_backend


@pytest.fixture
def store(backend: Backend) -> AuthStore:
    return backend.require_auth()


# -- users -------------------------------------------------------------------------------------


def test_create_and_get_user(store: AuthStore) -> None:
    ada = store.create_user("ada", HASH, is_admin=True)
    assert isinstance(ada, User) and not isinstance(ada, ServiceAccount)
    assert (ada.username, ada.is_admin, ada.disabled, ada.kind) == ("ada", True, False, "user")
    assert ada.created > 0
    assert store.get_user(ada.id) == ada
    assert store.get_user_by_username("ada") == ada
    login = store.get_login("ada")
    assert login is not None and login.user == ada and login.password_hash == HASH
    assert "hash" not in repr(ada).lower()


def test_usernames_are_exact_and_unique(store: AuthStore) -> None:
    store.create_user("ada", HASH)
    other = store.create_user("Ada", HASH)  # case matters, as for every key in Ardea
    assert store.get_user_by_username("Ada") == other
    with pytest.raises(AlreadyExistsError, match="'ada' already exists"):
        store.create_user("ada", None)
    assert [u.username for u in store.list_users()] == ["Ada", "ada"]


@pytest.mark.parametrize("bad", ["", "a b", "ada ", "a:b", "tab\t", "nul\x00", "x" * 256, 7])
def test_bad_usernames_are_refused(store: AuthStore, bad: object) -> None:
    with pytest.raises(InvalidArgumentError, match="Invalid username"):
        store.create_user(bad, HASH)  # type: ignore[arg-type]
    assert store.get_login(bad) is None  # type: ignore[arg-type]
    assert list(store.list_users()) == []


def test_unknown_users(store: AuthStore) -> None:
    with pytest.raises(NotFoundError):
        store.get_user(999)
    with pytest.raises(NotFoundError):
        store.get_user_by_username("nobody")
    assert store.get_login("nobody") is None
    for call in (
        lambda: store.set_admin(999, True),
        lambda: store.set_disabled(999, True),
        lambda: store.delete_user(999),
        lambda: store.set_password_hash(999, HASH),
    ):
        with pytest.raises(NotFoundError):
            call()
    with pytest.raises(InvalidArgumentError, match="user id"):
        store.get_user(True)  # type: ignore[arg-type]


def test_service_accounts_have_no_password(store: AuthStore) -> None:
    bot = store.create_user("ci-bot", None, kind="service")
    assert isinstance(bot, ServiceAccount) and bot.is_service
    assert store.get_user(bot.id) == bot
    login = store.get_login("ci-bot")
    assert login is not None and login.password_hash is None
    with pytest.raises(InvalidArgumentError, match="no password"):
        store.create_user("bot2", HASH, kind="service")
    with pytest.raises(InvalidArgumentError, match="no password"):
        store.set_password_hash(bot.id, HASH)
    with pytest.raises(InvalidArgumentError, match="kind"):
        store.create_user("x", None, kind="robot")
    store.create_user("person", HASH)
    assert [u.username for u in store.list_users(kind="service")] == ["ci-bot"]
    assert [u.username for u in store.list_users(kind="user")] == ["person"]


def test_list_users_pages(store: AuthStore) -> None:
    for name in ["d", "a", "c", "b", "e"]:
        store.create_user(name, None)
    first = store.list_users(max_results=2)
    assert [u.username for u in first] == ["a", "b"] and first.token
    second = store.list_users(max_results=2, page_token=first.token)
    third = store.list_users(max_results=2, page_token=second.token)
    assert [u.username for u in second] == ["c", "d"]
    assert [u.username for u in third] == ["e"] and third.token is None
    with pytest.raises(InvalidArgumentError):
        store.list_users(max_results=0)
    with pytest.raises(InvalidArgumentError):
        store.list_users(page_token="not-a-token")


def test_password_and_flags(store: AuthStore) -> None:
    ada = store.create_user("ada", None)
    store.set_password_hash(ada.id, HASH)
    login = store.get_login("ada")
    assert login is not None and login.password_hash == HASH
    assert store.set_admin(ada.id, True).is_admin
    assert store.has_admin()
    bob = store.create_user("bob", HASH, is_admin=True)
    assert not store.set_admin(ada.id, False).is_admin
    assert store.set_disabled(ada.id, True).disabled
    assert not store.set_disabled(ada.id, False).disabled
    assert store.get_user(bob.id).is_admin
    with pytest.raises(InvalidArgumentError, match="password hash"):
        store.set_password_hash(ada.id, "")


def test_the_last_enabled_admin_stays(store: AuthStore) -> None:
    assert not store.has_admin()
    root = store.create_user("root", HASH, is_admin=True)
    assert store.has_admin()
    for call in (
        lambda: store.set_admin(root.id, False),
        lambda: store.set_disabled(root.id, True),
        lambda: store.delete_user(root.id),
    ):
        with pytest.raises(FailedPreconditionError, match="last enabled admin"):
            call()
    assert store.get_user(root.id) == root
    other = store.create_user("other", HASH, is_admin=True)
    store.set_disabled(other.id, True)  # a disabled admin does not count
    assert store.has_admin()
    with pytest.raises(FailedPreconditionError):
        store.delete_user(root.id)
    store.set_disabled(other.id, False)
    store.delete_user(root.id)
    assert [u.username for u in store.list_users()] == ["other"]


def test_delete_user_takes_what_is_theirs(store: AuthStore) -> None:
    ada = store.create_user("ada", HASH)
    bob = store.create_user("bob", HASH)
    for user, prefix in ((ada, "aaaa1111"), (bob, "bbbb2222")):
        store.create_token(
            user.id, "t", kind="pat", prefix=prefix, secret_hash=sha(prefix), expires=None
        )
        store.create_session(sha(prefix + "s"), user.id, expires=2**50)
        store.grant(user.id, E, "1", ED)
    role = store.create_role("readers")
    store.assign_role(ada.id, role.id)
    store.assign_role(bob.id, role.id)
    store.delete_user(ada.id)
    assert [t.user_id for t in store.list_tokens(include_revoked=True)] == [bob.id]
    assert store.lookup_token("aaaa1111") is None
    assert store.get_session(sha("aaaa1111s")) is None
    assert [g.user_id for g in store.list_grants()] == [bob.id]
    assert [a.user_id for a in store.list_role_assignments(role.id)] == [bob.id]
    again = store.create_user("ada", HASH)
    assert again.id > bob.id  # ids are never reused: old grants and audit rows cannot match


# -- tokens ------------------------------------------------------------------------------------


def _token(store: AuthStore, user: User, prefix: str, expires: int | None = None) -> object:
    return store.create_token(
        user.id, f"t-{prefix}", kind="pat", prefix=prefix, secret_hash=sha(prefix), expires=expires
    )


def test_tokens_round_trip(store: AuthStore) -> None:
    ada = store.create_user("ada", HASH)
    info = store.create_token(
        ada.id, "laptop", kind="pat", prefix="k3y9x2ab", secret_hash=sha("s"), expires=123
    )
    assert (info.user_id, info.name, info.prefix, info.kind, info.expires) == (
        ada.id,
        "laptop",
        "k3y9x2ab",
        "pat",
        123,
    )
    assert info.last_used is None and info.revoked is None
    assert store.get_token(info.id) == info
    record = store.lookup_token("k3y9x2ab")
    assert record is not None
    assert record.info == info and record.secret_hash == sha("s") and record.user == ada
    assert "secret" not in repr(info)


def test_token_lookup_misses(store: AuthStore) -> None:
    assert store.lookup_token("zzzz9999") is None
    assert store.lookup_token("BAD_PREFIX") is None
    assert store.lookup_token("") is None
    with pytest.raises(NotFoundError):
        store.get_token(12345)
    with pytest.raises(NotFoundError):
        store.create_token(
            999, "x", kind="pat", prefix="abcd1234", secret_hash=sha("x"), expires=None
        )


def test_token_input_checks(store: AuthStore) -> None:
    ada = store.create_user("ada", HASH)
    good = {"kind": "pat", "prefix": "abcd1234", "secret_hash": sha("x"), "expires": None}
    bad_fields = [
        {"kind": "root"},
        {"prefix": "ab_cd"},
        {"prefix": "UPPER123"},
        {"secret_hash": "plaintext-secret"},
        {"expires": "tomorrow"},
    ]
    for bad in bad_fields:
        with pytest.raises(InvalidArgumentError):
            store.create_token(ada.id, "n", **{**good, **bad})  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="token name"):
        store.create_token(ada.id, "", **good)  # type: ignore[arg-type]
    assert store.list_tokens() == []


def test_token_prefixes_are_unique(store: AuthStore) -> None:
    ada = store.create_user("ada", HASH)
    _token(store, ada, "abcd1234")
    with pytest.raises(AlreadyExistsError, match="prefix"):
        _token(store, ada, "abcd1234")


def test_list_and_revoke_tokens(store: AuthStore) -> None:
    ada = store.create_user("ada", HASH)
    bob = store.create_user("bob", HASH)
    t1 = _token(store, ada, "aaaa0001")
    t2 = _token(store, ada, "aaaa0002")
    t3 = _token(store, bob, "bbbb0003")
    assert [t.prefix for t in store.list_tokens()] == ["bbbb0003", "aaaa0002", "aaaa0001"]
    assert [t.prefix for t in store.list_tokens(ada.id)] == ["aaaa0002", "aaaa0001"]
    revoked = store.revoke_token(t1.id, 1000)  # type: ignore[attr-defined]
    assert revoked.revoked == 1000
    assert store.revoke_token(t1.id, 2000).revoked == 1000  # type: ignore[attr-defined]
    assert [t.prefix for t in store.list_tokens(ada.id)] == ["aaaa0002"]
    assert [t.prefix for t in store.list_tokens(ada.id, include_revoked=True)] == [
        "aaaa0002",
        "aaaa0001",
    ]
    record = store.lookup_token("aaaa0001")
    assert record is not None and record.info.revoked == 1000
    assert not record.info.active(500)
    assert t2.active(10**13) and t3.user_id == bob.id  # type: ignore[attr-defined]
    with pytest.raises(NotFoundError):
        store.revoke_token(4242, 1)


def test_touch_token_writes_at_most_once_an_interval(store: AuthStore) -> None:
    ada = store.create_user("ada", HASH)
    info = _token(store, ada, "abcd1234")
    tid = info.id  # type: ignore[attr-defined]
    assert store.touch_token(tid, 100_000)
    assert not store.touch_token(tid, 130_000)
    assert store.get_token(tid).last_used == 100_000
    assert store.touch_token(tid, 160_000)
    assert store.get_token(tid).last_used == 160_000
    assert store.touch_token(tid, 161_000, min_interval_ms=0)


# -- sessions ----------------------------------------------------------------------------------


def test_sessions(store: AuthStore) -> None:
    ada = store.create_user("ada", HASH)
    s = store.create_session(sha("c1"), ada.id, expires=10**13, ip="10.0.0.1", user_agent="x" * 600)
    assert s.user_id == ada.id and s.ip == "10.0.0.1" and len(s.user_agent or "") == 512
    found = store.get_session(sha("c1"))
    assert found == (s, ada)
    assert store.get_session(sha("other")) is None
    assert store.get_session("not-a-hash") is None
    assert store.touch_session(sha("c1"), s.last_seen + 61_000)
    assert not store.touch_session(sha("c1"), s.last_seen + 62_000)
    assert store.delete_session(sha("c1"))
    assert not store.delete_session(sha("c1"))
    assert store.get_session(sha("c1")) is None


def test_delete_sessions_for_user_and_expired(store: AuthStore) -> None:
    ada = store.create_user("ada", HASH)
    bob = store.create_user("bob", HASH)
    for name in ("a1", "a2", "a3"):
        store.create_session(sha(name), ada.id, expires=10**13)
    store.create_session(sha("b1"), bob.id, expires=10**13)
    assert store.delete_sessions_for_user(ada.id, keep=sha("a1")) == 2
    assert store.get_session(sha("a1")) is not None
    assert store.get_session(sha("b1")) is not None
    store.create_session(sha("old"), bob.id, expires=5)
    assert store.delete_expired_sessions(now=10, idle_ms=10**13) == 1
    assert store.get_session(sha("old")) is None
    # idle: last_seen (now-ish) older than now - idle
    far = 10**13 - 1
    assert store.delete_expired_sessions(now=far, idle_ms=1) == 2
    assert store.get_session(sha("a1")) is None


def test_disabling_a_user_ends_its_sessions(store: AuthStore) -> None:
    store.create_user("root", HASH, is_admin=True)
    ada = store.create_user("ada", HASH)
    store.create_session(sha("a"), ada.id, expires=10**13)
    store.set_disabled(ada.id, True)
    assert store.get_session(sha("a")) is None
    with pytest.raises(InvalidArgumentError, match="disabled"):
        store.create_session(sha("b"), ada.id, expires=10**13)


# -- roles -------------------------------------------------------------------------------------


def test_roles_crud(store: AuthStore) -> None:
    readers = store.create_role("readers", description="Read everything")
    assert (readers.name, readers.workspace, readers.description) == (
        "readers",
        "default",
        "Read everything",
    )
    other = store.create_role("readers", workspace="team-a")  # unique per workspace
    with pytest.raises(AlreadyExistsError, match="'readers' already exists"):
        store.create_role("readers")
    assert store.get_role(readers.id) == readers
    assert [r.workspace for r in store.list_roles()] == ["default", "team-a"]
    assert store.list_roles("team-a") == [other]
    renamed = store.update_role(readers.id, name="viewers", description="")
    assert (renamed.name, renamed.description) == ("viewers", None)
    assert store.update_role(readers.id) == renamed
    store.create_role("editors")
    with pytest.raises(AlreadyExistsError):
        store.update_role(readers.id, name="editors")
    store.delete_role(readers.id)
    with pytest.raises(NotFoundError):
        store.get_role(readers.id)
    with pytest.raises(NotFoundError):
        store.delete_role(readers.id)


@pytest.mark.parametrize(
    ("name", "workspace"), [("", "default"), (" x", "default"), ("ok", "Team"), ("ok", "../x")]
)
def test_role_input_checks(store: AuthStore, name: str, workspace: str) -> None:
    with pytest.raises(InvalidArgumentError):
        store.create_role(name, workspace)
    assert store.list_roles() == []


def test_role_grants(store: AuthStore) -> None:
    role = store.create_role("r")
    g1 = store.add_role_grant(role.id, "experiment", "*", "READ")
    g2 = store.add_role_grant(role.id, E, "12", D)
    g3 = store.add_role_grant(role.id, "workspace", "*", "MANAGE")
    assert (g1.resource_type, g1.resource_pattern, g1.permission) == (E, "*", R)
    assert store.list_role_grants(role.id) == [g1, g2, g3]
    with pytest.raises(AlreadyExistsError):
        store.add_role_grant(role.id, "experiment", "*", "EDIT")
    assert store.update_role_grant(g1.id, "EDIT").permission == ED
    assert store.get_role_grant(g1.id).permission == ED
    with pytest.raises(InvalidArgumentError, match="USE or MANAGE"):
        store.update_role_grant(g3.id, "READ")
    store.remove_role_grant(g2.id)
    with pytest.raises(NotFoundError):
        store.remove_role_grant(g2.id)
    assert [g.id for g in store.list_role_grants(role.id)] == [g1.id, g3.id]
    with pytest.raises(NotFoundError):
        store.add_role_grant(9999, "experiment", "*", "READ")


@pytest.mark.parametrize(
    ("rtype", "pattern", "level"),
    [
        ("workspace", "default", "USE"),  # workspace grants are "*" only
        ("workspace", "*", "EDIT"),  # USE or MANAGE only
        ("experiment", "*", "NO_PERMISSIONS"),  # absent grant + default says that
        ("experiment", "*", "ALL"),
        ("run", "*", "READ"),
        ("experiment", "", "READ"),
    ],
)
def test_bad_role_grants(store: AuthStore, rtype: str, pattern: str, level: str) -> None:
    role = store.create_role("r")
    with pytest.raises(InvalidArgumentError):
        store.add_role_grant(role.id, rtype, pattern, level)
    assert store.list_role_grants(role.id) == []


def test_role_assignments(store: AuthStore) -> None:
    ada = store.create_user("ada", HASH)
    bob = store.create_user("bob", HASH)
    r1 = store.create_role("b-role")
    r2 = store.create_role("a-role")
    a1 = store.assign_role(ada.id, r1.id)
    store.assign_role(ada.id, r2.id)
    a3 = store.assign_role(bob.id, r1.id)
    assert (a1.user_id, a1.role_id) == (ada.id, r1.id)
    with pytest.raises(AlreadyExistsError):
        store.assign_role(ada.id, r1.id)
    assert [r.name for r in store.list_user_roles(ada.id)] == ["a-role", "b-role"]
    assert store.list_role_assignments(r1.id) == [a1, a3]
    store.unassign_role(ada.id, r1.id)
    with pytest.raises(NotFoundError):
        store.unassign_role(ada.id, r1.id)
    assert [r.name for r in store.list_user_roles(ada.id)] == ["a-role"]
    store.delete_role(r2.id)
    assert store.list_user_roles(ada.id) == []
    with pytest.raises(NotFoundError):
        store.assign_role(999, r1.id)
    with pytest.raises(NotFoundError):
        store.assign_role(ada.id, 999)


# -- user grants -------------------------------------------------------------------------------


def test_user_grants(store: AuthStore) -> None:
    ada = store.create_user("ada", HASH)
    bob = store.create_user("bob", HASH)
    g = store.grant(ada.id, "experiment", "7", "READ")
    assert g == UserGrant(ada.id, E, "7", R, "default")
    assert store.grant(ada.id, E, "7", M).permission == M  # replaces
    assert store.get_grant(ada.id, E, "7") == UserGrant(ada.id, E, "7", M)
    store.grant(ada.id, RM, "fraud", NO)
    store.grant(bob.id, E, "7", ED)
    store.grant(bob.id, RM, "fraud", R, workspace="team-a")
    assert [
        (x.user_id, x.permission) for x in store.list_grants(resource_type=E, resource_id="7")
    ] == [
        (ada.id, M),
        (bob.id, ED),
    ]
    assert len(store.list_grants(user_id=ada.id)) == 2
    assert [x.workspace for x in store.list_grants(resource_type="registered_model")] == [
        "default",
        "team-a",
    ]
    assert len(store.list_grants(workspace="team-a")) == 1
    store.revoke(ada.id, E, "7")
    with pytest.raises(NotFoundError):
        store.get_grant(ada.id, E, "7")
    with pytest.raises(NotFoundError):
        store.revoke(ada.id, E, "7")
    with pytest.raises(NotFoundError):
        store.grant(999, E, "7", R)


@pytest.mark.parametrize(
    ("rtype", "rid", "level", "ws"),
    [
        ("experiment", "*", "READ", "default"),
        ("experiment", "1", "READ", "Bad WS"),
        ("experiment", "", "READ", "default"),
        ("bucket", "1", "READ", "default"),
        ("experiment", "1", "WRITE", "default"),
        ("workspace", "other", "USE", "default"),
        ("workspace", "default", "READ", "default"),
    ],
)
def test_bad_user_grants(store: AuthStore, rtype: str, rid: str, level: str, ws: str) -> None:
    ada = store.create_user("ada", HASH)
    with pytest.raises(InvalidArgumentError):
        store.grant(ada.id, rtype, rid, level, workspace=ws)
    assert store.list_grants() == []


# -- grants_for --------------------------------------------------------------------------------


def test_grants_for_folds_own_role_and_workspace_grants(store: AuthStore) -> None:
    ada = store.create_user("ada", HASH)
    bob = store.create_user("bob", HASH)
    assert store.grants_for(ada.id, E, "7") == GrantSet()
    store.grant(ada.id, E, "7", ED)
    store.grant(ada.id, E, "8", M)  # another resource
    store.grant(ada.id, RM, "7", M)  # another type
    store.grant(ada.id, E, "7", M, workspace="team-a")  # another workspace
    store.grant(bob.id, E, "7", M)  # another user
    readers = store.create_role("readers")
    store.add_role_grant(readers.id, E, "*", R)
    store.add_role_grant(readers.id, E, "7", D)
    store.add_role_grant(readers.id, E, "9", M)
    store.add_role_grant(readers.id, WS, "*", U)
    store.add_role_grant(readers.id, RM, "*", M)
    elsewhere = store.create_role("admins", workspace="team-a")
    store.add_role_grant(elsewhere.id, E, "*", M)
    store.assign_role(ada.id, readers.id)
    store.assign_role(ada.id, elsewhere.id)
    got = store.grants_for(ada.id, E, "7")
    assert got.user == ED
    assert sorted(got.roles, key=lambda p: p.rank) == [D, R]
    assert got.workspace == (U,)
    assert got.resource_level == D  # DENY beats every grant
    got8 = store.grants_for(ada.id, "experiment", "8")
    assert (got8.user, got8.roles, got8.resource_level) == (M, (R,), M)
    in_a = store.grants_for(ada.id, E, "7", workspace="team-a")
    assert (in_a.user, in_a.roles, in_a.workspace) == (M, (M,), ())
    assert store.grants_for(bob.id, E, "8") == GrantSet()


def test_grants_for_a_workspace(store: AuthStore) -> None:
    ada = store.create_user("ada", HASH)
    store.grant(ada.id, WS, "default", M)
    role = store.create_role("members")
    store.add_role_grant(role.id, WS, "*", U)
    store.assign_role(ada.id, role.id)
    got = store.grants_for(ada.id, WS, "default")
    assert got.user is None
    assert sorted(got.workspace, key=lambda p: p.rank) == [U, M]
    assert got.workspace_level == M
    on_experiment = store.grants_for(ada.id, E, "1")
    assert on_experiment.user is None and on_experiment.roles == ()
    assert on_experiment.workspace_level == M


def test_delete_and_rename_resource_grants(store: AuthStore) -> None:
    ada = store.create_user("ada", None)
    bob = store.create_user("bob", None)
    role = store.create_role("r")
    other = store.create_role("r", workspace="team-a")
    store.grant(ada.id, RM, "m", M)
    store.grant(bob.id, RM, "m", R)
    store.grant(ada.id, RM, "m", M, workspace="team-a")
    store.grant(ada.id, RM, "stale", R)  # left over from a model deleted without cleanup
    store.add_role_grant(role.id, RM, "m", ED)
    store.add_role_grant(role.id, RM, "*", R)
    store.add_role_grant(other.id, RM, "m", ED)
    assert store.rename_resource_grants(RM, "m", "stale") == 3
    assert {(g.user_id, g.resource_id) for g in store.list_grants(workspace="default")} == {
        (ada.id, "stale"),
        (bob.id, "stale"),
    }
    assert store.get_grant(ada.id, RM, "stale").permission is M  # replaced the old one
    assert {g.resource_pattern for g in store.list_role_grants(role.id)} == {"stale", "*"}
    assert {g.resource_pattern for g in store.list_role_grants(other.id)} == {"m"}  # team-a's
    assert store.delete_resource_grants(RM, "stale") == 3
    assert store.list_grants(workspace="default") == []
    assert {g.resource_pattern for g in store.list_role_grants(role.id)} == {"*"}
    assert len(store.list_grants(workspace="team-a")) == 1
    assert store.delete_resource_grants(E, "404") == 0
    assert store.rename_resource_grants(RM, "x", "x") == 0


# -- audit -------------------------------------------------------------------------------------


def test_audit_append_and_list(store: AuthStore) -> None:
    e1 = store.append_audit("ada", "user.create", target="bob", detail={"admin": False}, time=10)
    e2 = store.append_audit("ada", "token.create", target="token:abcd1234", ip="10.0.0.9", time=20)
    e3 = store.append_audit("-", "login.failed", target="eve", ip="10.0.0.66", time=30)
    assert (e1.actor, e1.action, e1.target, e1.detail, e1.ip) == (
        "ada",
        "user.create",
        "bob",
        {"admin": False},
        None,
    )
    assert list(store.list_audit()) == [e3, e2, e1]
    assert list(store.list_audit(actor="ada")) == [e2, e1]
    assert list(store.list_audit(action="token.create")) == [e2]
    assert list(store.list_audit(action="user.")) == [e1]
    assert list(store.list_audit(target="eve")) == [e3]
    assert list(store.list_audit(since=20)) == [e3, e2]
    assert list(store.list_audit(until=20)) == [e1]
    assert list(store.list_audit(action="user_")) == []  # "_" is not a wildcard


def test_audit_pages_stay_put_while_events_arrive(store: AuthStore) -> None:
    for i in range(5):
        store.append_audit("ada", "x.y", target=str(i))
    first = store.list_audit(max_results=2)
    assert [e.target for e in first] == ["4", "3"]
    store.append_audit("ada", "x.y", target="new")
    second = store.list_audit(max_results=2, page_token=first.token)
    third = store.list_audit(max_results=2, page_token=second.token)
    assert [e.target for e in second] == ["2", "1"]
    assert [e.target for e in third] == ["0"] and third.token is None
    with pytest.raises(InvalidArgumentError):
        store.list_audit(page_token="eyJiZWZvcmVfaWQiOiAiMSJ9")  # {"before_id": "1"}
    with pytest.raises(InvalidArgumentError):
        store.list_audit(max_results=1001)


def test_audit_cuts_long_fields(store: AuthStore) -> None:
    e = store.append_audit("a" * 400, "big", target="t" * 900, detail={"k": "v" * 20_000})
    stored = store.list_audit()[0]
    assert stored == e
    assert len(e.actor) == 255 and len(e.target or "") == 512
    assert e.detail.get("truncated") is True
    with pytest.raises(InvalidArgumentError):
        store.append_audit("a", "")
