"""Identity and permission entities: users, tokens, sessions, roles, grants, audit events.

Permission levels are MLflow's (``mlflow.server.auth.permissions`` in 3.18)::

    level           read  use  update  delete  manage
    READ             x
    USE              x    x
    EDIT             x    x     x
    MANAGE           x    x     x       x       x
    NO_PERMISSIONS
    DENY                                                (an explicit deny that beats grants)

:func:`combine_permissions` folds the levels that apply to one caller and one resource: any
DENY wins; otherwise the highest of READ < USE < EDIT < MANAGE (NO_PERMISSIONS is below
READ). Secrets never live in these classes: a :class:`TokenInfo` carries the token's public
prefix, never its secret or hash, and a :class:`User` no password hash.

Pure: no web framework, no database, no HTTP client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities.workspace import DEFAULT_WORKSPACE, validate_workspace_name

__all__ = [
    "DEFAULT_WORKSPACE",
    "SERVICE_KIND",
    "USER_KIND",
    "WILDCARD",
    "AuditEvent",
    "GrantSet",
    "Permission",
    "ResourceType",
    "Role",
    "RoleAssignment",
    "RoleGrant",
    "ServiceAccount",
    "Session",
    "TokenInfo",
    "User",
    "UserGrant",
    "check_role_grant",
    "check_user_grant",
    "combine_permissions",
    "validate_role_name",
    "validate_username",
    "validate_workspace_name",
]

"""The workspace of roles and grants when none is named (MLflow's default workspace)."""

WILDCARD = "*"
"""A role grant's pattern that matches every resource of its type."""

USER_KIND = "user"
"""A person: logs in with a password (or SSO) and may hold personal access tokens."""

SERVICE_KIND = "service"
"""A service account: a machine identity with tokens only, never a password."""


class Permission(str, Enum):
    """A permission level (MLflow's names; :meth:`parse` accepts the strings)."""

    READ = "READ"
    USE = "USE"
    EDIT = "EDIT"
    MANAGE = "MANAGE"
    NO_PERMISSIONS = "NO_PERMISSIONS"
    DENY = "DENY"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: object) -> Permission:
        """``value`` as a level; InvalidArgumentError (naming the valid ones) otherwise."""
        if isinstance(value, Permission):
            return value
        try:
            return cls(value)
        except ValueError:
            valid = ", ".join(p.value for p in cls)
            raise InvalidArgumentError(
                f"Invalid permission {value!r}. Valid permissions are: {valid}"
            ) from None

    @property
    def rank(self) -> int:
        """Order for combining: DENY -1, NO_PERMISSIONS 0, READ 1, USE 2, EDIT 3, MANAGE 4."""
        return _RANK[self]

    @property
    def can_read(self) -> bool:
        """May see the resource."""
        return self.rank >= 1

    @property
    def can_use(self) -> bool:
        """May use it (call a gateway endpoint, run a scorer) as well as read it."""
        return self.rank >= 2

    @property
    def can_update(self) -> bool:
        """May change it (log to an experiment, add a model version)."""
        return self.rank >= 3

    @property
    def can_delete(self) -> bool:
        """May delete it."""
        return self.rank >= 4

    @property
    def can_manage(self) -> bool:
        """May change who has access to it."""
        return self.rank >= 4

    def allows(self, needed: Permission) -> bool:
        """True when this level grants everything ``needed`` grants (DENY grants nothing)."""
        return self is not Permission.DENY and self.rank >= max(needed.rank, 0)


_RANK = {
    Permission.DENY: -1,
    Permission.NO_PERMISSIONS: 0,
    Permission.READ: 1,
    Permission.USE: 2,
    Permission.EDIT: 3,
    Permission.MANAGE: 4,
}


def combine_permissions(levels: Iterable[Permission]) -> Permission | None:
    """The level several grants give together: DENY if any is, else the highest; None if none.

    None (no grant at all) is not NO_PERMISSIONS: the policy falls back to the workspace's
    default permission only when nothing was granted.
    """
    best: Permission | None = None
    for level in levels:
        if level is Permission.DENY:
            return level
        if best is None or level.rank > best.rank:
            best = level
    return best


class ResourceType(str, Enum):
    """What a grant is on (MLflow's resource type names, plus Ardea's webhooks and datasets)."""

    EXPERIMENT = "experiment"
    REGISTERED_MODEL = "registered_model"
    PROMPT = "prompt"
    SCORER = "scorer"
    GATEWAY_SECRET = "gateway_secret"
    GATEWAY_ENDPOINT = "gateway_endpoint"
    GATEWAY_MODEL_DEFINITION = "gateway_model_definition"
    WEBHOOK = "webhook"
    EVALUATION_DATASET = "evaluation_dataset"
    WORKSPACE = "workspace"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: object) -> ResourceType:
        """``value`` as a resource type; InvalidArgumentError (naming the valid ones) otherwise."""
        if isinstance(value, ResourceType):
            return value
        try:
            return cls(value)
        except ValueError:
            valid = ", ".join(t.value for t in cls)
            raise InvalidArgumentError(
                f"Invalid resource type {value!r}. Valid resource types are: {valid}"
            ) from None


