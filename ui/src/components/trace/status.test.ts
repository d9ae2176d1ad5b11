import { describe, expect, it } from "vitest";
import { spanStatusView, traceStateView } from "./status";

describe("status badges", () => {
  it("shows an unset span status as neutral, not as an error or unknown", () => {
    for (const code of ["STATUS_CODE_UNSET", "UNSET", "", undefined, "STATUS_CODE_SOMETHING"]) {
      expect(spanStatusView(code)).toMatchObject({ label: "unset", tone: "neutral" });
    }
  });
  it("colors OK and ERROR spans", () => {
    expect(spanStatusView("STATUS_CODE_OK")).toMatchObject({ label: "OK", tone: "ok" });
    expect(spanStatusView("STATUS_CODE_ERROR")).toMatchObject({ label: "ERROR", tone: "error" });
    expect(spanStatusView("ok").tone).toBe("ok");
  });
  it("maps trace states, an unspecified one as a neutral dash", () => {
    expect(traceStateView("OK").tone).toBe("ok");
    expect(traceStateView("ERROR").tone).toBe("error");
    expect(traceStateView("IN_PROGRESS")).toMatchObject({ label: "in progress", tone: "warn" });
    expect(traceStateView("STATE_UNSPECIFIED")).toMatchObject({ label: "—", tone: "neutral" });
    expect(traceStateView(undefined).label).toBe("—");
  });
});
