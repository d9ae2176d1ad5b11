"""Plain data that Ardea stores and returns: no I/O, no framework imports."""

from ardea.entities.artifact import FileInfo
from ardea.entities.assessment import Assessment, AssessmentError, AssessmentSourceType
from ardea.entities.experiment import Experiment, LifecycleStage, ViewType
from ardea.entities.logged_model import LoggedModel, LoggedModelStatus
from ardea.entities.page import PagedList
from ardea.entities.registry import (
    ModelVersion,
    ModelVersionStatus,
    RegisteredModel,
    RegisteredModelAlias,
)
from ardea.entities.run import (
    Dataset,
    DatasetInput,
    Metric,
    ModelOutput,
    Param,
    Run,
    RunData,
    RunInfo,
    RunInputs,
    RunOutputs,
    RunStatus,
    RunTag,
)
from ardea.entities.trace import Span, SpanEvent, SpanType, TokenUsage, Trace, TraceInfo, TraceState
from ardea.entities.trace_correlation import TraceFilterCorrelation
from ardea.entities.trace_metrics import (
    AggregationType,
    AssessmentMetrics,
    BucketMetrics,
    MetricAggregation,
    MetricDataPoint,
    MetricViewType,
    TraceMetrics,
    TraceMetricsQuery,
)

__all__ = [
    "AggregationType",
    "Assessment",
    "AssessmentMetrics",
    "AssessmentError",
    "AssessmentSourceType",
    "BucketMetrics",
    "Dataset",
    "DatasetInput",
    "Experiment",
    "FileInfo",
    "LifecycleStage",
    "LoggedModel",
    "LoggedModelStatus",
    "Metric",
    "MetricAggregation",
    "MetricDataPoint",
    "MetricViewType",
    "ModelOutput",
    "ModelVersion",
    "ModelVersionStatus",
    "PagedList",
    "Param",
    "Run",
    "RunData",
    "RunInfo",
    "RunInputs",
    "RunOutputs",
    "RunStatus",
    "RegisteredModel",
    "RegisteredModelAlias",
    "RunTag",
    "Span",
    "SpanEvent",
    "SpanType",
    "TokenUsage",
    "Trace",
    "TraceFilterCorrelation",
    "TraceInfo",
    "TraceMetrics",
    "TraceMetricsQuery",
    "TraceState",
    "ViewType",
]
