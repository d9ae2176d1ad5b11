"""Alert rules over a server's ``/api/3.0/ardea/alerts`` API (Ardea's own routes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.api.alerts_json import event_from_json, rule_from_json
from ardea.entities.alerts import AlertEvent, AlertRule, AlertTransition
from ardea.entities.page import PagedList
from ardea.store.alerts import AlertStore
from ardea.store.rest.http import RestClient

__all__ = ["RestAlertStore"]

_PATH = "/api/3.0/ardea/alerts"


class RestAlertStore(AlertStore):
    """An :class:`AlertStore` that is a client of a server.

    Args:
        uri: The server's ``http(s)://host:port[/prefix]`` URL.
        rest: Optional ready-made :class:`RestClient` (shared with the backend's other stores).
    """

    def __init__(self, uri: str, *, rest: RestClient | None = None) -> None:
        self.uri = uri.rstrip("/")
        self._rest = rest or RestClient(self.uri)

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        return self._rest.call("POST", f"{_PATH}/{path}", json=body)

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        return self._rest.call("GET", f"{_PATH}/{path}", params=params)

    def create_rule(
        self, experiment_id: str, fields: Mapping[str, Any], created_by: str | None = None
    ) -> AlertRule:
        """CreateAlertRule (the server records the signed-in user as the creator)."""
        body = {**fields, "experiment_id": str(experiment_id)}
        return rule_from_json(self._post("rules/create", body)["rule"])

    def get_rule(self, rule_id: str) -> AlertRule:
        """GetAlertRule."""
        return rule_from_json(self._get("rules/get", {"rule_id": rule_id})["rule"])

    def list_rules(self, experiment_id: str | None = None) -> list[AlertRule]:
        """ListAlertRules."""
        params = {} if experiment_id is None else {"experiment_id": str(experiment_id)}
        return [rule_from_json(r) for r in self._get("rules/list", params).get("rules") or []]

    def update_rule(self, rule_id: str, changes: Mapping[str, Any]) -> AlertRule:
        """UpdateAlertRule."""
        return rule_from_json(self._post("rules/update", {**changes, "rule_id": rule_id})["rule"])

    def delete_rule(self, rule_id: str) -> None:
        """DeleteAlertRule."""
        self._post("rules/delete", {"rule_id": rule_id})

    def experiment_of_rule(self, rule_id: str) -> str:
        """The rule's experiment (read from GetAlertRule)."""
        return self.get_rule(rule_id).experiment_id

    def list_events(
        self,
        experiment_id: str | None = None,
        rule_id: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> PagedList[AlertEvent]:
        """ListAlertEvents (the server needs an experiment or a rule)."""
        params: dict[str, Any] = {"max_results": max_results}
        for name, value in (
            ("experiment_id", experiment_id),
            ("rule_id", rule_id),
            ("page_token", page_token),
        ):
            if value:
                params[name] = str(value)
        doc = self._get("events/list", params)
        events = [event_from_json(e) for e in doc.get("events") or []]
        return PagedList(events, doc.get("next_page_token") or None)

    def evaluate(
        self, now_ms: int | None = None, *, all_workspaces: bool = False
    ) -> list[AlertTransition]:
        """Refused: the server's own evaluator runs the rules (see ``ARDEA_ALERTS``)."""
        raise InvalidArgumentError(
            "Alert rules are evaluated by the server itself; a client cannot run an evaluation."
        )
