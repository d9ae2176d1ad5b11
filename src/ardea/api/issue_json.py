"""Issues <-> MLflow's ``Issue`` JSON (the proto's field names; int64 as JSON numbers). Pure."""

from __future__ import annotations

from typing import Any

from ardea.entities.issue import Issue, IssueExample, IssueProposal

__all__ = ["issue_from_json", "issue_to_json", "proposal_from_json", "proposal_to_json"]


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


def issue_from_json(d: dict[str, Any]) -> Issue:
    """MLflow's ``Issue`` JSON as an :class:`Issue` (int64 as numbers or strings)."""

    def num(key: str) -> int | None:
        value = d.get(key)
        return None if value is None else int(value)

    return Issue(
        issue_id=str(d["issue_id"]),
        experiment_id=str(d["experiment_id"]),
        name=str(d.get("name") or ""),
        description=str(d.get("description") or ""),
        status=str(d.get("status") or "pending"),
        created_timestamp=num("created_timestamp") or 0,
        last_updated_timestamp=num("last_updated_timestamp") or 0,
        severity=d.get("severity") or None,
        root_causes=list(d.get("root_causes") or []),
        source_run_id=d.get("source_run_id") or None,
        categories=list(d.get("categories") or []),
        created_by=d.get("created_by") or None,
        trace_count=num("trace_count"),
        last_seen_timestamp=num("last_seen_timestamp"),
        last_updated_by=d.get("last_updated_by") or None,
        metadata=dict(d.get("metadata") or {}),
    )


def proposal_from_json(d: dict[str, Any]) -> IssueProposal:
    """Ardea's proposal JSON as an :class:`IssueProposal`."""
    return IssueProposal(
        name=str(d["name"]),
        size=int(d["size"]),
        trace_ids=[str(t) for t in d.get("trace_ids") or []],
        judges={str(k): int(v) for k, v in (d.get("judges") or {}).items()},
        examples=[
            IssueExample(
                str(e["trace_id"]), str(e["judge"]), str(e["rationale"]), str(e["assessment_id"])
            )
            for e in d.get("examples") or []
        ],
        cohesion=float(d.get("cohesion") or 0.0),
    )
