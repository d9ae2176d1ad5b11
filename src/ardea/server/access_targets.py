"""Locators: the resources a request acts on, found from its parsed fields.

Each factory returns a :data:`~ardea.server.access.Locate` for one way of naming a resource.
What lives under an experiment (runs, traces, logged models, artifacts) is checked on its
experiment, so a locator may look the owner up (one indexed query through the request's
workspace-scoped store: an id of another workspace is a 404 there). The owner of a run,
trace or logged model never changes, so :class:`~ardea.server.owner_cache.OwnerCache`
remembers it per workspace; a grant is never cached (the policy asks the store on every request).

A value the request does not carry (an optional field left out) names no target: the
handler then refuses the request itself, as it would without authentication.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ardea.entities.auth import DEFAULT_WORKSPACE, Permission, ResourceType
from ardea.entities.registry import PROMPT_TAG
from ardea.server.access import Created, Fields, Locate, Target
from ardea.server.deps import backend as runtime_backend
from ardea.server.deps import registry_store, runtime, trace_store, tracking_store, workspace
from ardea.server.parsing import call, json_object

__all__ = [
    "alert_rule",
    "all_of",
    "artifact_path",
    "created_experiment",
    "created_model",
    "created_dataset",
    "dataset",
    "created_webhook",
    "drop_grants",
    "move_grants",
    "needing",
    "canonical_experiment_id",
    "experiment",
    "experiment_by_name",
    "experiment_header",
    "resource",
    "experiments",
    "issue",
    "review_item",
    "review_queue",
    "logged_model",
    "model",
    "new_model",
    "run",
    "runs",
    "trace",
    "trace_location",
    "traces",
    "webhook",
    "workspace_target",
]

EXP = ResourceType.EXPERIMENT


def canonical_experiment_id(value: object) -> str:
    """An experiment id as grants name it: ``"007"`` and ``"7"`` are experiment ``7``."""
    text = str(value).strip()
    try:
        number = int(text)
    except ValueError:
        return text
    return str(number) if 0 <= number < 2**31 else text


def _experiment(value: object, missing: str | None = None) -> Target:
    rid = canonical_experiment_id(value)
    return Target(EXP, rid, missing or f"No Experiment with id={value} exists")


def _given(fields: Fields, name: str) -> Any:
    value = fields.get(name)
    return None if value is None or value == "" else value


def _values(fields: Fields, name: str) -> list[Any]:
    value = fields.get(name)
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


async def _owner(request: Request, kind: str, ident: str, look_up: Callable[[str], str]) -> str:
    """The experiment that owns ``ident`` (cached; a miss asks the scoped store)."""
    auth = runtime(request).auth
    key = (workspace(request) or "", kind, ident)
    cache = auth.owners if auth is not None else None
    if cache is not None:
        hit = cache.get(key)
        if hit is not None:
            return hit
    owner = str(await call(look_up, ident))
    if cache is not None:
        cache.put(key, owner)
    return owner


def resource(resource_type: ResourceType, resource_id: str) -> Target:
    """A resource named by its type and id as grants name it (an experiment's id canonical)."""
    if resource_type is EXP:
        return _experiment(resource_id)
    kind = resource_type.value.replace("_", " ")
    if resource_type in (ResourceType.REGISTERED_MODEL, ResourceType.PROMPT):
        missing = f"Registered Model with name={resource_id} not found"
    else:
        missing = f"No {kind} '{resource_id}' exists"
    return Target(resource_type, resource_id, missing)


def experiment(field: str = "experiment_id", default: str | None = None) -> Locate:
    """The experiment whose id is ``field`` (``default`` when absent, e.g. ``"0"``)."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        value = _given(fields, field) or default
        return [] if value is None else [_experiment(value)]

    return locate


def experiments(field: str = "experiment_ids") -> Locate:
    """Every experiment ``field`` lists."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        return [_experiment(v) for v in dict.fromkeys(_values(fields, field))]

    return locate


def experiment_by_name(field: str = "experiment_name") -> Locate:
    """The experiment named ``field`` (its id looked up; 404 when there is none)."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        name = _given(fields, field)
        if name is None:
            return []
        found = await call(tracking_store(request).get_experiment_by_name, name)
        return [_experiment(found.experiment_id, f"Could not find experiment with name '{name}'")]

    return locate


def experiment_header(*headers: str) -> Locate:
    """The experiment a header names (OTLP's ``X-MLflow-Experiment-Id``).

    Without the header (the experiment would come from the payload), admins only.
    """

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        for header in headers:
            value = request.headers.get(header)
            if value and value.strip():
                return [_experiment(value.strip())]
        return [Target(EXP, "", "")]

    return locate


async def _run_target(request: Request, run_id: str) -> Target:
    owner = await _owner(request, "run", run_id, tracking_store(request).experiment_of_run)
    return _experiment(owner, f"Run with id={run_id} not found")


def run(field: str = "run_id") -> Locate:
    """The experiment of the run ``field`` names."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        run_id = _given(fields, field)
        return [] if run_id is None else [await _run_target(request, str(run_id))]

    return locate


def runs(field: str = "run_ids") -> Locate:
    """The experiments of every run ``field`` lists."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        return [await _run_target(request, str(r)) for r in dict.fromkeys(_values(fields, field))]

    return locate


async def _trace_target(request: Request, trace_id: str) -> Target:
    owner = await _owner(request, "trace", trace_id, trace_store(request).experiment_of_trace)
    return _experiment(owner, f"Trace with ID {trace_id} is not found.")


def trace(field: str = "trace_id") -> Locate:
    """The experiment of the trace ``field`` names (``request_id`` in v2 routes)."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        trace_id = _given(fields, field)
        return [] if trace_id is None else [await _trace_target(request, str(trace_id))]

    return locate


def traces(field: str = "trace_ids") -> Locate:
    """The experiments of every trace ``field`` lists."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        ids = dict.fromkeys(str(t) for t in _values(fields, field))
        return [await _trace_target(request, t) for t in ids]

    return locate


def trace_location() -> Locate:
    """The experiment a new trace's ``trace_info.trace_location`` names (StartTraceV3)."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        body = await json_object(request)  # the handler parses the message itself
        info = body.get("trace") or {}
        info = info.get("trace_info", info) if isinstance(info, dict) else {}
        where = info.get("trace_location") if isinstance(info, dict) else None
        experiment_ = where.get("mlflow_experiment") if isinstance(where, dict) else None
        value = experiment_.get("experiment_id") if isinstance(experiment_, dict) else None
        return [] if value in (None, "") else [_experiment(value)]

    return locate


def alert_rule(field: str = "rule_id") -> Locate:
    """The experiment of the alert rule ``field`` names."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        rule_id = _given(fields, field)
        if rule_id is None:
            return []
        look_up = runtime_backend(request).alerts.experiment_of_rule
        owner = await _owner(request, "alert_rule", str(rule_id), look_up)
        return [_experiment(owner, f"Alert rule '{rule_id}' not found")]

    return locate


def review_queue(field: str = "queue_id") -> Locate:
    """The experiment of the review queue ``field`` names."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        queue_id = _given(fields, field)
        if queue_id is None:
            return []
        look_up = runtime_backend(request).review.experiment_of_queue
        owner = await _owner(request, "review_queue", str(queue_id), look_up)
        return [_experiment(owner, f"Review queue '{queue_id}' not found")]

    return locate


def issue(field: str = "issue_id") -> Locate:
    """The experiment of the issue ``field`` names (a path parameter or a field)."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        issue_id = _given(fields, field)
        if issue_id is None:
            return []
        look_up = runtime_backend(request).issues.experiment_of_issue
        owner = await _owner(request, "issue", str(issue_id), look_up)
        return [_experiment(owner, f"Issue with ID '{issue_id}' not found")]

    return locate


def review_item(field: str = "item_id") -> Locate:
    """The experiment of the queue of the review item ``field`` names."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        item_id = _given(fields, field)
        if item_id is None:
            return []
        look_up = runtime_backend(request).review.experiment_of_item
        owner = await _owner(request, "review_item", str(item_id), look_up)
        return [_experiment(owner, f"Review item '{item_id}' not found")]

    return locate


def logged_model(field: str = "model_id") -> Locate:
    """The experiment of the logged model ``field`` names."""

    def look_up_in(request: Request) -> Callable[[str], str]:
        store = tracking_store(request)
        return lambda model_id: store.get_logged_model(model_id, allow_deleted=True).experiment_id

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        model_id = _given(fields, field)
        if model_id is None:
            return []
        owner = await _owner(request, "logged_model", str(model_id), look_up_in(request))
        return [_experiment(owner, f"Logged model with ID '{model_id}' not found.")]

    return locate


def model(field: str = "name") -> Locate:
    """The registered model or prompt ``field`` names (its type from its prompt tag)."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        name = _given(fields, field)
        if name is None:
            return []
        found = await call(registry_store(request).get_registered_model, str(name))
        prompt = str(found.tags.get(PROMPT_TAG, "")).lower() == "true"
        rtype = ResourceType.PROMPT if prompt else ResourceType.REGISTERED_MODEL
        return [Target(rtype, found.name, f"Registered Model with name={name} not found")]

    return locate


def new_model(field: str = "tags") -> Locate:
    """The type of a model about to be created: a prompt when its tags say so."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        prompt = any(
            isinstance(tag, dict)
            and tag.get("key") == PROMPT_TAG
            and str(tag.get("value", "")).lower() == "true"
            for tag in _values(fields, field)
        )
        rtype = ResourceType.PROMPT if prompt else ResourceType.REGISTERED_MODEL
        return [Target(rtype, "*", "")]

    return locate


def webhook(field: str = "webhook_id") -> Locate:
    """The webhook ``field`` names."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        webhook_id = _given(fields, field)
        if webhook_id is None:
            return []
        return [
            Target(ResourceType.WEBHOOK, str(webhook_id), f"Webhook with ID {webhook_id} not found")
        ]

    return locate


def gateway_secret(field: str = "secret_id", name_field: str | None = None) -> Locate:
    """The gateway secret ``field`` names (or, when absent, the one named ``name_field``)."""
    return _gateway(ResourceType.GATEWAY_SECRET, "GatewaySecret", "secret", field, name_field)


def gateway_model_definition(field: str = "model_definition_id") -> Locate:
    """The gateway model definition ``field`` names."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        definition_id = _given(fields, field)
        if definition_id is None:
            return []
        missing = f"GatewayModelDefinition {definition_id} not found"
        return [Target(ResourceType.GATEWAY_MODEL_DEFINITION, str(definition_id), missing)]

    return locate


def gateway_endpoint(
    field: str = "endpoint_id", name_field: str | None = None, *, required: bool = False
) -> Locate:
    """The gateway endpoint ``field`` names (or, when absent, the one named ``name_field``).

    ``required``: a request naming none is for admins only (a list across endpoints).
    """
    return _gateway(
        ResourceType.GATEWAY_ENDPOINT, "GatewayEndpoint", "endpoint", field, name_field, required
    )


def _gateway(
    rtype: ResourceType,
    label: str,
    what: str,
    field: str,
    name_field: str | None,
    required: bool = False,
) -> Locate:
    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        given = _given(fields, field)
        if given is not None:
            return [Target(rtype, str(given), f"{label} {given} not found")]
        name = _given(fields, name_field) if name_field is not None else None
        if name is not None:
            found = await _gateway_lookup(request, what, str(name))
            # Told as for a missing one, without the id, when the caller may not read it.
            return (
                [] if found is None else [Target(rtype, found, f"{label} named '{name}' not found")]
            )
        return [Target(rtype, "", "")] if required else []

    return locate


async def _gateway_lookup(request: Request, what: str, name: str) -> str | None:
    """The id of the workspace's gateway secret or endpoint called ``name``, if any."""
    from ardea._core.errors import ArdeaError
    from ardea.server.deps import backend

    store = backend(request).gateway
    try:
        if what == "secret":
            return str((await call(store.get_secret, None, name)).secret_id)
        return str((await call(store.get_endpoint, None, name)).endpoint_id)
    except ArdeaError:  # the handler answers it (404) as for a missing one
        return None


def created_gateway(kind: ResourceType, key: str, id_field: str) -> Created:
    """The gateway resource a create made: ``answer[key][id_field]``."""

    def created(fields: Fields, answer: Any) -> Target | None:
        made = answer.get(key) if isinstance(answer, dict) else None
        value = made.get(id_field) if isinstance(made, dict) else None
        return None if not value else Target(kind, str(value), "")

    return created


def created_nothing(fields: Fields, answer: Any) -> Target | None:
    """A workspace-admin action that makes no resource grants can name."""
    return None


def dataset(field: str = "dataset_id") -> Locate:
    """The evaluation dataset ``field`` names (its grants name it by id)."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        dataset_id = _given(fields, field)
        if dataset_id is None:
            return []
        missing = f"Evaluation dataset with id '{dataset_id}' not found"
        return [Target(ResourceType.EVALUATION_DATASET, str(dataset_id), missing)]

    return locate


def workspace_target(rtype: ResourceType) -> Locate:
    """No resource yet: the request's workspace, for a create of ``rtype``."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        return [Target(rtype, "*", "")]

    return locate


def artifact_path(field: str = "artifact_path") -> Locate:
    """The experiment of a proxied artifact path: ``[workspaces/<ws>/]<experiment id>/...``.

    Runs, logged models and traces keep their artifacts under their experiment's folder in
    the proxied store. A path that names no experiment (the root, a folder a client chose)
    has no owner to check: only admins may use it (the caller is told 403 by the check).
    """

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        path = str(fields.get(field) or "").strip("/")
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] == "workspaces":
            parts = parts[2:]
        if parts and parts[0].isdigit():
            return [_experiment(parts[0], f"No Experiment with id={parts[0]} exists")]
        return [Target(EXP, "", "")]  # no experiment: the check allows admins only

    return locate


