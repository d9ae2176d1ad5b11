"""Issues over a server's REST API.

MLflow's ``/api/3.0/mlflow/issues`` and Ardea's ``/api/3.0/ardea/issues`` (trace links,
proposals, accepting one).

``failing_verdicts`` is not offered over REST: ask the server to cluster them with
:meth:`RestIssueStore.propose` instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from ardea._core.errors import NotImplementedFeatureError
from ardea.api.issue_json import issue_from_json
from ardea.entities.issue import Issue, IssueExample
from ardea.store.issues import IssueChanges, IssuePage, IssueQuery, IssueStore, NewIssue
from ardea.store.rest.http import RestClient

__all__ = ["RestIssueStore"]

_M = "/api/3.0/mlflow/issues"
_A = "/api/3.0/ardea/issues"


class RestIssueStore(IssueStore):
    """An :class:`IssueStore` that is a client of a server.

    Args:
        uri: The server's ``http(s)://host:port[/prefix]`` URL.
        rest: Optional ready-made :class:`RestClient` (shared with the backend's other stores).
    """

    def __init__(self, uri: str, *, rest: RestClient | None = None) -> None:
        self.uri = uri.rstrip("/")
        self._rest = rest or RestClient(self.uri)

    def create_issue(self, new: NewIssue) -> Issue:
        """CreateIssue (traces in ``new.trace_ids`` are linked by a second call)."""
        body: dict[str, Any] = {
            "experiment_id": new.experiment_id,
            "name": new.name,
            "description": new.description,
            "status": new.status,
            "severity": new.severity,
            "root_causes": new.root_causes,
            "source_run_id": new.source_run_id,
            "categories": new.categories,
            "created_by": new.created_by,
            "issue_id": new.issue_id,
            "last_seen_timestamp": new.last_seen_timestamp,
            "metadata": new.metadata,
        }
        body = {k: v for k, v in body.items() if v is not None}
        made = issue_from_json(self._rest.call("POST", _M, json=body)["issue"])
        if new.trace_ids:
            self.link_traces(made.issue_id, new.trace_ids)
            return self.get_issue(made.issue_id)
        return made

    def get_issue(self, issue_id: str) -> Issue:
        """GetIssue."""
        out = self._rest.call("GET", f"{_M}/{quote(issue_id, safe='')}")
        return issue_from_json(out["issue"])

    def update_issue(self, issue_id: str, changes: IssueChanges) -> Issue:
        """UpdateIssue (only the fields set are sent)."""
        body: dict[str, Any] = {
            "issue_id": issue_id,
            "name": changes.name,
            "description": changes.description,
            "status": changes.status,
            "severity": changes.severity,
            "categories": changes.categories,
            "last_seen_timestamp": changes.last_seen_timestamp,
            "last_updated_by": changes.last_updated_by,
            "metadata": changes.metadata or None,
            "delete_metadata_keys": changes.delete_metadata_keys or None,
        }
        body = {k: v for k, v in body.items() if v is not None}
        out = self._rest.call("PATCH", f"{_M}/{quote(issue_id, safe='')}", json=body)
        return issue_from_json(out["issue"])

    def search_issues(self, query: IssueQuery) -> IssuePage:
        """SearchIssues."""
        body: dict[str, Any] = {
            "experiment_id": query.experiment_id,
            "filter_string": query.filter_string,
            "max_results": query.max_results,
            "page_token": query.page_token,
            "include_trace_count": query.include_trace_count,
            "name": query.name,
            "statuses": query.statuses,
            "severities": query.severities,
            "categories": query.categories,
            "order_by": query.order_by,
            "include_total_count": query.include_total_count,
            "view": "basic" if query.basic else "full",
        }
        out = self._rest.call(
            "POST", f"{_M}/search", json={k: v for k, v in body.items() if v is not None}
        )
        items = [issue_from_json(i) for i in out.get("issues") or []]
        return IssuePage(items, out.get("next_page_token") or None, out.get("total_count"))

    def link_traces(
        self,
        issue_id: str,
        trace_ids: Sequence[str],
        source: tuple[str, str] = ("HUMAN", "default"),
        rationales: Mapping[str, str] | None = None,
    ) -> int:
        """Link traces (the server records the signed-in user as the links' source)."""
        body = {"issue_id": issue_id, "trace_ids": list(trace_ids)}
        return int(self._rest.call("POST", f"{_A}/link", json=body).get("linked") or 0)

    def linked_trace_ids(self, issue_id: str, max_results: int = 1000) -> list[str]:
        """The traces linked to an issue."""
        params = {"issue_id": issue_id, "max_results": max_results}
        return list(self._rest.call("GET", f"{_A}/traces", params=params).get("trace_ids") or [])

    def failing_verdicts(
        self,
        experiment_id: str,
        start_ms: int | None = None,
        end_ms: int | None = None,
        judge: str | None = None,
        limit: int = 10_000,
    ) -> list[IssueExample]:
        """Not over REST: the server clusters them (:meth:`propose`)."""
        raise NotImplementedFeatureError("Failing verdicts are clustered by the server: propose")

    def propose(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST ``/ardea/issues/propose`` (see :mod:`ardea.server.routers.issues`)."""
        sent = {k: v for k, v in body.items() if v is not None}
        return dict(self._rest.call("POST", f"{_A}/propose", json=sent))

    def accept(self, body: Mapping[str, Any]) -> Issue:
        """POST ``/ardea/issues/accept``: the new issue, linked to the proposal's traces."""
        sent = {k: v for k, v in body.items() if v is not None}
        return issue_from_json(self._rest.call("POST", f"{_A}/accept", json=sent)["issue"])
