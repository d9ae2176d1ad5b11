import { RangePicker } from "@ardea/components/charts/RangePicker";
import type { UsageQuery } from "@ardea/api/queries/gateway";
import { GatewayNav } from "./GatewayNav";
import { UsagePanel } from "./UsagePanel";
import { bucketFor } from "./usageSeries";
import { useRange } from "./useRange";

const GROUPS: UsageQuery["groupBy"][] = ["endpoint", "key", "user", "model"];

/** Usage and cost over time, by endpoint, key, user or model (`?by=`), over the URL's range. */
export default function UsagePage() {
  const { range, setRange, params, setParams } = useRange();
  const by = (GROUPS as string[]).includes(params.get("by") ?? "") ? (params.get("by") as UsageQuery["groupBy"]) : "endpoint";
  return (
    <div className="gateway-page">
      <GatewayNav title="Gateway usage" />
      <div className="toolbar">
        <RangePicker range={range} onChange={setRange} />
        <label>
          Split by{" "}
          <select
            aria-label="Split by"
            value={by}
            onChange={(e) => {
              const next = new URLSearchParams(params);
              next.set("by", e.target.value);
              setParams(next);
            }}
          >
            {GROUPS.map((g) => (
              <option key={g}>{g}</option>
            ))}
          </select>
        </label>
      </div>
      {range.error ? <p className="error-banner">{range.error}</p> : null}
      <UsagePanel query={{ start: range.startMs, end: range.endMs, groupBy: by, bucket: bucketFor(range.startMs, range.endMs) }} />
    </div>
  );
}
