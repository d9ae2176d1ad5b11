"""Issue proposals at size: seconds to read, embed and cluster N failing judge verdicts.

An embedded SQLite store gets N traces, each with a failing LLM_JUDGE verdict whose rationale
is drawn from three failure modes (tests/fixtures/issue_rationales.py, each made distinct by a
ticket number); then ``propose_issues`` runs (offline TF-IDF embedding) and the time of each
step, the number of proposals and the purity of the three largest are printed.

    .venv/bin/python bench/issue_clustering.py            # N = 10,000
    .venv/bin/python bench/issue_clustering.py --n 2000
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from ardea.entities import Feedback, Span
from ardea.entities.assessment import AssessmentSource
from ardea.services.issue_proposals import ProposalRequest, propose_issues
from ardea.store.resolve import resolve_backend
from fixtures.issue_rationales import rationales


def main() -> None:
    """Seed, propose, print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as folder:
        backend = resolve_backend(f"sqlite:///{folder}/bench.db")
        exp = backend.tracking.create_experiment("bench")
        pairs = rationales(n, seed=1)
        judge = AssessmentSource("LLM_JUDGE", "openai:/gpt-4o-mini")
        spans, verdicts = [], []
        for i, (_, text) in enumerate(pairs):
            start = (1_700_000_000_000 + i) * 1_000_000
            trace_id = f"tr-{i:032x}"
            spans.append(
                Span(
                    trace_id=trace_id,
                    span_id=f"{i + 1:016x}",
                    parent_span_id=None,
                    name="qa",
                    span_type="CHAIN",
                    status_code="OK",
                    start_time_ns=start,
                    end_time_ns=start + 1000,
                    attributes={},
                )
            )
            verdict = Feedback(
                name="correct", value=False, rationale=f"{text} (#{i})", source=judge
            )
            verdict.trace_id = trace_id
            verdicts.append(verdict)
        for k in range(0, n, 2000):
            backend.traces.log_spans(exp, spans[k : k + 2000])
        backend.traces.create_assessments(verdicts)
        marks: list[tuple[str, float]] = [("start", time.perf_counter())]
        found = propose_issues(
            backend.issues,
            ProposalRequest(exp, max_failures=n),
            lambda step: marks.append((step, time.perf_counter())),
        )
        marks.append(("done", time.perf_counter()))
        truth = {f"tr-{i:032x}": mode for i, (mode, _) in enumerate(pairs)}
        steps = ", ".join(
            f"{a} {t1 - t0:.2f}s" for (a, t0), (_, t1) in itertools.pairwise(marks[1:])
        )
        print(f"verdicts: {found.failures}, proposals: {len(found.proposals)}")
        print(f"total: {marks[-1][1] - marks[0][1]:.2f}s ({steps})")
        for p in found.proposals[:3]:
            modes = [truth[t] for t in p.trace_ids]
            purity = max(modes.count(m) for m in set(modes)) / len(modes)
            print(f"  {p.size:>6}  purity {purity:.3f}  {p.name[:70]}")
        backend.close()


if __name__ == "__main__":
    main()
