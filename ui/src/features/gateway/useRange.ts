// The gateway pages' time range, in the URL as the experiment overview keeps it
// (`?range=1h|24h|7d|30d` or `?range=custom&from=&to=`).
import { useState } from "react";
import { useSearchParams } from "react-router";
import { resolveRange, type RangeKey } from "@ardea/components/charts/timeRange";

/** The URL's range (resolved against "now", taken again when a range is picked) and its setter. */
export function useRange() {
  const [params, setParams] = useSearchParams();
  const [now, setNow] = useState(() => Date.now());
  const range = resolveRange(params, now);
  const setRange = (key: RangeKey, custom?: { from: number; to: number }) => {
    const next = new URLSearchParams(params);
    next.set("range", key);
    if (custom) {
      next.set("from", String(custom.from));
      next.set("to", String(custom.to));
    } else {
      next.delete("from");
      next.delete("to");
    }
    setNow(Date.now());
    setParams(next);
  };
  return { range, setRange, params, setParams };
}
