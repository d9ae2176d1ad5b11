"""Scorer registry RPCs (MLflow 3.x ``service.proto``; MLFLOW-WIRE.md section 11.4).

Mounted under ``/api/3.0`` and ``/ajax-api/3.0``:

| RPC | Method + path | Answer |
|---|---|---|
| RegisterScorer | POST ``/mlflow/scorers/register`` | ``{version, scorer_id, experiment_id, name, serialized_scorer, creation_time}`` |
| ListScorers | GET ``/mlflow/scorers/list?experiment_id=`` | ``{scorers}`` (latest version of each name) |
| ListScorerVersions | GET ``/mlflow/scorers/versions?experiment_id=&name=`` | ``{scorers}`` |
| GetScorer | GET ``/mlflow/scorers/get?experiment_id=&name=[&version=]`` | ``{scorer}`` |
| DeleteScorer | DELETE ``/mlflow/scorers/delete`` (``version`` absent: every version) | ``{}`` |
| (online config) | PUT ``/mlflow/scorers/online-config`` | ``{config}`` |
| (online configs) | GET ``/mlflow/scorers/online-configs?scorer_ids=...`` | ``{configs}`` |

Access: a scorer belongs to its experiment: READ on the experiment to list or get its
scorers, EDIT to register, delete or set an online config. The online configs by scorer id
return those of experiments the caller may read. A config with a sample rate above 0 makes the
server score new traces (:mod:`ardea.server.online_scoring`).
"""  # noqa: E501

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_scorer_json import config_to_json, registered_to_json, scorer_to_json
from ardea.api.request_parsing import Field, RequestSpec
from ardea.api.schemas.common import EmptyResponse
from ardea.api.schemas.scorers import (
    GetScorerResponse,
    ListScorersResponse,
    OnlineScoringConfigResponse,
    OnlineScoringConfigsResponse,
    RegisterScorerResponse,
)
from ardea.entities.auth import ResourceType
from ardea.server import access_targets as at
from ardea.server.access import EDIT, READ, on, search
from ardea.server.deps import backend
from ardea.server.http import call, empty, json_response, parse_get, parse_json, rpc
from ardea.server.openapi_responses import INPUT_ERRORS
from ardea.store.scorers import ScorerStore

__all__ = ["router"]

router = APIRouter()
"""Scorer registry routes, mounted under ``/api/3.0`` and ``/ajax-api/3.0``."""

_PATH = "/mlflow/scorers"
_S = Field("string")
_EXP = Field("string", required=True)
_NAME = Field("string", required=True)

REGISTER_SCORER = RequestSpec(
    "RegisterScorer",
    {"experiment_id": _EXP, "name": _NAME, "serialized_scorer": Field("string", required=True)},
)
LIST_SCORERS = RequestSpec(
    "ListScorers", {"experiment_id": _S, "experiment_ids": Field("string", repeated=True)}
)
LIST_SCORER_VERSIONS = RequestSpec("ListScorerVersions", {"experiment_id": _EXP, "name": _NAME})
GET_SCORER = RequestSpec(
    "GetScorer", {"experiment_id": _EXP, "name": _NAME, "version": Field("int64")}
)
DELETE_SCORER = RequestSpec(
    "DeleteScorer", {"experiment_id": _EXP, "name": _NAME, "version": Field("int64")}
)
UPSERT_ONLINE_CONFIG = RequestSpec(
    "UpsertOnlineScoringConfig",
    {
        "experiment_id": _EXP,
        "name": _NAME,
        "sample_rate": Field("double", required=False),
        "filter_string": _S,
    },
)
GET_ONLINE_CONFIGS = RequestSpec(
    "GetOnlineScoringConfigs", {"scorer_ids": Field("string", repeated=True)}
)


def _store(request: Request) -> ScorerStore:
    return backend(request).scorers


def _version(value: int | None) -> int | None:
    # proto3 int32: 0 is "not set" (MLflow's client sends version=None as absent).
    return value or None


@rpc(
    router,
    _PATH + "/register",
    "POST",
    access=on(EDIT, at.experiment(), "experiment"),
    response=RegisterScorerResponse,
    spec=REGISTER_SCORER,
)
async def register_scorer(request: Request) -> Response:
    """RegisterScorer: the name's next version; bad JSON or too large: 400; no experiment: 404."""
    req = await parse_json(request, REGISTER_SCORER)
    made = await call(
        _store(request).register_scorer,
        req["experiment_id"],
        req["name"],
        req["serialized_scorer"],
    )
    return json_response(registered_to_json(made))


