"""MLflow 3 logged models over REST (``/api/2.0/mlflow/logged-models``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, cast
from urllib.parse import quote

from ardea.api.mlflow_json import logged_model_from_json
from ardea.entities import LoggedModel, PagedList
from ardea.store.rest.http import RestClient
from ardea.store.tracking import LoggedModelRun

__all__ = ["RestLoggedModels"]

_BASE = "/api/2.0/mlflow/logged-models"
_PARAMS_PER_REQUEST = 100


def _kv(pairs: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in pairs]


class RestLoggedModels:
    """The :class:`ardea.store.tracking.LoggedModelStore` methods, for RestTrackingStore."""

    _rest: RestClient

    def create_logged_model(
        self,
        experiment_id: str,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: Sequence[tuple[str, str]] = (),
        params: Sequence[tuple[str, str]] = (),
        model_type: str | None = None,
    ) -> LoggedModel:
        """Create a PENDING logged model."""
        body = {
            "experiment_id": experiment_id,
            "name": name,
            "source_run_id": source_run_id,
            "model_type": model_type,
            "tags": _kv(tags),
            "params": _kv(params),
        }
        out = self._rest.call("POST", _BASE, json={k: v for k, v in body.items() if v is not None})
        return logged_model_from_json(out["model"])

    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel:
        """The logged model with this id."""
        params = {"allow_deleted": "true"} if allow_deleted else None
        out = self._rest.call("GET", f"{_BASE}/{quote(model_id, safe='')}", params=params)
        return logged_model_from_json(out["model"])

    def finalize_logged_model(self, model_id: str, status: str) -> LoggedModel:
        """Set the status to READY or UPLOAD_FAILED."""
        out = self._rest.call(
            "PATCH",
            f"{_BASE}/{quote(model_id, safe='')}",
            json={"model_id": model_id, "status": status},
        )
        return logged_model_from_json(out["model"])

    def delete_logged_model(self, model_id: str) -> None:
        """Soft-delete a logged model."""
        self._rest.call(
            "DELETE", f"{_BASE}/{quote(model_id, safe='')}", json={"model_id": model_id}
        )

    def set_logged_model_tags(self, model_id: str, tags: Sequence[tuple[str, str]]) -> None:
        """Set tags on a logged model."""
        self._rest.call(
            "PATCH", f"{_BASE}/{quote(model_id, safe='')}/tags", json={"tags": _kv(tags)}
        )

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        """Delete a logged model tag."""
        self._rest.call("DELETE", f"{_BASE}/{quote(model_id, safe='')}/tags/{quote(key, safe='')}")

    def log_logged_model_params(self, model_id: str, params: Sequence[tuple[str, str]]) -> None:
        """Add params to a logged model, 100 per request."""
        items = list(params)
        for start in range(0, len(items), _PARAMS_PER_REQUEST):
            chunk = items[start : start + _PARAMS_PER_REQUEST]
            self._rest.call(
                "POST",
                f"{_BASE}/{quote(model_id, safe='')}/params",
                json={"model_id": model_id, "params": _kv(chunk)},
            )

    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int = 50,
        order_by: Sequence[dict[str, object]] = (),
        page_token: str | None = None,
    ) -> PagedList[LoggedModel]:
        """Logged models matching a filter."""
        body: dict[str, object] = {
            "experiment_ids": list(experiment_ids),
            "max_results": max_results,
            "order_by": list(order_by),
        }
        if filter_string:
            body["filter"] = filter_string
        if page_token:
            body["page_token"] = page_token
        out = self._rest.call("POST", f"{_BASE}/search", json=body)
        models = [logged_model_from_json(m) for m in out.get("models") or []]
        return PagedList(models, out.get("next_page_token") or None)

    def logged_model_runs(self, model_id: str, max_results: int = 1000) -> list[LoggedModelRun]:
        """The runs linked to a logged model: Ardea's ``/api/3.0/ardea`` lookup.

        The server caps each kind of link at 1000 runs; an MLflow server has no such lookup.
        """
        path = f"/api/3.0/ardea/logged-models/{quote(model_id, safe='')}/runs"
        out = self._rest.call("GET", path)
        runs: list[LoggedModelRun] = []
        counts: dict[str, int] = {}
        for r in out["runs"]:
            relation = cast(Literal["source", "output", "input"], r["relation"])
            counts[relation] = counts.get(relation, 0) + 1
            if counts[relation] <= max_results:
                step = r.get("step")
                runs.append(
                    LoggedModelRun(r["run_id"], relation, None if step is None else int(step))
                )
        return runs
