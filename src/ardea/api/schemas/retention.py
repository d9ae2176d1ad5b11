"""Answers of Ardea's trace retention routes (``/api/3.0/ardea/traces/retention/...``)."""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict

from ardea.api.schemas.common import Int64

__all__ = ["ExperimentRetentionResponse", "RetentionPolicyJson", "WorkspaceRetentionResponse"]


class RetentionPolicyJson(TypedDict):
    """The limits set at one level (absent: not set, inherited; 0: no limit)."""

    max_age_days: NotRequired[int]
    max_traces: NotRequired[Int64]
    archive: NotRequired[bool]


class ExperimentRetentionResponse(TypedDict):
    """An experiment's own policy, its workspace's, and the limits in force."""

    experiment_id: str
    policy: RetentionPolicyJson
    workspace_policy: RetentionPolicyJson
    effective: RetentionPolicyJson


class WorkspaceRetentionResponse(TypedDict):
    """The policy of the request's workspace."""

    policy: RetentionPolicyJson
