"""Agent testing benchmarks: conversation simulation and deterministic replay on the fake provider.

Usage::

    .venv/bin/python bench/agent_testing.py            # 100 conversations, <= 8 turns, 200 ms
    .venv/bin/python bench/agent_testing.py --quick    # tiny sizes, a smoke run
    .venv/bin/python bench/agent_testing.py --ardea-only --json out.json

Sections (``main`` runs each in turn; each is a function returning its figures):

- :func:`simulation`: ``ConversationSimulator`` over N conversations of up to T turns, with
  the fake provider (tests/fixtures/fake_llm_server.py, in this process, scripted user and
  agent from tests/fixtures/fake_llm_scripts.py) answering every call after ``--latency``
  seconds. Goals are ``solvable in k turns`` with k = 1 .. T + 2 in turn, so lengths vary and
  some conversations hit the turn limit. Each turn costs three sequential calls (user, app,
  goal check). Two ideals at concurrency C: the lower bound (the larger of
  ``calls * latency / C`` and the longest conversation's ``calls * latency``), and the
  zero-overhead pool (C workers taking the conversations in order, as any pool must since
  lengths are unknown in advance); each figure is ideal / wall (goal >= 85%). Then MLflow's
  ``mlflow.genai.simulators.ConversationSimulator`` on the same
  cases, same provider, ``MLFLOW_GENAI_SIMULATOR_MAX_WORKERS`` = C; MLflow's goal check
  never says yes on the fake provider, so both run the cases with unsolvable goals (every
  conversation T turns) for the wall-time ratio.

- ``agent_testing_replay.replay``: a 50-step agent run recorded through the real ``openai``
  SDK, the provider stopped, then replayed (goal < 50 ms, no provider call).

Each run is a fresh interpreter on a fresh SQLite store, after a one-turn warm-up simulation
(lazy imports: this machine compiles them from source, see bench/_common.py).
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
USER_MODEL = "openai:/gpt-4.1-mini"

WORKER = r"""
import json, sys, time
spec = json.loads(sys.argv[1])
cases = [{"goal": g} for g in spec["goals"]]

import openai
client = openai.OpenAI(api_key="sk-bench", max_retries=0)  # one client: no TLS setup per call

def agent(messages):
    reply = client.chat.completions.create(model="scripted-agent", messages=messages)
    return reply.choices[0].message.content

if spec["client"] == "ardea":
    import ardea
    from ardea.evaluation.simulation import ConversationSimulator
    ardea.set_tracking_uri(spec["uri"])
    ardea.set_experiment("bench")
    sim = ConversationSimulator(
        cases, agent, max_turns=spec["max_turns"], user_model=spec["model"],
        concurrency=spec["concurrency"], seed=1, show_progress=False,
    )
    ConversationSimulator([{"goal": "warm-up"}], agent, max_turns=1).simulate()  # lazy imports
    t0 = time.perf_counter()
    result = sim.simulate()
    wall = time.perf_counter() - t0
    turns = [len(c.turns) for c in result]
    outcomes = result.outcomes()
else:
    import mlflow
    from mlflow.genai.simulators import ConversationSimulator
    mlflow.set_tracking_uri(spec["uri"])
    mlflow.set_experiment("bench")
    def predict_fn(input, **kwargs):
        return agent(input)
    sim = ConversationSimulator(cases, max_turns=spec["max_turns"], user_model=spec["model"])
    ConversationSimulator([{"goal": "warm-up"}], max_turns=1, user_model=spec["model"]).simulate(
        predict_fn
    )
    t0 = time.perf_counter()
    traces = sim.simulate(predict_fn)
    wall = time.perf_counter() - t0
    turns = [len(t) for t in traces]
    outcomes = {}
