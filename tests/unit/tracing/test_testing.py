"""``ardea.tracing.testing.capture_traces``."""

from __future__ import annotations

import ardea
from ardea.tracing import provider
from ardea.tracing.testing import capture_traces


def test_capture_traces_collects_entities_and_resets() -> None:
    @ardea.trace(span_type="AGENT")
    def agent(x: int) -> int:
        with ardea.start_span("tool", span_type="TOOL") as span:
            span.set_outputs(x)
        return x + 1

    with capture_traces() as captured:
        agent(1)
        (root,) = captured.roots()
        assert (root.name, root.span_type, root.inputs, root.outputs) == (
            "agent",
            "AGENT",
            {"x": 1},
            2,
        )
        assert sorted(s.name for s in captured.spans()) == ["agent", "tool"]
        assert [t.name for t in captured.traces()] == ["agent"]
        assert len(captured.otel_spans()) == 2
        captured.clear()
        assert captured.spans() == []
    assert provider._state.exporter_override is None
