"""Traces as Parquet: the layout, a streaming writer and reader (``pip install ardea[parquet]``).

A dataset is a folder (local or in an object store) with two tables, each a folder of part
files of the same names::

    <dest>/traces/part-<time>-<id>-00000.parquet   one row per trace
    <dest>/spans/part-<time>-<id>-00000.parquet    one row per span, in the order of its traces

:func:`write_traces` streams traces in row groups; :func:`read_traces` rebuilds whole
:class:`~ardea.entities.Trace` entities (every field round-trips), so archived traces can be
served again. The columns are documented in docs/tracing.md "Parquet". ``pyarrow`` is
imported on first use only.
"""

from ardea.tracing.parquet._read import read_traces
from ardea.tracing.parquet._schema import FORMAT_VERSION, spans_schema, traces_schema
from ardea.tracing.parquet._write import write_traces

__all__ = ["FORMAT_VERSION", "read_traces", "spans_schema", "traces_schema", "write_traces"]
