"""Replay benchmark for ``bench/agent_testing.py``: a 50-step recorded agent run, replayed.

Usage::

    .venv/bin/python bench/agent_testing_replay.py            # 20 replays of a 50-step run
    .venv/bin/python bench/agent_testing_replay.py --repeat 5 --json out.json

An agent on the real ``openai`` SDK (OpenAI autolog on) is recorded against the fake provider
(``tests/fixtures/fake_llm_server.py``, in this process): a planning tool, then 24 rounds of
a chat completion that asks for a tool call and the tool call, then the final answer: 50
steps (25 model calls, 25 tool calls). The provider is then stopped and the recorded trace is
replayed ``--repeat`` times with ``ardea.replay`` (spans captured in memory, as the export
thread would take them). Printed: the replay wall time (median and best, goal < 50 ms) and
the provider requests made during the replays (goal 0). ``replay()`` is the section
``bench/agent_testing.py`` calls; ``main()`` runs it alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOAL_MS = 50.0
ROUNDS = 24


def _agent(client: Any) -> Any:
    import ardea

    @ardea.trace(span_type="TOOL")
    def plan(goal: str) -> list[str]:
        return [f"step {i}" for i in range(ROUNDS)]

    @ardea.trace(span_type="TOOL")
    def lookup(item: int) -> dict[str, Any]:
        return {"item": item, "value": item * item}

    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {}}}]

    @ardea.trace(name="agent", span_type="AGENT")
    def agent(goal: str) -> str:
        messages: list[dict[str, Any]] = [{"role": "user", "content": goal}]
        plan(goal)
        for _ in range(ROUNDS + 1):
            msg = (
                client.chat.completions.create(
                    model="gpt-4o-mini", messages=messages[-4:], tools=tools
                )
                .choices[0]
                .message
            )
            if not msg.tool_calls:
                return str(msg.content)
            call = msg.tool_calls[0]
            result = lookup(**json.loads(call.function.arguments))
            messages.append(
                {"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)}
            )
        return "gave up"

    return agent


def replay(repeat: int = 20) -> dict[str, Any]:
    """Record a 50-step agent run, stop the provider, replay it ``repeat`` times.

    Returns:
        The figures: steps, served calls, provider requests during replay, times in ms.
    """
    sys.path.insert(0, str(ROOT / "tests"))
    import openai

    import ardea
    from ardea.autolog import openai as openai_autolog
    from ardea.entities import Trace
    from ardea.tracing.testing import capture_traces
    from fixtures.fake_llm_server import FakeLLMServer

    openai_autolog.autolog()
    server = FakeLLMServer().start()
    client = openai.OpenAI(base_url=server.openai_base_url, api_key="sk-bench", max_retries=0)
    for i in range(ROUNDS):
        server.queue_chat(tool_calls=[{"name": "lookup", "arguments": {"item": i}}])
    server.queue_chat("done")
    agent = _agent(client)
    with capture_traces() as captured:
        assert agent(goal="sum the squares") == "done"
        trace = Trace(info=captured.traces()[0], spans=captured.spans())
        recorded_requests = len(server.requests)
        server.stop()
        times = []
        result: Any = None
        for _ in range(repeat):
            captured.clear()
            start = time.perf_counter()
            result = ardea.replay(trace, agent)
            times.append((time.perf_counter() - start) * 1000)
            assert result.passed, result.summary()
    openai_autolog.revert()
    return {
        "steps": len(result.steps),
        "served": result.served,
        "recorded_provider_requests": recorded_requests,
        "replay_provider_requests": len(server.requests) - recorded_requests,
        "replay_ms_median": round(statistics.median(times), 2),
        "replay_ms_best": round(min(times), 2),
        "goal_ms": GOAL_MS,
        "met": statistics.median(times) < GOAL_MS and len(server.requests) == recorded_requests,
    }


def main(argv: list[str] | None = None) -> None:
    """Run the replay section alone and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="replays to time")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    figures = replay(args.repeat)
    print(
        f"replay: {figures['steps']} steps ({figures['served']} served), "
        f"median {figures['replay_ms_median']} ms, best {figures['replay_ms_best']} ms "
        f"(goal < {GOAL_MS:.0f} ms), provider requests during replay: "
        f"{figures['replay_provider_requests']} -> {'met' if figures['met'] else 'NOT met'}"
    )
    if args.json is not None:
        args.json.write_text(json.dumps({"replay": figures}, indent=2))


if __name__ == "__main__":
    main()
