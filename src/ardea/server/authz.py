"""Authorization in every route's wrapper: the route's :class:`~ardea.server.access.Access`.

``rpc(...)`` wraps each handler with :func:`guarded` (inside the error handling), so the RPC
fast path and FastAPI run the same check. Without ``--auth`` the wrapper calls the handler
at once (one attribute read). With it, after the door authenticated the caller:

- anonymous on anything but a PUBLIC route: 401 ``UNAUTHENTICATED`` (the door answers most
  of these before routing; this is the second line);
- RESOURCE: the request is parsed (the handler gets the same parsed fields, not a second
  parse), the locator finds the targets, and the policy's level on each must allow the
  rule's. A caller who may not even READ a target gets the 404 the store gives for a
  resource that does not exist (the same message: no existence leak); one who may read it
  but not do this gets 403 ``PERMISSION_DENIED``;
- CREATE: membership of the workspace (and no DENY on the type); after a 2xx answer the
  creator gets MANAGE on the new resource (written right after the create, not in its
  transaction: should that write fail, the resource stays and an admin can grant it);
- SEARCH: the handler runs inside :func:`~ardea.store.visibility.reading_as` with the
  caller's visibility, so the store's SQL returns only what it may read;
- ADMIN: admins only; AUTHENTICATED and HANDLER: any signed-in caller.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import NotFoundError, PermissionDeniedError
from ardea.entities.auth import DEFAULT_WORKSPACE, Permission, User
from ardea.server.access import Access, AccessKind, Target
from ardea.server.door import (
    CHALLENGE,
    NOT_AUTHENTICATED,
    challenges,
    current_request,
    error_body,
)
from ardea.server.errors import Endpoint
from ardea.server.parsing import call, parse_get, parse_json

if TYPE_CHECKING:
    from ardea.api.request_parsing import RequestSpec
    from ardea.auth.policy import Decisions
    from ardea.server.auth_runtime import AuthRuntime

__all__ = [
    "access_of",
    "ask",
    "caller_user",
    "check_target",
    "guarded",
    "is_member",
    "request_fields",
    "unauthenticated",
]

ADMIN_ONLY = "Permission denied: only an admin may do this."

T = TypeVar("T")


def access_of(endpoint: object) -> Access | None:
    """The rule a route's endpoint was registered with (None: not registered by ``rpc``)."""
    found = getattr(endpoint, "ardea_access", None)
    return found if isinstance(found, Access) else None


async def request_fields(
    request: Request, spec: RequestSpec | None, spec_in: str = "auto"
) -> dict[str, Any]:
    """The request's fields: parsed against ``spec``, with the path parameters.

    The query for GET (or ``spec_in="query"``), else the JSON body; the parse is kept for
    the handler (which parses the same spec without doing it twice).
    """
    fields: dict[str, Any] = {}
    if spec is not None:
        if request.method == "GET" or spec_in == "query":
            fields.update(parse_get(request, spec))
        else:
            fields.update(await parse_json(request, spec))
    fields.update(request.path_params)
    return fields


def caller_user(request: Request) -> User | None:
    """The signed-in user of the request (None: anonymous, or a server without ``--auth``)."""
    context = current_request()
    principal = context.caller if context is not None else None
    return principal.user if principal is not None else None


async def is_member(request: Request, workspace: str) -> bool:
    """Whether the caller belongs to ``workspace`` (always true without ``--auth``).

    Admins belong to every workspace; see :meth:`ardea.auth.policy.Policy.is_member`.
    """
    auth: AuthRuntime | None = request.app.state.ardea.auth
    user = caller_user(request)
    if auth is None or user is None or user.is_admin:
        return auth is None or user is not None
    return await ask(auth, auth.policy.is_workspace_member, user, workspace)


def unauthenticated(path: str, message: str = NOT_AUTHENTICATED) -> Response:
    """401 ``UNAUTHENTICATED`` (with ``WWW-Authenticate`` for API clients, not the UI)."""
    response = Response(
        error_body("UNAUTHENTICATED", message), status_code=401, media_type="application/json"
    )
    if challenges(path):
        response.headers[CHALLENGE[0].decode()] = CHALLENGE[1].decode()
    return response


async def ask(auth: AuthRuntime, fn: Callable[..., T], *args: Any) -> T:
    """Ask the policy: inline on a local SQLite file, else in a pool thread."""
    if auth.inline_checks:
        return fn(*args)
    return await call(fn, *args)