@rpc(
    router,
    _PATH + "/list",
    "GET",
    access=on(READ, at.all_of(at.experiment(), at.experiments()), "experiment"),
    response=ListScorersResponse,
    spec=LIST_SCORERS,
)
async def list_scorers(request: Request) -> Response:
    """ListScorers -> ``{scorers}``: the latest version of each name, by name."""
    req = parse_get(request, LIST_SCORERS)
    ids = list(
        dict.fromkeys(
            [
                *([req["experiment_id"]] if req["experiment_id"] else []),
                *(req["experiment_ids"] or []),
            ]
        )
    )
    if not ids:
        raise InvalidArgumentError("Missing value for required parameter 'experiment_id'")
    store = _store(request)
    found: list[dict[str, Any]] = []
    for one in ids:
        found += [scorer_to_json(s) for s in await call(store.list_scorers, one)]
    return json_response({"scorers": found})


@rpc(
    router,
    _PATH + "/versions",
    "GET",
    access=on(READ, at.experiment(), "experiment"),
    response=ListScorersResponse,
    spec=LIST_SCORER_VERSIONS,
)
async def list_scorer_versions(request: Request) -> Response:
    """ListScorerVersions -> ``{scorers}``, oldest first; an unknown name: 404."""
    req = parse_get(request, LIST_SCORER_VERSIONS)
    found = await call(_store(request).list_scorer_versions, req["experiment_id"], req["name"])
    return json_response({"scorers": [scorer_to_json(s) for s in found]})


@rpc(
    router,
    _PATH + "/get",
    "GET",
    access=on(READ, at.experiment(), "experiment"),
    response=GetScorerResponse,
    spec=GET_SCORER,
)
async def get_scorer(request: Request) -> Response:
    """GetScorer -> ``{scorer}`` (the latest version without ``version``)."""
    req = parse_get(request, GET_SCORER)
    got = await call(
        _store(request).get_scorer, req["experiment_id"], req["name"], _version(req["version"])
    )
    return json_response({"scorer": scorer_to_json(got)})


@rpc(
    router,
    _PATH + "/delete",
    "DELETE",
    access=on(EDIT, at.experiment(), "experiment"),
    response=EmptyResponse,
    spec=DELETE_SCORER,
)
async def delete_scorer(request: Request) -> Response:
    """DeleteScorer -> ``{}``: one version, or every version (and the online config)."""
    req = await parse_json(request, DELETE_SCORER)
    await call(
        _store(request).delete_scorer, req["experiment_id"], req["name"], _version(req["version"])
    )
    return empty()


@rpc(
    router,
    _PATH + "/online-config",
    "PUT",
    access=on(EDIT, at.experiment(), "experiment"),
    response=OnlineScoringConfigResponse,
    spec=UPSERT_ONLINE_CONFIG,
)
async def upsert_online_scoring_config(request: Request) -> Response:
    """Set a scorer's online config -> ``{config}`` (new traces are sampled by it).

    ``sample_rate`` in [0, 1]; absent or null keeps the stored one (0.0 for a new config).
    """
    req = await parse_json(request, UPSERT_ONLINE_CONFIG)
    made = await call(
        _store(request).upsert_online_scoring_config,
        req["experiment_id"],
        req["name"],
        req["sample_rate"],
        req["filter_string"],
    )
    return json_response({"config": config_to_json(made)})


@rpc(
    router,
    _PATH + "/online-configs",
    "GET",
    access=search(ResourceType.EXPERIMENT),
    response=OnlineScoringConfigsResponse,
    errors=INPUT_ERRORS,
    spec=GET_ONLINE_CONFIGS,
)
async def get_online_scoring_configs(request: Request) -> Response:
    """The online configs of ``scorer_ids`` (those with one, in readable experiments)."""
    req = parse_get(request, GET_ONLINE_CONFIGS)
    found = await call(_store(request).get_online_scoring_configs, req["scorer_ids"] or [])
    return json_response({"configs": [config_to_json(c) for c in found]})
