// The endpoint page's editors, each one call (or two) of MLflow's management REST: the models
// (add, remove, role, weight, fallback order, max attempts: `endpoints/update`), the rate
// limits (the `ardea.limits` tag: `endpoints/set-tag` / `delete-tag`), the name
// (`endpoints/update`) and deletion (`endpoints/delete`).
import { useState } from "react";
import { useNavigate } from "react-router";
import {
  useDeleteEndpoint,
  useGatewayModelDefinitions,
  useSetEndpointLimits,
  useUpdateEndpoint,
  type EndpointUpdate,
  type GatewayEndpoint,
  type ModelConfig,
  type RateLimit,
} from "@ardea/api/queries/gateway";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { gatewayPath } from "@ardea/lib/paths";

/** The endpoint's models as the update takes them (what the edit form starts from). */
export function configsOf(e: GatewayEndpoint): ModelConfig[] {
  return e.model_mappings.map((m) => ({
    model_definition_id: m.model_definition_id,
    linkage_type: m.linkage_type === "FALLBACK" ? "FALLBACK" : "PRIMARY",
    weight: m.weight,
    ...(m.fallback_order !== undefined && m.fallback_order !== null ? { fallback_order: m.fallback_order } : {}),
  }));
}

/** The endpoint's rate limits in force: its `ardea.limits` tag when set, else its options'. */
export function limitsOf(e: GatewayEndpoint): RateLimit[] {
  const tag = e.tags?.find((t) => t.key === "ardea.limits");
  if (tag) {
    try {
      const parsed: unknown = JSON.parse(tag.value);
      if (Array.isArray(parsed)) return parsed as RateLimit[];
    } catch {
      return [];
    }
  }
  return (e.options?.limits ?? []).map((l) => ({ ...l, scope: (l.scope ?? "endpoint") as RateLimit["scope"] }));
}

