import { useState } from "react";
import { Link, useParams } from "react-router";
import { useGatewayEndpoint, type GatewayEndpoint } from "@ardea/api/queries/gateway";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { gatewayPath, tracesPath } from "@ardea/lib/paths";
import { PALETTE } from "@ardea/components/charts/chartSpec";
import { RangePicker } from "@ardea/components/charts/RangePicker";
import { EndpointSettings, LimitsEditor, ModelsEditor, limitsOf } from "./EndpointEditors";
import { GatewayNav } from "./GatewayNav";
import { UsagePanel } from "./UsagePanel";
import { bucketFor } from "./usageSeries";
import { useRange } from "./useRange";

/** The traffic split of an endpoint's primary models, as shares of 1 (by weight). */
export function splitOf(e: GatewayEndpoint): { label: string; share: number }[] {
  const primary = e.model_mappings.filter((m) => m.linkage_type !== "FALLBACK");
  const total = primary.reduce((s, m) => s + Math.max(m.weight || 0, 0), 0);
  return primary.map((m) => ({
    label: `${m.model_definition.provider}/${m.model_definition.model_name}`,
    share: total > 0 ? Math.max(m.weight || 0, 0) / total : 1 / primary.length,
  }));
}

function SplitBar({ e }: { e: GatewayEndpoint }) {
  const split = splitOf(e);
  if (!split.length) return <p className="muted">No models mapped.</p>;
  return (
    <div className="split-bar" role="img" aria-label={`Traffic split: ${split.map((s) => `${s.label} ${Math.round(s.share * 100)}%`).join(", ")}`}>
      {split.map((s, i) => (
        <span key={s.label + i} style={{ width: `${s.share * 100}%`, background: PALETTE[i % PALETTE.length] }} title={s.label}>
          {s.share >= 0.12 ? `${s.label} ${Math.round(s.share * 100)}%` : ""}
        </span>
      ))}
    </div>
  );
}

function Limits({ e }: { e: GatewayEndpoint }) {
  const o = e.options ?? {};
  const limits = limitsOf(e);
  return (
    <dl className="gateway-facts">
      <dt>Timeout</dt>
      <dd>{o.timeout_s ? `${o.timeout_s} s` : "default"}</dd>
      <dt>Response cache</dt>
      <dd>{o.cache_ttl_s ? `${o.cache_ttl_s} s` : "off"}</dd>
      <dt>Model override</dt>
      <dd>{o.allow_model_override ? "allowed" : "not allowed"}</dd>
      <dt>Fallback</dt>
      <dd>
        {e.fallback_config?.strategy ?? "none"}
        {e.fallback_config?.max_attempts ? `, at most ${e.fallback_config.max_attempts} attempts` : ""}
      </dd>
      <dt>Rate limits</dt>
      <dd>
        {limits.length
          ? limits
              .map((l) =>
                [l.requests_per_minute ? `${l.requests_per_minute} req/min` : "", l.tokens_per_minute ? `${l.tokens_per_minute} tokens/min` : ""]
                  .filter(Boolean)
                  .join(", ") + ` per ${l.scope ?? "endpoint"}`,
              )
              .join("; ")
          : "none"}
      </dd>
    </dl>
  );
}

/** One endpoint: its models, split, fallback order, limits, and usage charts. */
export default function EndpointPage() {
  const { name = "" } = useParams();
  const endpoint = useGatewayEndpoint(name);
  const { range, setRange } = useRange();
  const [editing, setEditing] = useState(false);
  const [editingLimits, setEditingLimits] = useState(false);
  const e = endpoint.data;
  const fallbacks = (e?.model_mappings ?? [])
    .filter((m) => m.fallback_order !== undefined && m.fallback_order !== null)
    .sort((a, b) => (a.fallback_order ?? 0) - (b.fallback_order ?? 0));
  return (
    <div className="gateway-page">
      <GatewayNav title={`Endpoint ${name}`} />
      <ErrorBanner error={endpoint.error} />
      {e ? (
        <>
          <p>
            {e.endpoint_type ?? "llm/v1/chat"} · routing {e.routing_strategy ?? "default"} ·{" "}
            {e.usage_tracking && e.experiment_id ? <Link to={tracesPath(e.experiment_id)}>request traces</Link> : "traces off"} ·{" "}
            <Link to={gatewayPath.playground({ endpoint: e.name })}>try it in the playground</Link>
          </p>
          <h2>Models</h2>
          <SplitBar e={e} />
          {editing ? (
            <ModelsEditor key={e.endpoint_id} e={e} onDone={() => setEditing(false)} />
          ) : (
            <button type="button" onClick={() => setEditing(true)}>
              Edit models
            </button>
          )}
          <table className="plain" aria-label="Model mappings">
            <thead>
              <tr>
                <th>Model</th>
                <th>Provider</th>
                <th>Definition</th>
                <th>Role</th>
                <th>Weight</th>
                <th>Fallback order</th>
              </tr>
            </thead>
            <tbody>
              {e.model_mappings.map((m) => (
                <tr key={m.mapping_id}>
                  <td>{m.model_definition.model_name}</td>
                  <td>{m.model_definition.provider}</td>
                  <td>{m.model_definition.name}</td>
                  <td>{m.linkage_type}</td>
                  <td>{m.weight}</td>
                  <td>{m.fallback_order ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {fallbacks.length ? (
            <p>
              Fallback order:{" "}
              {fallbacks.map((m) => `${m.model_definition.provider}/${m.model_definition.model_name}`).join(" → ")}
            </p>
          ) : null}
          <h2>Limits and options</h2>
          <Limits e={e} />
          {editingLimits ? (
            <LimitsEditor e={e} onDone={() => setEditingLimits(false)} />
          ) : (
            <button type="button" onClick={() => setEditingLimits(true)}>
              Edit limits
            </button>
          )}
          <h2>Settings</h2>
          <EndpointSettings key={e.endpoint_id + e.name} e={e} />
          <h2>Usage</h2>
          <RangePicker range={range} onChange={setRange} />
          {range.error ? <p className="error-banner">{range.error}</p> : null}
          <UsagePanel
            query={{ start: range.startMs, end: range.endMs, groupBy: "model", bucket: bucketFor(range.startMs, range.endMs), endpoint: e.name }}
          />
        </>
      ) : endpoint.isLoading ? (
        <p className="muted">Loading…</p>
      ) : null}
    </div>
  );
}
