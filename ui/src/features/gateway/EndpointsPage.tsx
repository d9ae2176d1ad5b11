import { useState } from "react";
import { Link } from "react-router";
import { useCreateEndpoint, useGatewayEndpoints, type GatewayEndpoint, type NewEndpoint } from "@ardea/api/queries/gateway";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { gatewayPath } from "@ardea/lib/paths";
import { GatewayNav } from "./GatewayNav";
import { UsagePanel } from "./UsagePanel";

const DAY = 86_400_000;

/** The models of an endpoint as one line ("openai/gpt-4.1-mini 80%, anthropic/... 20%"). */
export function modelsText(e: GatewayEndpoint): string {
  const primary = e.model_mappings.filter((m) => m.linkage_type !== "FALLBACK");
  const total = primary.reduce((s, m) => s + (m.weight || 0), 0) || 1;
  const parts = primary.map((m) => {
    const name = `${m.model_definition.provider}/${m.model_definition.model_name}`;
    return primary.length > 1 ? `${name} ${Math.round((m.weight / total) * 100)}%` : name;
  });
  const fallbacks = e.model_mappings.length - primary.length;
  return parts.join(", ") + (fallbacks ? ` (+${fallbacks} fallback)` : "");
}

function NewEndpointForm({ onDone }: { onDone: () => void }) {
  const create = useCreateEndpoint();
  const [form, setForm] = useState<NewEndpoint>({
    name: "",
    provider: "openai",
    modelName: "",
    apiKey: "",
    apiBase: "",
    usageTracking: true,
  });
  const set = (patch: Partial<NewEndpoint>) => setForm({ ...form, ...patch });
  return (
    <form
      className="gateway-form"
      aria-label="New endpoint"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(form, { onSuccess: onDone });
      }}
    >
      <label>
        Name <input required value={form.name} onChange={(e) => set({ name: e.target.value })} />
      </label>
      <label>
        Provider{" "}
        <select value={form.provider} onChange={(e) => set({ provider: e.target.value })}>
          {["openai", "anthropic", "gemini", "mistral", "azure_openai", "bedrock"].map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      <label>
        Model <input required value={form.modelName} onChange={(e) => set({ modelName: e.target.value })} />
      </label>
      <label>
        API key <input required type="password" autoComplete="off" value={form.apiKey} onChange={(e) => set({ apiKey: e.target.value })} />
      </label>
      <label>
        API base URL <input placeholder="the provider's default" value={form.apiBase} onChange={(e) => set({ apiBase: e.target.value })} />
      </label>
      <label>
        <input type="checkbox" checked={form.usageTracking} onChange={(e) => set({ usageTracking: e.target.checked })} /> Record traces and usage
      </label>
      <button type="submit" disabled={create.isPending}>
        {create.isPending ? "Creating…" : "Create endpoint"}
      </button>
      <ErrorBanner error={create.error} />
    </form>
  );
}

/** The gateway's endpoints: their models, routing, and the last day's usage by endpoint. */
export default function EndpointsPage() {
  const endpoints = useGatewayEndpoints();
  const [adding, setAdding] = useState(false);
  const [end] = useState(() => Math.ceil(Date.now() / 60_000) * 60_000);
  return (
    <div className="gateway-page">
      <GatewayNav title="AI gateway" />
      <div className="toolbar">
        <button type="button" onClick={() => setAdding(!adding)} aria-expanded={adding}>
          {adding ? "Cancel" : "New endpoint"}
        </button>
      </div>
      {adding ? <NewEndpointForm onDone={() => setAdding(false)} /> : null}
      <ErrorBanner error={endpoints.error} />
      {endpoints.data ? (
        endpoints.data.length ? (
          <table className="plain" aria-label="Endpoints">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Models</th>
                <th>Routing</th>
                <th>Tracking</th>
              </tr>
            </thead>
            <tbody>
              {endpoints.data.map((e) => (
                <tr key={e.endpoint_id} data-endpoint={e.name}>
                  <td>
                    <Link to={gatewayPath.endpoint(e.name)}>{e.name}</Link>
                  </td>
                  <td>{e.endpoint_type ?? "llm/v1/chat"}</td>
                  <td>{modelsText(e)}</td>
                  <td>{e.routing_strategy ?? "—"}</td>
                  <td>{e.usage_tracking ? "on" : "off"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">No endpoints yet in this workspace.</p>
        )
      ) : endpoints.isLoading ? (
        <p className="muted">Loading…</p>
      ) : null}
      <h2>Last 24 hours</h2>
      <UsagePanel query={{ start: end - DAY, end, groupBy: "endpoint", bucket: "hour" }} />
    </div>
  );
}
