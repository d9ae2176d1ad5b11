// Complete server objects for tests, typed by the generated API types: a test names only the
// fields it is about, the rest get plain defaults (as the server would send them).
import type { Assessment, KeyValue, Metric, OtelSpan, Run, RunInfo, TraceInfo } from "@ardea/api/types";

/** A run's info; `run_uuid` follows `run_id`. */
export function runInfo(fields: Partial<RunInfo> = {}): RunInfo {
  const runId = fields.run_id ?? "r1";
  return { run_id: runId, run_uuid: runId, experiment_id: "1", status: "FINISHED", lifecycle_stage: "active", ...fields };
}

/** One metric point. */
export function metric(key: string, value: Metric["value"], step = 0, timestamp = 0): Metric {
  return { key, value, step, timestamp };
}

/** Key-value pairs from a record (params, tags). */
export function pairs(record: Record<string, string>): KeyValue[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }));
}

/** A run: its info fields, and params / metrics (latest values) / tags as records. */
export function run(
  info: Partial<RunInfo>,
  data: { params?: Record<string, string>; metrics?: Record<string, Metric["value"]>; tags?: Record<string, string> } = {},
): Run {
  return {
    info: runInfo(info),
    data: {
      params: pairs(data.params ?? {}),
      metrics: Object.entries(data.metrics ?? {}).map(([key, value]) => metric(key, value)),
      tags: pairs(data.tags ?? {}),
    },
    inputs: { dataset_inputs: [], model_inputs: [] },
    outputs: { model_outputs: [] },
  };
}

/** A trace's info (experiment "1", state OK, no metadata, tags or assessments by default). */
export function traceInfo(fields: Partial<TraceInfo> = {}): TraceInfo {
  return {
    trace_id: "tr-1",
    trace_location: { type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: "1" } },
    request_time: "2023-11-14T22:13:20.000Z",
    state: "OK",
    trace_metadata: {},
    tags: {},
    assessments: [],
    ...fields,
  };
}

/** A span (internal, unset status, no attributes or events by default). */
export function otelSpan(fields: Partial<OtelSpan> = {}): OtelSpan {
  return {
    trace_id: "t",
    span_id: "s",
    name: "span",
    kind: "SPAN_KIND_INTERNAL",
    start_time_unix_nano: 0,
    attributes: [],
    events: [],
    status: { code: "STATUS_CODE_UNSET", message: "" },
    ...fields,
  };
}

/** An assessment (human feedback `true` on trace tr-1 by default). */
export function assessment(fields: Partial<Assessment> = {}): Assessment {
  return {
    assessment_id: "a1",
    assessment_name: "ok",
    trace_id: "tr-1",
    source: { source_type: "HUMAN", source_id: "ann" },
    create_time: "2023-11-14T22:13:20.000Z",
    last_update_time: "2023-11-14T22:13:20.000Z",
    metadata: {},
    valid: true,
    ...fields,
  };
}