def all_of(*locators: Locate) -> Locate:
    """Every target of every locator (a version's model and its source run)."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        found: list[Target] = []
        for one in locators:
            found += await one(request, fields)
        return found

    return locate


def needing(level: Permission, locator: Locate) -> Locate:
    """``locator``'s targets, needing ``level`` whatever the rule's."""

    async def locate(request: Request, fields: Fields) -> Sequence[Target]:
        return [dataclasses.replace(t, level=level) for t in await locator(request, fields)]

    return locate


def created_experiment(fields: Fields, answer: Any) -> Target | None:
    """The experiment CreateExperiment made."""
    value = answer.get("experiment_id") if isinstance(answer, dict) else None
    return None if value is None else Target(EXP, canonical_experiment_id(value), "")


def created_model(fields: Fields, answer: Any) -> Target | None:
    """The registered model (or prompt, by its tags) CreateRegisteredModel made."""
    made = answer.get("registered_model") if isinstance(answer, dict) else None
    if not isinstance(made, dict) or not made.get("name"):
        return None
    name = str(made["name"])
    tags = made.get("tags") or fields.get("tags") or []
    prompt = any(
        isinstance(t, dict) and t.get("key") == PROMPT_TAG and str(t.get("value")).lower() == "true"
        for t in tags
    )
    return Target(ResourceType.PROMPT if prompt else ResourceType.REGISTERED_MODEL, name, "")


def created_webhook(fields: Fields, answer: Any) -> Target | None:
    """The webhook CreateWebhook made."""
    made = answer.get("webhook") if isinstance(answer, dict) else None
    value = made.get("webhook_id") if isinstance(made, dict) else None
    return None if not value else Target(ResourceType.WEBHOOK, str(value), "")


def created_dataset(fields: Fields, answer: Any) -> Target | None:
    """The evaluation dataset CreateDataset made."""
    made = answer.get("dataset") if isinstance(answer, dict) else None
    value = made.get("dataset_id") if isinstance(made, dict) else None
    return None if not value else Target(ResourceType.EVALUATION_DATASET, str(value), "")


async def drop_grants(
    request: Request, fields: Fields, targets: Sequence[Target], response: Response
) -> None:
    """After a delete: the grants on what was deleted go with it."""
    auth = runtime(request).auth
    if auth is None:
        return
    where = workspace(request) or DEFAULT_WORKSPACE
    for t in targets:
        if t.resource_id and t.level is None:  # the deleted resource, not a side target
            await call(auth.store.delete_resource_grants, t.resource_type, t.resource_id, where)


def move_grants(field: str = "new_name") -> Callable[..., Any]:
    """After a rename: the grants on the old name move to the new one (``field``)."""

    async def after(
        request: Request, fields: Fields, targets: Sequence[Target], response: Response
    ) -> None:
        auth = runtime(request).auth
        new = _given(fields, field)
        if auth is None or new is None:
            return
        where = workspace(request) or DEFAULT_WORKSPACE
        for t in targets:
            await call(
                auth.store.rename_resource_grants, t.resource_type, t.resource_id, str(new), where
            )

    return after
