"""Issues <-> MLflow's ``Issue`` JSON (the proto's field names; int64 as JSON numbers). Pure."""

from __future__ import annotations

from typing import Any

from ardea.entities.issue import Issue, IssueProposal

__all__ = ["issue_to_json", "proposal_to_json"]


def issue_to_json(issue: Issue) -> dict[str, Any]:
    """An :class:`Issue` as MLflow's ``Issue`` JSON (empty optional fields left out)."""
    out: dict[str, Any] = {
        "issue_id": issue.issue_id,
        "experiment_id": issue.experiment_id,
        "name": issue.name,
        "description": issue.description,
        "status": issue.status,
        "created_timestamp": issue.created_timestamp,
        "last_updated_timestamp": issue.last_updated_timestamp,
    }
    optional: dict[str, Any] = {
        "severity": issue.severity,
        "root_causes": issue.root_causes,
        "source_run_id": issue.source_run_id,
        "categories": issue.categories,
        "created_by": issue.created_by,
        "last_updated_by": issue.last_updated_by,
        "metadata": issue.metadata,
    }
    out.update({k: v for k, v in optional.items() if v})
    if issue.trace_count is not None:
        out["trace_count"] = issue.trace_count
    if issue.last_seen_timestamp is not None:
        out["last_seen_timestamp"] = issue.last_seen_timestamp
    return out


def proposal_to_json(p: IssueProposal) -> dict[str, Any]:
    """An :class:`IssueProposal` as Ardea's JSON."""
    return {
        "name": p.name,
        "size": p.size,
        "trace_ids": list(p.trace_ids),
        "judges": dict(p.judges),
        "cohesion": p.cohesion,
        "examples": [
            {
                "trace_id": e.trace_id,
                "judge": e.judge,
                "rationale": e.rationale,
                "assessment_id": e.assessment_id,
            }
            for e in p.examples
        ],
    }
