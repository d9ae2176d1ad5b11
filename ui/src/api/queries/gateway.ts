// TanStack Query hooks for the AI gateway pages: MLflow's management REST
// (`/3.0/mlflow/gateway/*`: endpoints, secrets, model definitions, budgets) and Ardea's usage
// rollup (`/3.0/ardea/gateway/usage`).
//
// MLflow's management answers are typed loosely in the OpenAPI document (`dict` records), so
// the few fields the pages read are spelled below, as MLflow's JSON names them (see
// docs/gateway.md, "Management").
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiGet, apiPost, apiSend } from "../client";
import type { GatewayCreatedKey, GatewayKeyList, GatewayUsage } from "../types";

const G = "/3.0/mlflow/gateway";

const noRetryOn4xx = (count: number, error: Error) =>
  !("status" in error && typeof error.status === "number" && error.status >= 400 && error.status < 500) && count < 2;

/** A provider model an endpoint maps to (MLflow's `GatewayModelDefinition`). */
export interface GatewayModelDefinition {
  model_definition_id: string;
  name: string;
  provider: string;
  model_name: string;
  secret_id?: string;
  secret_name?: string;
}

/** One model of an endpoint: its weight in the split, or its place in the fallback order. */
export interface GatewayModelMapping {
  mapping_id: string;
  model_definition_id: string;
  model_definition: GatewayModelDefinition;
  weight: number;
  linkage_type: string;
  fallback_order?: number;
}

/** Ardea's per-endpoint options (not on MLflow's wire): timeout, cache, limits, override. */
export interface GatewayEndpointOptions {
  timeout_s?: number;
  cache_ttl_s?: number;
  allow_model_override?: boolean;
  limits?: { scope?: string; requests_per_minute?: number; tokens_per_minute?: number }[];
  [key: string]: unknown;
}

/** A gateway endpoint (MLflow's `GatewayEndpoint`, plus Ardea's `endpoint_type` and `options`). */
export interface GatewayEndpoint {
  endpoint_id: string;
  name: string;
  endpoint_type?: string;
  model_mappings: GatewayModelMapping[];
  tags?: { key: string; value: string }[];
  routing_strategy?: string;
  fallback_config?: { strategy?: string; max_attempts?: number };
  experiment_id?: string;
  usage_tracking?: boolean;
  options?: GatewayEndpointOptions;
  created_at?: number;
  last_updated_at?: number;
}

/** A budget policy (MLflow's `GatewayBudgetPolicy`). */
export interface GatewayBudgetPolicy {
  budget_policy_id: string;
  budget_unit: string;
  budget_amount: number;
  duration: { unit: string; value: number };
  target_scope: string;
  target_value?: string;
  budget_action: string;
}

/** A budget policy's current window and what was spent in it (`budgets/windows`). */
export interface GatewayBudgetWindow {
  budget_policy_id: string;
  window_start?: number;
  window_end?: number;
  current_spend?: number;
  budget_amount?: number;
  [key: string]: unknown;
}

/** The workspace's endpoints, by name. */
export function useGatewayEndpoints() {
  return useQuery({
    queryKey: ["gateway", "endpoints"],
    queryFn: ({ signal }) =>
      apiGet<{ endpoints?: GatewayEndpoint[] }>(`${G}/endpoints/list`, {}, signal).then((r) => r.endpoints ?? []),
    retry: noRetryOn4xx,
  });
}

/** One endpoint, by name. */
export function useGatewayEndpoint(name: string) {
  return useQuery({
    queryKey: ["gateway", "endpoint", name],
    queryFn: ({ signal }) => apiGet<{ endpoint: GatewayEndpoint }>(`${G}/endpoints/get`, { name }, signal).then((r) => r.endpoint),
    retry: noRetryOn4xx,
  });
}

/** The budget policies and their current windows (the windows may be empty). */
export function useGatewayBudgets() {
  return useQuery({
    queryKey: ["gateway", "budgets"],
    queryFn: async ({ signal }) => {
      const [policies, windows] = await Promise.all([
        apiGet<{ budget_policies?: GatewayBudgetPolicy[] }>(`${G}/budgets/list`, {}, signal),
        apiGet<{ windows?: GatewayBudgetWindow[] }>(`${G}/budgets/windows`, {}, signal).catch(() => ({ windows: [] })),
      ]);
      return { policies: policies.budget_policies ?? [], windows: windows.windows ?? [] };
    },
    retry: noRetryOn4xx,
  });
}

/** What the usage read takes (`start`/`end` in epoch ms). */
export interface UsageQuery {
  start: number;
  end: number;
  groupBy: "endpoint" | "key" | "user" | "model";
  bucket: "minute" | "hour" | "day";
  endpoint?: string;
}

/** The usage rollup over a range, split by one dimension. */
export function useGatewayUsage(q: UsageQuery, refetchInterval?: number) {
  return useQuery({
    queryKey: ["gateway", "usage", q.start, q.end, q.groupBy, q.bucket, q.endpoint ?? ""],
    queryFn: ({ signal }) =>
      apiGet<GatewayUsage>(
        "/3.0/ardea/gateway/usage",
        { start: q.start, end: q.end, group_by: q.groupBy, bucket: q.bucket, endpoint: q.endpoint },
        signal,
      ),
    placeholderData: (previous) => previous,
    retry: noRetryOn4xx,
    refetchInterval,
  });
}