_WORKSPACE_LEVELS = (Permission.USE, Permission.MANAGE)
_ROLE_LEVELS = (
    Permission.READ,
    Permission.USE,
    Permission.EDIT,
    Permission.MANAGE,
    Permission.DENY,
)
_USERNAME_MAX = 255
_NAME_MAX = 255
_RESOURCE_ID_MAX = 256


def validate_username(username: object) -> str:
    """A username: 1-255 printable characters, no whitespace and no ``:``.

    ``:`` is excluded because HTTP Basic credentials split at the first colon; whitespace
    and control characters because two names that look alike must not be two accounts.
    """
    if (
        not isinstance(username, str)
        or not 1 <= len(username) <= _USERNAME_MAX
        or ":" in username
        or any(c.isspace() or not c.isprintable() for c in username)
    ):
        raise InvalidArgumentError(
            "Invalid username: use 1 to 255 printable characters, without spaces or ':'."
        )
    return username


def validate_role_name(name: object) -> str:
    """A role name: 1-255 printable characters, not starting or ending with a space."""
    if (
        not isinstance(name, str)
        or not 1 <= len(name) <= _NAME_MAX
        or name != name.strip()
        or not name.isprintable()
    ):
        raise InvalidArgumentError(
            "Invalid role name: use 1 to 255 printable characters, without leading or "
            "trailing spaces."
        )
    return name


def _resource_id(value: object, what: str) -> str:
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= _RESOURCE_ID_MAX
        or "\x00" in value
        or not value.isprintable()
    ):
        raise InvalidArgumentError(f"Invalid {what} {value!r}: use 1 to 256 printable characters.")
    return value


def check_role_grant(
    resource_type: object, resource_pattern: object, permission: object
) -> tuple[ResourceType, str, Permission]:
    """A role grant's fields, checked as MLflow 3.18 checks them.

    ``workspace`` grants take pattern ``*`` and USE (member) or MANAGE (workspace admin);
    other types take ``*`` or one resource id, and READ, USE, EDIT, MANAGE or DENY
    (NO_PERMISSIONS is refused: no grant plus the default permission says that already).
    """
    rtype = ResourceType.parse(resource_type)
    pattern = _resource_id(resource_pattern, "resource pattern")
    level = Permission.parse(permission)
    if rtype is ResourceType.WORKSPACE:
        if pattern != WILDCARD:
            raise InvalidArgumentError("A workspace grant's resource pattern must be '*'.")
        if level not in _WORKSPACE_LEVELS:
            raise InvalidArgumentError(
                f"Invalid permission {level.value!r} for resource type 'workspace': "
                "use USE or MANAGE."
            )
    elif level not in _ROLE_LEVELS:
        raise InvalidArgumentError(
            f"Invalid permission {level.value!r} for a role grant: use READ, USE, EDIT, "
            "MANAGE or DENY."
        )
    return rtype, pattern, level


def check_user_grant(
    resource_type: object, resource_id: object, permission: object, workspace: object
) -> tuple[ResourceType, str, Permission, str]:
    """A user grant's fields: one resource (never ``*``), any level, a valid workspace.

    A ``workspace`` grant names the workspace itself as its resource id and takes USE or
    MANAGE. NO_PERMISSIONS is accepted on a resource (MLflow's per-experiment and
    per-model permission endpoints set it), so that one user can be shut out of one
    resource whatever the default.
    """
    rtype = ResourceType.parse(resource_type)
    rid = _resource_id(resource_id, "resource id")
    level = Permission.parse(permission)
    ws = validate_workspace_name(workspace)
    if rid == WILDCARD:
        raise InvalidArgumentError("A user grant names one resource; '*' is for roles.")
    if rtype is ResourceType.WORKSPACE:
        if rid != ws:
            raise InvalidArgumentError("A workspace grant's resource id is its workspace's name.")
        if level not in _WORKSPACE_LEVELS:
            raise InvalidArgumentError(
                f"Invalid permission {level.value!r} for resource type 'workspace': "
                "use USE or MANAGE."
            )
    return rtype, rid, level, ws


@dataclass(frozen=True)
class User:
    """A user (a person, or a :class:`ServiceAccount`); never carries its password hash.

    Attributes:
        id: Integer id, never reused.
        username: Unique login name (case-sensitive).
        is_admin: Admins may do everything, everywhere.
        created: Creation time, epoch ms.
        disabled: A disabled user cannot log in and its tokens and sessions do not work.
        kind: :data:`USER_KIND` or :data:`SERVICE_KIND`.
    """

    id: int
    username: str
    is_admin: bool
    created: int
    disabled: bool = False
    kind: str = USER_KIND

    @property
    def is_service(self) -> bool:
        """True for a service account."""
        return self.kind == SERVICE_KIND


