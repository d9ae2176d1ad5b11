"""Managed evaluation datasets in the SDK: create, find, merge records, read, version, diff.

The same datasets ``mlflow.genai.datasets`` sees, on the tracking URI the fluent API uses
(a server over REST, or a local ``sqlite:///`` / ``./ardea-data`` store)::

    from ardea.evaluation import datasets

    ds = datasets.create_dataset("qa", tags={"team": "search"})
    ds.merge_records([{"inputs": {"q": "2+2?"}, "expectations": {"answer": "4"}}])
    ds.merge_file("more.csv")                 # CSV, JSON Lines or Parquet
    ds.merge_records(ardea.search_traces(...))  # traces: root span inputs, expectations
    df = ds.to_df()
    ds.diff(1, ds.version)                    # what changed since it was created

Records are sent in batches of ``batch_size``; each batch is one upsert (one version).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea._core.progress import count_progress
from ardea.entities import PagedList
from ardea.entities.dataset import DatasetDiff, DatasetRecord, DatasetVersion, EvaluationDataset
from ardea.entities.run import Dataset as RunDataset
from ardea.entities.run import DatasetInput, RunTag
from ardea.entities.trace import Trace
from ardea.evaluation.dataset_files import read_records

if TYPE_CHECKING:
    import pandas as pd

    from ardea.client import ArdeaClient
    from ardea.store.datasets import DatasetStore

__all__ = [
    "BATCH_SIZE",
    "PIN_TAGS",
    "Dataset",
    "create_dataset",
    "delete_dataset",
    "get_dataset",
    "records_from_traces",
    "search_datasets",
]

BATCH_SIZE = 1000
"""Records per upsert request when merging."""
PIN_TAGS = ("ardea.dataset.id", "ardea.dataset.version", "ardea.dataset.digest")
"""The run tags :meth:`Dataset.pin` sets."""
_FIELDS = ("inputs", "expectations", "outputs", "tags", "source")
_COLUMNS = [
    "dataset_record_id",
    "inputs",
    "outputs",
    "expectations",
    "tags",
    "source_type",
    "source_id",
    "source",
    "created_time",
]


def _client(tracking_uri: str | None) -> ArdeaClient:
    if tracking_uri is not None:
        from ardea.client import ArdeaClient

        return ArdeaClient(tracking_uri)
    from ardea.fluent._state import get_client

    return get_client()


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def records_from_traces(traces: Iterable[Trace]) -> list[dict[str, Any]]:
    """Records from traces: the root span's inputs and outputs, the trace's expectations.

    Each record's source is ``TRACE`` with the trace id (and its session, if any).
    """
    out: list[dict[str, Any]] = []
    for trace in traces:
        root = next((s for s in trace.spans if s.parent_span_id is None), None)
        inputs = _json(root.inputs) if root is not None else None
        outputs = _json(root.outputs) if root is not None else None
        expectations = {
            a.name: a.value for a in trace.info.assessments if a.kind == "expectation" and a.valid
        }
        data: dict[str, Any] = {"trace_id": trace.info.trace_id}
        if trace.info.session_id:
            data["session_id"] = trace.info.session_id
        record: dict[str, Any] = {
            "inputs": inputs if isinstance(inputs, dict) else {"input": inputs},
            "expectations": expectations,
            "source": {"source_type": "TRACE", "source_data": data},
        }
        if outputs is not None:
            record["outputs"] = outputs
        out.append(record)
    return out


def _records_of(records: Any) -> list[dict[str, Any]]:
    """Plain record dicts from a list of dicts, a DataFrame or traces."""
    if hasattr(records, "to_dict") and hasattr(records, "columns"):  # a pandas DataFrame
        if "trace" in records.columns:
            return records_from_traces(records["trace"])
        rows: list[dict[str, Any]] = records.to_dict("records")
        return [_with_source({k: v for k, v in r.items() if k in _FIELDS}) for r in rows]
    items = list(records)
    if items and all(isinstance(i, Trace) for i in items):
        return records_from_traces(items)
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise InvalidArgumentError(
                f"Record {i} must be a dict (or pass a DataFrame or traces), "
                f"not {type(item).__name__}"
            )
    return [_with_source(dict(r)) for r in items]


def _with_source(record: dict[str, Any]) -> dict[str, Any]:
    """MLflow's client-side rule: expectations -> HUMAN, inputs only -> CODE."""
    if "source" not in record:
        kind = "HUMAN" if record.get("expectations") else "CODE"
        record["source"] = {"source_type": kind, "source_data": {}}
    return record