print(json.dumps({"wall": wall, "turns": turns, "outcomes": outcomes}))
"""


def _run(spec: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        spec = {**spec, "uri": f"sqlite:///{tmp}/bench.db"}
        proc = subprocess.run(
            [sys.executable, "-c", WORKER, json.dumps(spec)],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            cwd=tmp,
            timeout=1800,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"{spec['client']} failed:\n{proc.stderr[-3000:]}")
    found: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return found


def _ideal(turns: list[int], latency: float, concurrency: int) -> float:
    """The lower bound: 3 sequential calls per turn, ``concurrency`` conversations at once."""
    chains = [3 * t * latency for t in turns]
    return max(sum(chains) / concurrency, max(chains))


def _pool_ideal(turns: list[int], latency: float, concurrency: int) -> float:
    """The zero-overhead wall time of a pool of ``concurrency`` taking conversations in order
    (lengths are unknown in advance, so no schedule can sort them longest first)."""
    ends = [0.0] * concurrency
    for t in turns:
        heapq.heapreplace(ends, ends[0] + 3 * t * latency)
    return max(ends)


def simulation(
    conversations: int = 100,
    max_turns: int = 8,
    latency: float = 0.2,
    concurrency: int = 32,
    mlflow: bool = True,
) -> dict[str, Any]:
    """The simulation section: Ardea's wall time against the ideal, then against MLflow."""
    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures.fake_llm_scripts import simulation_rule
    from fixtures.fake_llm_server import FakeLLMServer

    figures: dict[str, Any] = {
        "conversations": conversations,
        "max_turns": max_turns,
        "latency_s": latency,
        "concurrency": concurrency,
    }
    with FakeLLMServer() as server:
        server.rule = simulation_rule
        server.latency = latency
        env = {
            "OPENAI_BASE_URL": server.openai_base_url,
            "OPENAI_API_KEY": "sk-bench",
            "ARDEA_PROGRESS": "0",
            "MLFLOW_GENAI_SIMULATOR_MAX_WORKERS": str(concurrency),
        }
        base = {"max_turns": max_turns, "model": USER_MODEL, "concurrency": concurrency}
        goals = [
            f"Task {i}, solvable in {1 + i % (max_turns + 2)} turns" for i in range(conversations)
        ]
        ardea = _run({**base, "client": "ardea", "goals": goals}, env)
        ideal = _ideal(ardea["turns"], latency, concurrency)
        pool = _pool_ideal(ardea["turns"], latency, concurrency)
        figures["ardea"] = {**ardea, "ideal": ideal, "efficiency": ideal / ardea["wall"],
                            "pool_ideal": pool, "pool_efficiency": pool / ardea["wall"],
                            "provider_calls": len(server.requests)}  # fmt: skip
        print(
            f"simulation: {conversations} conversations, {sum(ardea['turns'])} turns "
            f"(max {max(ardea['turns'])}), latency {latency * 1000:.0f} ms, concurrency "
            f"{concurrency}: wall {ardea['wall']:.2f}s; lower bound {ideal:.2f}s = "
            f"{100 * ideal / ardea['wall']:.1f}%; zero-overhead pool {pool:.2f}s = "
            f"{100 * pool / ardea['wall']:.1f}%; outcomes {ardea['outcomes']}"
        )
        if mlflow:
            figures["vs_mlflow"] = _against_mlflow(base, conversations, latency, concurrency, env)
    return figures


def _against_mlflow(
    base: dict[str, Any], conversations: int, latency: float, concurrency: int,
    env: dict[str, str],
) -> dict[str, Any]:  # fmt: skip
    goals = [f"Unsolvable task {i}" for i in range(conversations)]
    out: dict[str, Any] = {}
    for client in ("ardea", "mlflow"):
        try:
            found = _run({**base, "client": client, "goals": goals}, env)
        except Exception as exc:
            print(f"simulation vs MLflow: {client} did not run ({str(exc)[-300:]})")
            return out
        found["ideal"] = _ideal(found["turns"], latency, concurrency)
        out[client] = found
        print(
            f"  same cases, every conversation to the turn limit: {client} wall "
            f"{found['wall']:.2f}s for {sum(found['turns'])} turns "
            f"({100 * found['ideal'] / found['wall']:.1f}% of ideal)"
        )
    out["ratio_mlflow_over_ardea"] = out["mlflow"]["wall"] / out["ardea"]["wall"]
    print(f"  MLflow / Ardea wall time: {out['ratio_mlflow_over_ardea']:.2f}x")
    return out


def main() -> int:
    """Run every section: simulation, then replay (bench/agent_testing_replay.py)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument("--ardea-only", action="store_true", help="skip MLflow's simulator")
    parser.add_argument("--conversations", type=int, default=None)
    parser.add_argument("--max-turns", type=int, default=None)
    parser.add_argument("--latency", type=float, default=None)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    quick = args.quick
    figures = {
        "simulation": simulation(
            conversations=args.conversations or (20 if quick else 100),
            max_turns=args.max_turns or (4 if quick else 8),
            latency=args.latency if args.latency is not None else (0.05 if quick else 0.2),
            concurrency=args.concurrency,
            mlflow=not args.ardea_only,
        )
    }
    import agent_testing_replay

    figures["replay"] = agent_testing_replay.replay(5 if quick else 20)
    r = figures["replay"]
    print(
        f"replay: {r['steps']} steps ({r['served']} served), median {r['replay_ms_median']} ms, "
        f"best {r['replay_ms_best']} ms (goal < {r['goal_ms']:.0f} ms), provider requests "
        f"during replay: {r['replay_provider_requests']}"
    )
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