def _denied(needed: Permission, target: Target) -> PermissionDeniedError:
    return PermissionDeniedError(
        f"Permission denied: {needed.value} on {target.resource_type.value} "
        f"'{target.resource_id}' is needed."
    )


async def check_target(
    auth: AuthRuntime,
    user: User,
    target: Target,
    needed: Permission,
    workspace: str,
    memo: Decisions | None = None,
) -> None:
    """Allow ``user`` ``needed`` on ``target``, or raise (404 when it may not read it, 403).

    Raises:
        NotFoundError: The user may not read the target (the store's own message).
        PermissionDeniedError: It may read it but not do this; or the target names nothing
            (only admins).
    """
    if user.is_admin:
        return
    if not target.resource_id:
        raise PermissionDeniedError(ADMIN_ONLY)
    rtype, rid = target.resource_type, target.resource_id
    level = await ask(auth, auth.policy.level, user, rtype, rid, workspace, memo)
    if level.allows(needed):
        return
    if not level.can_read:
        raise NotFoundError(target.missing)
    raise _denied(needed, target)


def _ok(response: Response) -> bool:
    return 200 <= response.status_code < 300


async def _grant_creator(
    auth: AuthRuntime, user: User, created: Target | None, workspace: str
) -> None:
    if created is None or not created.resource_id:
        return
    await call(
        auth.store.grant,
        user.id,
        created.resource_type,
        created.resource_id,
        Permission.MANAGE,
        workspace,
    )


async def _enforce(
    auth: AuthRuntime,
    access: Access,
    spec: RequestSpec | None,
    spec_in: str,
    fn: Endpoint,
    request: Request,
    kwargs: dict[str, Any],
) -> Response:
    context = current_request()
    principal = context.caller if context is not None else None
    if access.kind is AccessKind.PUBLIC:
        return await fn(request, **kwargs)
    if principal is None:
        return unauthenticated(request.url.path)
    user = principal.user
    workspace = (context.workspace if context is not None else None) or DEFAULT_WORKSPACE
    from ardea.auth.policy import Decisions

    memo = Decisions()
    kind = access.kind
    if kind in (AccessKind.AUTHENTICATED, AccessKind.HANDLER):
        return await fn(request, **kwargs)
    if kind is AccessKind.ADMIN:
        if not user.is_admin:
            raise PermissionDeniedError(ADMIN_ONLY)
        return await fn(request, **kwargs)
    if kind is AccessKind.SEARCH:
        from ardea.store.visibility import reading_as

        visibility = await ask(auth, auth.policy.visibility, user, access.searches, workspace, memo)
        with reading_as(visibility):
            return await fn(request, **kwargs)
    assert access.locate is not None, access  # RESOURCE and CREATE rules always have one
    fields = await request_fields(request, access.spec or spec, spec_in)
    targets: Sequence[Target] = await access.locate(request, fields)
    if kind is AccessKind.CREATE:
        rtype = targets[0].resource_type
        if not await ask(auth, auth.policy.can_create, user, rtype, workspace, memo):
            raise PermissionDeniedError(
                f"Permission denied: you may not create a {rtype.value} in workspace '{workspace}'."
            )
        for other in targets[1:]:  # what the new resource names (a dataset's experiments)
            needed = other.level or Permission.READ
            await check_target(auth, user, other, needed, workspace, memo)
        response = await fn(request, **kwargs)
        if _ok(response) and access.created is not None:
            answer = orjson.loads(bytes(response.body)) if response.body else {}
            await _grant_creator(auth, user, access.created(fields, answer), workspace)
        return response
    assert access.level is not None, access
    for target in targets:
        await check_target(auth, user, target, target.level or access.level, workspace, memo)
    response = await fn(request, **kwargs)
    if access.after is not None and _ok(response):
        await access.after(request, fields, targets, response)
    return response


def guarded(
    fn: Endpoint, access: Access, spec: RequestSpec | None = None, spec_in: str = "auto"
) -> Endpoint:
    """``fn`` behind ``access`` (see the module docstring); the rule is kept on the wrapper."""

    @functools.wraps(fn)
    async def wrapper(request: Request, **kwargs: Any) -> Response:
        auth: AuthRuntime | None = request.app.state.ardea.auth
        if auth is None:  # no --auth: nothing to check
            return await fn(request, **kwargs)
        return await _enforce(auth, access, spec, spec_in, fn, request, kwargs)

    wrapper.ardea_access = access  # type: ignore[attr-defined]
    return wrapper
