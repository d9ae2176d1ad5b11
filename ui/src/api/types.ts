// MLflow wire shapes (REST JSON) that the UI reads. Hand-written for now; see docs/ui.md.

export interface KeyValue {
  key: string;
  value?: string;
}

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: "active" | "deleted";
  creation_time?: number | string;
  last_update_time?: number | string;
  tags?: KeyValue[];
}

export interface Metric {
  key: string;
  /** A number, or "NaN" / "Infinity" / "-Infinity" as strings. */
  value: number | string;
  timestamp: number | string;
  step: number | string;
}

export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

export interface RunInfo {
  run_id: string;
  run_name?: string;
  experiment_id: string;
  user_id?: string;
  status?: RunStatus;
  start_time?: number | string;
  end_time?: number | string;
  artifact_uri?: string;
  lifecycle_stage?: "active" | "deleted";
}

export interface Run {
  info: RunInfo;
  data: {
    metrics?: Metric[];
    params?: KeyValue[];
    tags?: KeyValue[];
  };
}

export interface SearchExperimentsResponse {
  experiments?: Experiment[];
  next_page_token?: string;
}

export interface SearchRunsResponse {
  runs?: Run[];
  next_page_token?: string;
}

export interface MetricHistoryResponse {
  metrics?: Metric[];
  next_page_token?: string;
}

export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

export interface TraceInfo {
  trace_id: string;
  trace_location?: { type?: string; mlflow_experiment?: { experiment_id: string } };
  /** RFC 3339. */
  request_time?: string;
  /** Protobuf Duration JSON, e.g. "0.077s". */
  execution_duration?: string;
  state?: "OK" | "ERROR" | "IN_PROGRESS" | "STATE_UNSPECIFIED";
  request_preview?: string;
  response_preview?: string;
  trace_metadata?: Record<string, string>;
  tags?: Record<string, string>;
}

/** An OTLP AnyValue in proto-JSON. */
export interface OtelValue {
  string_value?: string;
  int_value?: number | string;
  double_value?: number;
  bool_value?: boolean;
  array_value?: { values?: OtelValue[] };
  kvlist_value?: { values?: { key: string; value: OtelValue }[] };
}

export interface OtelSpan {
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  name: string;
  start_time_unix_nano: number | string;
  end_time_unix_nano?: number | string;
  attributes?: { key: string; value: OtelValue }[];
  events?: { time_unix_nano: number | string; name: string; attributes?: { key: string; value: OtelValue }[] }[];
  status?: { code?: string; message?: string };
}