/** Edit the endpoint's models: add or remove one, its role, weight and fallback order. */
export function ModelsEditor({ e, onDone }: { e: GatewayEndpoint; onDone: () => void }) {
  const update = useUpdateEndpoint();
  const definitions = useGatewayModelDefinitions();
  const [configs, setConfigs] = useState(() => configsOf(e));
  const [attempts, setAttempts] = useState(e.fallback_config?.max_attempts ?? 0);
  const [adding, setAdding] = useState("");
  const set = (i: number, patch: Partial<ModelConfig>) => setConfigs(configs.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  const label = (id: string) => {
    const d =
      e.model_mappings.find((m) => m.model_definition_id === id)?.model_definition ??
      definitions.data?.find((m) => m.model_definition_id === id);
    return d ? `${d.provider}/${d.model_name}` : id;
  };
  const unused = (definitions.data ?? []).filter((d) => !configs.some((c) => c.model_definition_id === d.model_definition_id));
  return (
    <form
      aria-label="Edit models"
      onSubmit={(ev) => {
        ev.preventDefault();
        const change: EndpointUpdate = { model_configs: configs };
        if (attempts > 0 && attempts !== (e.fallback_config?.max_attempts ?? 0)) {
          change.fallback_config = { strategy: "SEQUENTIAL", max_attempts: attempts };
        }
        update.mutate({ endpointId: e.endpoint_id, update: change }, { onSuccess: onDone });
      }}
    >
      <table className="plain">
        <thead>
          <tr>
            <th>Model</th>
            <th>Role</th>
            <th>Weight</th>
            <th>Fallback order</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {configs.map((c, i) => (
            <tr key={c.model_definition_id}>
              <td>{label(c.model_definition_id)}</td>
              <td>
                <select
                  aria-label={`Role of ${label(c.model_definition_id)}`}
                  value={c.linkage_type}
                  onChange={(ev) => set(i, { linkage_type: ev.target.value as ModelConfig["linkage_type"] })}
                >
                  <option>PRIMARY</option>
                  <option>FALLBACK</option>
                </select>
              </td>
              <td>
                <input
                  type="number"
                  min={0}
                  step="any"
                  aria-label={`Weight of ${label(c.model_definition_id)}`}
                  value={c.weight}
                  onChange={(ev) => set(i, { weight: Number(ev.target.value) })}
                />
              </td>
              <td>
                <input
                  type="number"
                  min={0}
                  step={1}
                  aria-label={`Fallback order of ${label(c.model_definition_id)}`}
                  value={c.fallback_order ?? ""}
                  onChange={(ev) => set(i, { fallback_order: ev.target.value === "" ? undefined : Number(ev.target.value) })}
                />
              </td>
              <td>
                <button type="button" onClick={() => setConfigs(configs.filter((_, j) => j !== i))}>
                  Remove {label(c.model_definition_id)}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {unused.length ? (
        <p>
          <select aria-label="Model to add" value={adding} onChange={(ev) => setAdding(ev.target.value)}>
            <option value="">Add a model…</option>
            {unused.map((d) => (
              <option key={d.model_definition_id} value={d.model_definition_id}>
                {d.name} ({d.provider}/{d.model_name})
              </option>
            ))}
          </select>{" "}
          <button
            type="button"
            disabled={!adding}
            onClick={() => {
              setConfigs([...configs, { model_definition_id: adding, linkage_type: "PRIMARY", weight: 1 }]);
              setAdding("");
            }}
          >
            Add model
          </button>
        </p>
      ) : null}
      <p>
        <label>
          Max attempts{" "}
          <input type="number" min={1} step={1} value={attempts || ""} onChange={(ev) => setAttempts(Number(ev.target.value))} />
        </label>
      </p>
      <button type="submit" disabled={update.isPending || !configs.length}>
        {update.isPending ? "Saving…" : "Save models"}
      </button>{" "}
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      <ErrorBanner error={update.error} />
    </form>
  );
}

const SCOPES: RateLimit["scope"][] = ["endpoint", "key", "user", "workspace"];

/** Edit the endpoint's rate limits (requests and tokens per minute, per scope). */
export function LimitsEditor({ e, onDone }: { e: GatewayEndpoint; onDone: () => void }) {
  const save = useSetEndpointLimits();
  const before = limitsOf(e);
  const [limits, setLimits] = useState<RateLimit[]>(before);
  const set = (i: number, patch: Partial<RateLimit>) => setLimits(limits.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  const count = (value: string) => (value === "" ? undefined : Number(value));
  return (
    <form
      aria-label="Edit limits"
      onSubmit={(ev) => {
        ev.preventDefault();
        if (!limits.length && !before.length) return onDone();
        save.mutate({ endpointId: e.endpoint_id, limits }, { onSuccess: onDone });
      }}
    >
      {limits.map((l, i) => (
        <p key={i}>
          <select aria-label={`Scope of limit ${i + 1}`} value={l.scope} onChange={(ev) => set(i, { scope: ev.target.value as RateLimit["scope"] })}>
            {SCOPES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>{" "}
          <label>
            Requests per minute{" "}
            <input
              type="number"
              min={1}
              step={1}
              aria-label={`Requests per minute of limit ${i + 1}`}
              value={l.requests_per_minute ?? ""}
              onChange={(ev) => set(i, { requests_per_minute: count(ev.target.value) })}
            />
          </label>{" "}
          <label>
            Tokens per minute{" "}
            <input
              type="number"
              min={1}
              step={1}
              aria-label={`Tokens per minute of limit ${i + 1}`}
              value={l.tokens_per_minute ?? ""}
              onChange={(ev) => set(i, { tokens_per_minute: count(ev.target.value) })}
            />
          </label>{" "}
          <button type="button" onClick={() => setLimits(limits.filter((_, j) => j !== i))}>
            Remove limit {i + 1}
          </button>
        </p>
      ))}
      <button type="button" onClick={() => setLimits([...limits, { scope: "endpoint" }])}>
        Add limit
      </button>{" "}
      <button type="submit" disabled={save.isPending}>
        {save.isPending ? "Saving…" : "Save limits"}
      </button>{" "}
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      <ErrorBanner error={save.error} />
    </form>
  );
}

/** Rename the endpoint (the page moves to its new name) or delete it (after a confirmation). */
export function EndpointSettings({ e }: { e: GatewayEndpoint }) {
  const rename = useUpdateEndpoint();
  const remove = useDeleteEndpoint();
  const navigate = useNavigate();
  const [name, setName] = useState(e.name);
  return (
    <>
      <form
        aria-label="Rename endpoint"
        onSubmit={(ev) => {
          ev.preventDefault();
          rename.mutate(
            { endpointId: e.endpoint_id, update: { name } },
            { onSuccess: (made) => navigate(gatewayPath.endpoint(made.name), { replace: true }) },
          );
        }}
      >
        <label>
          Endpoint name <input value={name} onChange={(ev) => setName(ev.target.value)} />
        </label>{" "}
        <button type="submit" disabled={rename.isPending || !name || name === e.name}>
          Rename
        </button>
        <ErrorBanner error={rename.error} />
      </form>
      <p>
        <button
          type="button"
          className="danger"
          disabled={remove.isPending}
          onClick={() => {
            if (window.confirm(`Delete endpoint ${e.name}? Callers of it will get 404s.`)) {
              remove.mutate(e.endpoint_id, { onSuccess: () => navigate(gatewayPath.endpoints()) });
            }
          }}
        >
          Delete endpoint
        </button>
      </p>
      <ErrorBanner error={remove.error} />
    </>
  );
}