def _batches(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Dataset:
    """A managed evaluation dataset (its metadata as last read; records read on demand).

    Args:
        meta: The dataset as the store answered it.
        store: The dataset store it lives in.
    """

    def __init__(self, meta: EvaluationDataset, store: DatasetStore) -> None:
        self._meta = meta
        self._store = store

    def __repr__(self) -> str:
        m = self._meta
        return f"Dataset({m.dataset_id!r}, name={m.name!r}, version={m.version})"

    # -- metadata ------------------------------------------------------------------------------

    @property
    def meta(self) -> EvaluationDataset:
        """The metadata entity."""
        return self._meta

    @property
    def dataset_id(self) -> str:
        """``d-`` and 32 hex characters."""
        return self._meta.dataset_id

    @property
    def name(self) -> str:
        """The name."""
        return self._meta.name

    @property
    def tags(self) -> dict[str, str]:
        """The tags."""
        return dict(self._meta.tags)

    @property
    def digest(self) -> str:
        """The records' content digest."""
        return self._meta.digest

    @property
    def version(self) -> int:
        """The current version."""
        return self._meta.version

    @property
    def experiment_ids(self) -> list[str]:
        """The linked experiments."""
        return list(self._meta.experiment_ids)

    def refresh(self) -> Dataset:
        """Read the metadata again; returns self."""
        self._meta = self._store.get_dataset(self.dataset_id)
        return self

    # -- records -------------------------------------------------------------------------------

    def merge_records(self, records: Any, *, batch_size: int = BATCH_SIZE) -> Dataset:
        """Insert records, or merge them into those with the same inputs.

        Args:
            records: A list of dicts (``inputs`` required; ``expectations``, ``outputs``,
                ``tags``, ``source``), a pandas DataFrame of such columns (or with a
                ``trace`` column of traces), or a list of :class:`~ardea.entities.Trace`.
            batch_size: Records per request (each request is one new version).

        Returns:
            Self, refreshed.
        """
        found = _records_of(records)
        with count_progress("records", len(found), "rec") as advance:
            for batch in _batches(found, batch_size):
                self._store.upsert_records(self.dataset_id, batch)
                advance(len(batch))
        return self.refresh()

    def merge_file(
        self,
        path: str,
        *,
        format: str | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> Dataset:
        """Merge the records of a CSV, JSON Lines or Parquet file (see ``dataset_files``).

        The file is read lazily and sent ``batch_size`` records at a time, with a progress
        bar (``ARDEA_PROGRESS=1`` shows it outside a terminal too).
        """
        with count_progress(f"records from {path}", None, "rec") as advance:
            rows = (_with_source(r) for r in read_records(path, format))
            for batch in _batches(rows, batch_size):
                self._store.upsert_records(self.dataset_id, batch)
                advance(len(batch))
        return self.refresh()

    def records(self, version: int | None = None) -> list[DatasetRecord]:
        """Every record of the current version (or of ``version``)."""
        out: list[DatasetRecord] = []
        token: str | None = None
        while True:
            page = self._store.get_records(self.dataset_id, 1000, token, version)
            out += page
            token = page.token
            if not token:
                return out

    def to_df(self, version: int | None = None) -> pd.DataFrame:
        """The records as a DataFrame (MLflow's ``to_df`` columns)."""
        import pandas as pd

        rows = [{c: getattr(r, c) for c in _COLUMNS} for r in self.records(version)]
        frame: pd.DataFrame = pd.DataFrame(rows, columns=_COLUMNS)
        return frame

    def delete_records(self, record_ids: Sequence[str]) -> int:
        """Delete records by id; answers how many went."""
        deleted = self._store.delete_records(self.dataset_id, list(record_ids))
        self.refresh()
        return deleted

    # -- tags, versions ------------------------------------------------------------------------

    def set_tags(self, tags: Mapping[str, Any]) -> Dataset:
        """Set tags (merged with the others)."""
        self._meta = self._store.set_tags(self.dataset_id, tags)
        return self

    def delete_tag(self, key: str) -> Dataset:
        """Delete one tag."""
        self._store.delete_tag(self.dataset_id, key)
        return self.refresh()

    def versions(self) -> list[DatasetVersion]:
        """Every version, newest first."""
        out: list[DatasetVersion] = []
        token: str | None = None
        while True:
            page = self._store.list_versions(self.dataset_id, 1000, token)
            out += page
            token = page.token
            if not token:
                return out

    def diff(self, from_version: int, to_version: int | None = None) -> DatasetDiff:
        """What changed from ``from_version`` to ``to_version`` (default: the current one)."""
        target = self.refresh().version if to_version is None else to_version
        return self._store.diff_versions(self.dataset_id, from_version, target)

    def pin(self, run_id: str, tracking_uri: str | None = None) -> None:
        """Record on a run which version of this dataset it used.

        Sets the run tags ``ardea.dataset.id``, ``ardea.dataset.version`` and
        ``ardea.dataset.digest``, and logs the dataset as a run input as MLflow does (name,
        digest, source type ``mlflow_evaluation_dataset``), so either UI shows it.
        """
        meta = self.refresh().meta
        tracking = _client(tracking_uri).backend.tracking
        values = (meta.dataset_id, str(meta.version), meta.digest)
        tags = [RunTag(k, v) for k, v in zip(PIN_TAGS, values, strict=True)]
        tracking.log_batch(run_id, tags=tags)
        source = json.dumps({"dataset_id": meta.dataset_id})
        dataset = RunDataset(
            meta.name, meta.digest, "mlflow_evaluation_dataset", source, meta.schema, meta.profile
        )
        tracking.log_inputs(run_id, [DatasetInput(dataset, {"mlflow.data.context": "eval"})])


def create_dataset(
    name: str,
    experiment_id: str | Sequence[str] | None = None,
    tags: Mapping[str, str] | None = None,
    *,
    tracking_uri: str | None = None,
) -> Dataset:
    """Create a dataset, linked to ``experiment_id`` (one id or several; default: none)."""
    ids = [experiment_id] if isinstance(experiment_id, str) else list(experiment_id or [])
    store = _client(tracking_uri).backend.datasets
    return Dataset(store.create_dataset(name, tags, ids), store)


def get_dataset(
    dataset_id: str | None = None, *, name: str | None = None, tracking_uri: str | None = None
) -> Dataset:
    """A dataset by id, or by name (NotFoundError when none or several have it)."""
    store = _client(tracking_uri).backend.datasets
    if (dataset_id is None) == (name is None):
        raise InvalidArgumentError("Give either dataset_id or name")
    if dataset_id is not None:
        return Dataset(store.get_dataset(dataset_id), store)
    quoted = f'"{name}"' if '"' not in str(name) else f"'{name}'"
    found = store.search_datasets(filter_string=f"name = {quoted}", max_results=2)
    if len(found) != 1:
        what = "No dataset" if not found else "More than one dataset"
        raise NotFoundError(f"{what} is named {name!r}; use its dataset_id")
    return Dataset(found[0], store)


def search_datasets(
    experiment_ids: str | Sequence[str] | None = None,
    filter_string: str | None = None,
    max_results: int | None = None,
    order_by: Sequence[str] | None = None,
    *,
    tracking_uri: str | None = None,
) -> list[Dataset]:
    """Datasets matching a filter (MLflow's grammar); all pages unless ``max_results``."""
    ids = [experiment_ids] if isinstance(experiment_ids, str) else list(experiment_ids or [])
    store = _client(tracking_uri).backend.datasets
    out: list[Dataset] = []
    token: str | None = None
    while True:
        size = 1000 if max_results is None else min(1000, max_results - len(out))
        page: PagedList[EvaluationDataset] = store.search_datasets(
            ids, filter_string, size, order_by, token
        )
        out += [Dataset(m, store) for m in page]
        token = page.token
        if not token or (max_results is not None and len(out) >= max_results):
            return out


def delete_dataset(dataset_id: str, *, tracking_uri: str | None = None) -> None:
    """Delete a dataset with its records and versions."""
    _client(tracking_uri).backend.datasets.delete_dataset(dataset_id)
