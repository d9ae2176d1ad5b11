// How a logged model's status reads: MLflow's enum names as short labels with a tone.
import type { LoggedModel } from "@ardea/api/types";

type Status = LoggedModel["info"]["status"];

/** A status as a label and the CSS status class that colours it. */
export function loggedModelStatus(status: Status | undefined): { label: string; className: string } {
  switch (status) {
    case "LOGGED_MODEL_READY":
      return { label: "Ready", className: "status-FINISHED" };
    case "LOGGED_MODEL_PENDING":
      return { label: "Pending", className: "status-RUNNING" };
    case "LOGGED_MODEL_UPLOAD_FAILED":
      return { label: "Upload failed", className: "status-FAILED" };
    default:
      return { label: "Unknown", className: "muted" };
  }
}

/**
 * A short "key value" summary of params or metrics: the first `n` by key, then "+k more". Metric
 * lists may repeat a key (one value per step or dataset): the last one listed counts.
 */
export function keyValueSummary(items: readonly { key: string; value?: string | number | null }[], n = 3, format: (v: string | number) => string = String): string {
  const byKey = new Map<string, string | number>();
  for (const it of items) if (it.value !== undefined && it.value !== null) byKey.set(it.key, it.value);
  const keys = [...byKey.keys()].sort((a, b) => a.localeCompare(b));
  const shown = keys.slice(0, n).map((k) => `${k} ${format(byKey.get(k)!)}`);
  return shown.join(" · ") + (keys.length > n ? ` · +${keys.length - n} more` : "");
}
