"""How two trace filters go together over an experiment's traces (MLflow's filter correlation)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TraceFilterCorrelation"]


@dataclass(slots=True)
class TraceFilterCorrelation:
    """Counts of traces matching two filters and their normalized pointwise mutual information.

    NPMI runs from -1 (the filters never match the same trace) through 0 (independent) to 1
    (they always match together); it is NaN when undefined (a filter matches nothing).

    Attributes:
        npmi: The NPMI of the counts (NaN when undefined; -1.0 when both filters match traces
            but never the same one).
        npmi_smoothed: The NPMI with Jeffreys smoothing (0.5 added to each cell), steadier
            for few traces; NaN when undefined.
        filter1_count: Traces matching the first filter (and the base filter).
        filter2_count: Traces matching the second filter (and the base filter).
        joint_count: Traces matching both.
        total_count: Traces considered: all of the experiments', or those of the base filter.
    """

    npmi: float
    npmi_smoothed: float | None
    filter1_count: int
    filter2_count: int
    joint_count: int
    total_count: int
