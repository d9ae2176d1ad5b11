import { describe, expect, it } from "vitest";
import { keyValueSummary, loggedModelStatus } from "./modelStatus";

describe("loggedModelStatus", () => {
  it("names MLflow's statuses", () => {
    expect(loggedModelStatus("LOGGED_MODEL_READY")).toEqual({ label: "Ready", className: "status-FINISHED" });
    expect(loggedModelStatus("LOGGED_MODEL_UPLOAD_FAILED").label).toBe("Upload failed");
    expect(loggedModelStatus(undefined).label).toBe("Unknown");
  });
});

describe("keyValueSummary", () => {
  it("lists the first keys by name and counts the rest, the last value of a repeated key", () => {
    const items = [
      { key: "loss", value: 0.5 },
      { key: "acc", value: 0.9 },
      { key: "loss", value: 0.25 },
      { key: "f1", value: 0.8 },
      { key: "zz", value: 1 },
    ];
    expect(keyValueSummary(items, 3)).toBe("acc 0.9 · f1 0.8 · loss 0.25 · +1 more");
    expect(keyValueSummary([], 3)).toBe("");
    expect(keyValueSummary([{ key: "C", value: "1.0" }])).toBe("C 1.0");
  });
});
