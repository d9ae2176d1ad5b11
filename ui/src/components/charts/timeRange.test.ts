import { describe, expect, it } from "vitest";
import { fromLocalInput, resolveRange, roundNow, toLocalInput } from "./timeRange";

const NOW = Date.UTC(2026, 0, 15, 12, 30, 15);
const END = Date.UTC(2026, 0, 15, 12, 31, 0);

describe("resolveRange", () => {
  it("defaults to the last 24 hours, ending at the next minute", () => {
    const r = resolveRange(new URLSearchParams(), NOW);
    expect(r).toEqual({ key: "24h", startMs: END - 24 * 3_600_000, endMs: END });
  });

  it("reads presets from ?range=", () => {
    expect(resolveRange(new URLSearchParams("range=1h"), NOW).startMs).toBe(END - 3_600_000);
    expect(resolveRange(new URLSearchParams("range=30d"), NOW).startMs).toBe(END - 30 * 24 * 3_600_000);
  });

  it("falls back to 24 hours for an unknown preset", () => {
    expect(resolveRange(new URLSearchParams("range=1y"), NOW).key).toBe("24h");
  });

  it("uses a valid custom range as given", () => {
    const r = resolveRange(new URLSearchParams("range=custom&from=1000&to=5000"), NOW);
    expect(r).toEqual({ key: "custom", startMs: 1000, endMs: 5000 });
  });

  it("explains an unusable custom range and shows the default meanwhile", () => {
    const reversed = resolveRange(new URLSearchParams("range=custom&from=5000&to=1000"), NOW);
    expect(reversed.error).toMatch(/end after/);
    expect(reversed.endMs - reversed.startMs).toBe(24 * 3_600_000);
    expect(resolveRange(new URLSearchParams("range=custom&from=abc&to=1"), NOW).error).toBeTruthy();
    expect(resolveRange(new URLSearchParams("range=custom"), NOW).error).toBeTruthy();
  });
});

describe("time helpers", () => {
  it("rounds now up to a whole minute and keeps whole minutes", () => {
    expect(roundNow(NOW)).toBe(END);
    expect(roundNow(END)).toBe(END);
  });

  it("round-trips datetime-local values", () => {
    const ms = new Date(2026, 4, 2, 7, 5).getTime();
    expect(toLocalInput(ms)).toBe("2026-05-02T07:05");
    expect(fromLocalInput("2026-05-02T07:05")).toBe(ms);
    expect(fromLocalInput("")).toBeNaN();
  });
});
