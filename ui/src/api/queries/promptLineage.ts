// The runs and traces that used a prompt: their `mlflow.linkedPrompts` tag (a JSON list of
// {"name", "version"}) names it. As the SDK does (ardea/prompts/_lineage.py): a LIKE filter on
// the prompt's name narrows the search on the server, the JSON is then matched exactly here.
import { useQuery } from "@tanstack/react-query";
import { apiPost } from "../client";
import type { Experiment, SearchExperimentsResponse, SearchRunsResponse, SearchTracesResponse } from "../types";

export const LINKED_PROMPTS_TAG = "mlflow.linkedPrompts";
const CHUNK = 100;
/** Stop after this many runs / traces: lineage is a list to click through, not an export. */
export const LINEAGE_LIMIT = 2000;

export interface LinkedPrompt {
  name: string;
  version: string;
}

/** The entries of a `mlflow.linkedPrompts` tag value ([] when absent or malformed). */
export function parseLinkedPrompts(value: string | undefined): LinkedPrompt[] {
  if (!value) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: LinkedPrompt[] = [];
  for (const e of parsed) {
    if (e && typeof e === "object" && "name" in e && "version" in e) {
      const entry = e as { name: unknown; version: unknown };
      out.push({ name: String(entry.name), version: String(entry.version) });
    }
  }
  return out;
}

/** The versions of prompt `name` listed in a tag value, in tag order. */
export function versionsOf(value: string | undefined, name: string): string[] {
  return parseLinkedPrompts(value)
    .filter((p) => p.name === name)
    .map((p) => p.version);
}

export interface LineageRun {
  runId: string;
  runName: string;
  experimentId: string;
  versions: string[];
}

export interface LineageTrace {
  traceId: string;
  experimentId: string;
  name: string;
  requestTime: string;
  versions: string[];
}

function likeFilter(name: string): string {
  // Prompt names are [A-Za-z0-9_.-]; a quote would end the literal, so such names match all.
  const safe = name.replace(/['"\\]/g, "");
  return `tags.\`${LINKED_PROMPTS_TAG}\` LIKE '%${safe}%'`;
}

async function activeExperimentIds(signal: AbortSignal): Promise<string[]> {
  const out: Experiment[] = [];
  let token: string | undefined;
  do {
    const page = await apiPost<SearchExperimentsResponse>(
      "/2.0/mlflow/experiments/search",
      { max_results: 1000, view_type: "ACTIVE_ONLY", ...(token ? { page_token: token } : {}) },
      signal,
    );
    out.push(...page.experiments);
    token = page.next_page_token;
  } while (token);
  return out.map((e) => e.experiment_id);
}

async function lineageRuns(ids: string[], name: string, signal: AbortSignal): Promise<LineageRun[]> {
  const out: LineageRun[] = [];
  for (let i = 0; i < ids.length && out.length < LINEAGE_LIMIT; i += CHUNK) {
    let token: string | undefined;
    do {
      const page = await apiPost<SearchRunsResponse>(
        "/2.0/mlflow/runs/search",
        {
          experiment_ids: ids.slice(i, i + CHUNK),
          filter: likeFilter(name),
          max_results: 1000,
          run_view_type: "ACTIVE_ONLY",
          ...(token ? { page_token: token } : {}),
        },
        signal,
      );
      for (const run of page.runs) {
        const tag = run.data.tags.find((t) => t.key === LINKED_PROMPTS_TAG)?.value;
        const versions = versionsOf(tag, name);
        if (versions.length)
          out.push({ runId: run.info.run_id, runName: run.info.run_name ?? "", experimentId: run.info.experiment_id, versions });
      }
      token = page.next_page_token;
    } while (token && out.length < LINEAGE_LIMIT);
  }
  return out;
}

async function lineageTraces(ids: string[], name: string, signal: AbortSignal): Promise<LineageTrace[]> {
  const out: LineageTrace[] = [];
  for (let i = 0; i < ids.length && out.length < LINEAGE_LIMIT; i += CHUNK) {
    let token: string | undefined;
    do {
      const page = await apiPost<SearchTracesResponse>(
        "/3.0/mlflow/traces/search",
        {
          locations: ids
            .slice(i, i + CHUNK)
            .map((id) => ({ type: "MLFLOW_EXPERIMENT", mlflow_experiment: { experiment_id: id } })),
          filter: likeFilter(name),
          max_results: 500,
          order_by: ["timestamp_ms DESC"],
          ...(token ? { page_token: token } : {}),
        },
        signal,
      );
      for (const t of page.traces) {
        const versions = versionsOf(t.tags[LINKED_PROMPTS_TAG], name);
        if (versions.length)
          out.push({
            traceId: t.trace_id,
            experimentId: t.trace_location.mlflow_experiment.experiment_id,
            name: t.tags["mlflow.traceName"] ?? "",
            requestTime: t.request_time,
            versions,
          });
      }
      token = page.next_page_token;
    } while (token && out.length < LINEAGE_LIMIT);
  }
  return out;
}

/** Runs and traces (of every active experiment) whose linked prompts name prompt `name`. */
export function usePromptLineage(name: string) {
  return useQuery({
    queryKey: ["prompt-lineage", name],
    queryFn: async ({ signal }) => {
      const ids = await activeExperimentIds(signal);
      const [runs, traces] = await Promise.all([lineageRuns(ids, name, signal), lineageTraces(ids, name, signal)]);
      return { runs, traces };
    },
  });
}
