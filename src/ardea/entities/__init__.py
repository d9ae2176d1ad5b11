"""Plain data that Ardea stores and returns: no I/O, no framework imports."""

from ardea.entities.artifact import FileInfo
from ardea.entities.experiment import Experiment, LifecycleStage, ViewType
from ardea.entities.logged_model import LoggedModel, LoggedModelStatus
from ardea.entities.page import PagedList
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

__all__ = [
    "Dataset",
    "DatasetInput",
    "Experiment",
    "FileInfo",
    "LifecycleStage",
    "LoggedModel",
    "LoggedModelStatus",
    "Metric",
    "ModelOutput",
    "PagedList",
    "Param",
    "Run",
    "RunData",
    "RunInfo",
    "RunInputs",
    "RunOutputs",
    "RunStatus",
    "RunTag",
    "ViewType",
]
