"""Scripts run by bench/tracing.py in an interpreter with ``mlflow`` (the bench venv).

Each prints one JSON line: its figures.
"""

# (1) for MLflow: @mlflow.trace without a server, exporting to a local SQLite store.
MLFLOW_OVERHEAD_PROBE = """
import json, statistics, sys, time
import mlflow
n, rounds = int(sys.argv[1]), int(sys.argv[2])
mlflow.set_experiment("overhead")
def plain():
    return None
@mlflow.trace
def traced():
    return None
def per_call(fn):
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n
per_call(plain); per_call(traced); mlflow.flush_trace_async_logging()
p, a = [], []
for _ in range(rounds):
    p.append(per_call(plain)); a.append(per_call(traced)); mlflow.flush_trace_async_logging()
print(json.dumps({"overhead_us": (statistics.median(a) - statistics.median(p)) * 1e6}))
"""

# (3): the same workload for both servers; 5 spans per trace, tags, a manual span.
MLFLOW_CLIENT_PROBE = """
import json, os, sys, time, uuid
# In a tight loop the stock client drops spans on its side ("Queue full, dropping Span.", every
# server answer 200): by default (MLFLOW_USE_BATCH_SPAN_PROCESSOR=true) an OpenTelemetry
# BatchSpanProcessor sits in front of the exporter with a queue fixed at
# max(2048, MLFLOW_ASYNC_TRACE_LOGGING_MAX_SPAN_BATCH_SIZE) spans, drained 5 spans per export
# call, so OTEL_BSP_MAX_QUEUE_SIZE is ignored. Turning it off makes finished traces go straight
# into the exporter's own async queue, whose size the variable below sets: every trace arrives,
# for both servers alike.
os.environ.setdefault("MLFLOW_USE_BATCH_SPAN_PROCESSOR", "false")
os.environ.setdefault("MLFLOW_ASYNC_TRACE_LOGGING_MAX_QUEUE_SIZE", "100000")
import mlflow
from mlflow.entities import SpanType
uri, n = sys.argv[1], int(sys.argv[2])
mlflow.set_tracking_uri(uri)
exp = mlflow.set_experiment("trace-bench-" + uuid.uuid4().hex).experiment_id
@mlflow.trace(span_type=SpanType.TOOL)
def tool(x):
    return x * 2
@mlflow.trace(name="agent", span_type=SpanType.AGENT)
def agent(q):
    total = sum(tool(i) for i in range(3))
    with mlflow.start_span("llm", span_type=SpanType.CHAT_MODEL) as span:
        span.set_inputs({"messages": [{"role": "user", "content": q}]})
        span.set_outputs({"choices": [{"message": {"role": "assistant", "content": "42"}}]})
    mlflow.update_current_trace(tags={"env": "bench"})
    return total
t0 = time.perf_counter()
for i in range(n):
    agent("question %d" % i)
t1 = time.perf_counter()
mlflow.flush_trace_async_logging()
t2 = time.perf_counter()
client = mlflow.MlflowClient(uri)
deadline = time.monotonic() + 600
while True:
    seen, token = 0, None
    while True:
        page = client.search_traces(experiment_ids=[exp], max_results=500, page_token=token,
                                    include_spans=False)
        seen += len(page)
        token = page.token
        if not token:
            break
    if seen >= n or time.monotonic() > deadline:
        break
    time.sleep(0.05)
print(json.dumps({"client_wall_s": time.perf_counter() - t0, "seen": seen,
                  "client_calls_s": t1 - t0, "client_flush_s": t2 - t1}))
"""
