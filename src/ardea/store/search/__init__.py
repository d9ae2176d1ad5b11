"""The MLflow search grammar: filter strings and order-by clauses parsed into a small AST.

Backends compile the AST to their own queries (``store.sql.query`` for SQL).
"""

from ardea.store.search.ast import Clause, OrderBy
from ardea.store.search.paging import decode_page_token, encode_page_token
from ardea.store.search.parser import (
    parse_experiment_filter,
    parse_experiment_order_by,
    parse_run_filter,
    parse_run_order_by,
)
from ardea.store.search.traces import TraceClause, parse_trace_filter, parse_trace_order_by

__all__ = [
    "Clause",
    "OrderBy",
    "TraceClause",
    "decode_page_token",
    "encode_page_token",
    "parse_experiment_filter",
    "parse_experiment_order_by",
    "parse_run_filter",
    "parse_run_order_by",
    "parse_trace_filter",
    "parse_trace_order_by",
]