@dataclass(frozen=True)
class ServiceAccount(User):
    """A machine identity: a :class:`User` of kind ``service``, with tokens and no password."""

    kind: str = SERVICE_KIND


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """The public part of an API token (never its secret nor the secret's hash).

    Attributes:
        id: Integer id.
        user_id: Whose token it is.
        name: A label chosen at creation ("laptop", "ci").
        prefix: The 8 characters that identify it in ``ardea_<kind>_<prefix>_<secret>``.
        kind: ``pat`` (a person's) or ``sa`` (a service account's).
        created: Creation time, epoch ms.
        expires: Expiry time, epoch ms, or None for a token that does not expire.
        last_used: When it last authenticated a request (updated at most once a minute).
        revoked: When it was revoked, epoch ms, or None.
    """

    id: int
    user_id: int
    name: str
    prefix: str
    kind: str
    created: int
    expires: int | None = None
    last_used: int | None = None
    revoked: int | None = None

    def active(self, now: int) -> bool:
        """Neither revoked nor expired at ``now`` (epoch ms)."""
        return self.revoked is None and (self.expires is None or now < self.expires)


@dataclass(frozen=True, slots=True)
class Session:
    """A login session of the UI, keyed by the SHA-256 of its cookie (never the cookie).

    Attributes:
        id_hash: Hex SHA-256 of the session's cookie value.
        user_id: Whose session it is.
        created: Login time, epoch ms.
        last_seen: Last request seen with it, epoch ms (coarse: updated at most each minute).
        expires: Absolute expiry, epoch ms (idle expiry is ``last_seen`` + the idle timeout).
        ip: Client address at login, if known.
        user_agent: Client ``User-Agent`` at login, if known (cut to 512 characters).
    """

    id_hash: str
    user_id: int
    created: int
    last_seen: int
    expires: int
    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class Role:
    """A named set of grants in one workspace, assigned to users (and later OIDC groups)."""

    id: int
    name: str
    workspace: str = DEFAULT_WORKSPACE
    description: str | None = None


@dataclass(frozen=True, slots=True)
class RoleGrant:
    """One grant of a role: ``permission`` on resources of a type matching a pattern.

    Attributes:
        id: Integer id (MLflow's ``role_permission_id``).
        role_id: The role.
        resource_type: What kind of resource.
        resource_pattern: ``*`` (every resource of the type in the role's workspace) or one id.
        permission: The level.
    """

    id: int
    role_id: int
    resource_type: ResourceType
    resource_pattern: str
    permission: Permission


@dataclass(frozen=True, slots=True)
class RoleAssignment:
    """A user holding a role (MLflow's ``UserRoleAssignment``)."""

    id: int
    user_id: int
    role_id: int


@dataclass(frozen=True, slots=True)
class UserGrant:
    """A permission given to one user on one resource of one workspace."""

    user_id: int
    resource_type: ResourceType
    resource_id: str
    permission: Permission
    workspace: str = DEFAULT_WORKSPACE


@dataclass(frozen=True, slots=True)
class GrantSet:
    """Everything granted to one user that bears on one resource (see ``AuthStore.grants_for``).

    Attributes:
        user: The user's own grant on the resource, if any.
        roles: Levels of the user's roles' grants on the resource (its id or ``*``).
        workspace: Levels of the workspace grants (USE: member, MANAGE: workspace admin) the
            user holds in the resource's workspace, directly or through roles.
    """

    user: Permission | None = None
    roles: tuple[Permission, ...] = ()
    workspace: tuple[Permission, ...] = ()

    @property
    def resource_level(self) -> Permission | None:
        """The level the user's and roles' grants on the resource give (DENY wins; None: none)."""
        return combine_permissions([*([self.user] if self.user else []), *self.roles])

    @property
    def workspace_level(self) -> Permission | None:
        """The highest workspace grant (None: not a member by grant)."""
        return combine_permissions(self.workspace)


@dataclass(frozen=True)
class AuditEvent:
    """One audited action: who did what to what, when and from where.

    Attributes:
        id: Increasing integer id.
        time: Epoch ms.
        actor: The username who acted (``-`` when unknown, e.g. a failed login).
        action: A dotted verb, e.g. ``user.create``, ``token.revoke``, ``login.failed``.
        target: What it acted on (a username, ``token:<prefix>``, ``role:<id>``), if any.
        detail: Further facts as JSON-compatible data; never a secret.
        ip: The client address, if known.
    """

    id: int
    time: int
    actor: str
    action: str
    target: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)
    ip: str | None = None
