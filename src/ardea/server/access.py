"""Access rules: what a route needs, declared where the route is registered.

Every route is registered with ``rpc(..., access=...)`` (a required keyword: a route without
a rule neither type-checks nor imports). The rule is checked by the route's wrapper
(:mod:`ardea.server.authz`), which both the RPC fast path and FastAPI call, after the
request is parsed and before the handler runs, and only on a server with ``--auth``.

A rule is one of:

- :data:`PUBLIC`: anyone (``/health``, ``/version``, ``server-info``, the login routes);
- :data:`AUTHENTICATED`: any signed-in caller (what it sees is its own: ``users/current``);
- :data:`ADMIN`: admins only;
- :func:`on`: a level (READ, USE, EDIT, MANAGE) on the resources a *locator* finds in the
  parsed request (an experiment by its id, by a run, trace or logged model id; a registered
  model or prompt by name; a webhook by id), see :mod:`ardea.server.access_targets`;
- :func:`create`: may create a resource of a type in the workspace (membership); the
  creator gets MANAGE on what the answer names;
- :func:`search`: a search or list, which the store filters in SQL to what the caller may
  read (:mod:`ardea.store.visibility`);
- :func:`handler`: signed in, and the handler decides the rest itself (the auth endpoints,
  where "yourself or an admin" depends on the body).

The levels follow MLflow's: reading needs READ, changing EDIT, deleting and sharing MANAGE.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from ardea.entities.auth import Permission, ResourceType

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from ardea.api.request_parsing import RequestSpec

__all__ = [
    "ADMIN",
    "AUTHENTICATED",
    "EDIT",
    "MANAGE",
    "NON_RPC_ROUTES",
    "PUBLIC",
    "READ",
    "Access",
    "AccessKind",
    "After",
    "Created",
    "Fields",
    "Locate",
    "Target",
    "create",
    "handler",
    "on",
    "search",
]

READ = Permission.READ
"""See it."""
EDIT = Permission.EDIT
"""Change it (log to an experiment, add a model version)."""
MANAGE = Permission.MANAGE
"""Delete it, and share it."""

Fields = Mapping[str, Any]
"""The parsed request (its spec's fields) and the route's path parameters."""


class AccessKind(str, Enum):
    """What kind of rule a route has (see the module docstring)."""

    PUBLIC = "public"
    AUTHENTICATED = "authenticated"
    ADMIN = "admin"
    RESOURCE = "resource"
    CREATE = "create"
    SEARCH = "search"
    HANDLER = "handler"


@dataclass(frozen=True, slots=True)
class Target:
    """One resource a request acts on.

    Attributes:
        resource_type: Its type (the grants' type: an experiment for a run or a trace).
        resource_id: Its id as grants name it (an experiment's decimal id, a model's name).
        missing: The 404 message for it, the store's own: a caller who may not read the
            resource is told exactly what it would be told if it did not exist.

        level: The level needed on this target, when not the rule's (a model version's
            source run is only read while its model is changed).

    An empty ``resource_id`` names nothing a grant could be on (an artifact path outside
    every experiment's folder, an OTLP request naming no experiment): admins only.
    """

    resource_type: ResourceType
    resource_id: str
    missing: str
    level: Permission | None = None


Locate = Callable[["Request", Fields], Awaitable[Sequence[Target]]]
"""Finds the resources a request acts on (may look up a run's experiment, and 404)."""

Created = Callable[[Fields, Any], "Target | None"]
"""The resource a create made, from the request and the decoded JSON answer."""

After = Callable[["Request", Fields, Sequence[Target], "Response"], Awaitable[None]]
"""Runs after a successful answer (drops a deleted resource's grants, follows a rename)."""


@dataclass(frozen=True, slots=True)
class Access:
    """The rule of one route.

    Attributes:
        kind: See :class:`AccessKind`.
        level: RESOURCE: the level needed on each target.
        locate: RESOURCE: finds the targets; CREATE: the workspace-level check's type (one
            target whose id is ignored), e.g. a prompt or a model by the request's tags.
        created: CREATE: the new resource, from the answer (its creator gets MANAGE).
        searches: SEARCH: the types whose visibility the store applies.
        spec: Where the locator's fields come from, when not the route's own spec.
        after: Called after a 2xx answer (grants of deleted or renamed resources).
        label: How the rule reads in documents and test reports.
    """

    kind: AccessKind
    level: Permission | None = None
    locate: Locate | None = None
    created: Created | None = None
    searches: tuple[ResourceType, ...] = ()
    spec: RequestSpec | None = None
    after: After | None = None
    label: str = ""

    def __str__(self) -> str:
        return self.label or self.kind.value


PUBLIC = Access(AccessKind.PUBLIC, label="public")
"""Anyone, signed in or not."""

AUTHENTICATED = Access(AccessKind.AUTHENTICATED, label="authenticated")
"""Any signed-in caller."""

ADMIN = Access(AccessKind.ADMIN, label="admin")
"""Admins only."""


NON_RPC_ROUTES: dict[str, Access] = {
    "/openapi.json": PUBLIC,  # FastAPI's description of the API (no data)
    "/docs": PUBLIC,  # ardea server --dev: the API explorer page
    "/docs/oauth2-redirect": PUBLIC,
    "ui": PUBLIC,  # the web UI's pages and assets (static.UiRoute): it signs in through the
    # login routes, then calls the API with its session cookie
}
"""The rules of the routes not registered with ``rpc`` (every API route is)."""


def on(
    level: Permission,
    locate: Locate,
    what: str,
    *,
    spec: RequestSpec | None = None,
    after: After | None = None,
) -> Access:
    """``level`` on every resource ``locate`` finds (``what`` names them for documents)."""
    return Access(
        AccessKind.RESOURCE,
        level=level,
        locate=locate,
        spec=spec,
        after=after,
        label=f"{level.value} {what}",
    )


def create(locate: Locate, created: Created, what: str) -> Access:
    """May create a resource in the request's workspace.

    ``locate``'s first target gives the new resource's type; any further ones are what the new
    resource names (a dataset's experiments), each needing its own level (READ by default).
    """
    return Access(AccessKind.CREATE, locate=locate, created=created, label=f"create {what}")


def search(*types: ResourceType) -> Access:
    """A search or list of ``types``, filtered in SQL to what the caller may read."""
    names = ", ".join(t.value for t in types)
    return Access(AccessKind.SEARCH, searches=tuple(types), label=f"search {names}")


def handler(what: str) -> Access:
    """Signed in; the handler checks the rest (``what`` says what, for documents)."""
    return Access(AccessKind.HANDLER, label=f"authenticated; {what}")