/** What the "new endpoint" form asks for: one provider model, its key and base URL. */
export interface NewEndpoint {
  name: string;
  provider: string;
  modelName: string;
  apiKey: string;
  apiBase?: string;
  usageTracking: boolean;
}

/**
 * Create an endpoint with one model: a secret (the API key, never shown again), a model
 * definition using it, then the endpoint (three calls of MLflow's management REST).
 */
export function useCreateEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (e: NewEndpoint) => {
      const secret = await apiPost<{ secret: { secret_id: string } }>(`${G}/secrets/create`, {
        secret_name: `${e.name}-key`,
        secret_value: { api_key: e.apiKey },
        provider: e.provider,
        ...(e.apiBase ? { auth_config: { api_base: e.apiBase } } : {}),
      });
      const definition = await apiPost<{ model_definition: GatewayModelDefinition }>(`${G}/model-definitions/create`, {
        name: `${e.name}-${e.modelName}`,
        provider: e.provider,
        model_name: e.modelName,
        secret_id: secret.secret.secret_id,
      });
      const made = await apiPost<{ endpoint: GatewayEndpoint }>(`${G}/endpoints/create`, {
        name: e.name,
        model_configs: [{ model_definition_id: definition.model_definition.model_definition_id }],
        usage_tracking: e.usageTracking,
      });
      return made.endpoint;
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ["gateway"] }),
  });
}

/** One model of an endpoint as the update sends it (MLflow's `GatewayEndpointModelConfig`). */
export interface ModelConfig {
  model_definition_id: string;
  linkage_type: "PRIMARY" | "FALLBACK";
  weight: number;
  fallback_order?: number;
}

/** Replace an endpoint's model mappings (weights, roles, fallback order). */
export function useUpdateEndpointModels() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ endpointId, configs }: { endpointId: string; configs: ModelConfig[] }) =>
      apiPost<{ endpoint: GatewayEndpoint }>(`${G}/endpoints/update`, { endpoint_id: endpointId, model_configs: configs }).then(
        (r) => r.endpoint,
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["gateway"] }),
  });
}

/** The workspace's model definitions (what an endpoint may map to). */
export function useGatewayModelDefinitions() {
  return useQuery({
    queryKey: ["gateway", "model-definitions"],
    queryFn: ({ signal }) =>
      apiGet<{ model_definitions?: GatewayModelDefinition[] }>(`${G}/model-definitions/list`, {}, signal).then(
        (r) => r.model_definitions ?? [],
      ),
    retry: noRetryOn4xx,
  });
}

/** What the endpoint editor may change in one `endpoints/update` call (MLflow's fields). */
export interface EndpointUpdate {
  name?: string;
  model_configs?: ModelConfig[];
  fallback_config?: { strategy: "SEQUENTIAL"; max_attempts: number };
}

/** Update an endpoint: its name, or its models with their fallback settings. */
export function useUpdateEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ endpointId, update }: { endpointId: string; update: EndpointUpdate }) =>
      apiPost<{ endpoint: GatewayEndpoint }>(`${G}/endpoints/update`, { endpoint_id: endpointId, ...update }).then((r) => r.endpoint),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["gateway"] }),
  });
}

/** Delete an endpoint (its mappings, tags and guardrail links go with it). */
export function useDeleteEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (endpointId: string) => apiSend("DELETE", `${G}/endpoints/delete`, { endpoint_id: endpointId }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["gateway"] }),
  });
}

/** One rate limit of an endpoint (its `ardea.limits` tag holds the list). */
export interface RateLimit {
  scope: "key" | "user" | "endpoint" | "workspace";
  requests_per_minute?: number;
  tokens_per_minute?: number;
}

/** Replace an endpoint's rate limits (the `ardea.limits` tag; none: the tag is deleted). */
export function useSetEndpointLimits() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ endpointId, limits }: { endpointId: string; limits: RateLimit[] }) =>
      limits.length
        ? apiPost<unknown>(`${G}/endpoints/set-tag`, { endpoint_id: endpointId, key: "ardea.limits", value: JSON.stringify(limits) })
        : apiSend("DELETE", `${G}/endpoints/delete-tag`, { endpoint_id: endpointId, key: "ardea.limits" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["gateway"] }),
  });
}

const KEYS = "/3.0/ardea/gateway/keys";

/** The caller's gateway virtual keys (an admin's: everyone's), revoked ones included. */
export function useGatewayKeys() {
  return useQuery({
    queryKey: ["gateway", "keys"],
    queryFn: ({ signal }) => apiGet<GatewayKeyList>(`${KEYS}/list`, { include_revoked: "true" }, signal).then((r) => r.keys),
    retry: noRetryOn4xx,
  });
}

/** What `keys/create` takes. */
export interface NewGatewayKey {
  name: string;
  expires_in_days?: number;
  allowed_models?: string[];
  metadata?: Record<string, string>;
}

/** Create a virtual key; the answer holds its secret, shown once. */
export function useCreateGatewayKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewGatewayKey) => apiPost<GatewayCreatedKey>(`${KEYS}/create`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["gateway", "keys"] }),
  });
}

/** Revoke a virtual key. */
export function useRevokeGatewayKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (keyId: number) => apiPost<unknown>(`${KEYS}/revoke`, { key_id: keyId }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["gateway", "keys"] }),
  });
}
