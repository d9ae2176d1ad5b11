import { RangePicker } from "@ardea/components/charts/RangePicker";
import { GatewayNav } from "./GatewayNav";
import { UsagePanel } from "./UsagePanel";
import { bucketFor } from "./usageSeries";
import { useRange } from "./useRange";

/**
 * The virtual keys that called the gateway, with their requests, tokens and cost over the
 * range. Keys are API tokens; they appear by token id, as the request traces record them
 * ("(none)": calls without a key, e.g. a server without --auth).
 */
export default function KeysPage() {
  const { range, setRange } = useRange();
  return (
    <div className="gateway-page">
      <GatewayNav title="Gateway keys" />
      <p className="muted">
        Keys are API tokens (Settings → API tokens); each appears here by its token id once it has called an endpoint.
      </p>
      <RangePicker range={range} onChange={setRange} />
      {range.error ? <p className="error-banner">{range.error}</p> : null}
      <UsagePanel query={{ start: range.startMs, end: range.endMs, groupBy: "key", bucket: bucketFor(range.startMs, range.endMs) }} />
    </div>
  );
}
