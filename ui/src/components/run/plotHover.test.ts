import { describe, expect, it } from "vitest";
import { cursorLines, formatValue, nearestPoint, nearestPolyline, segmentDistance, tooltipAnchor } from "./plotHover";

describe("segmentDistance", () => {
  it("measures to the segment, clamped at its ends", () => {
    expect(segmentDistance({ x: 5, y: 3 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(3);
    expect(segmentDistance({ x: -3, y: 4 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(5);
    expect(segmentDistance({ x: 3, y: 4 }, { x: 0, y: 0 }, { x: 0, y: 0 })).toBe(5);
  });
});

describe("nearestPoint", () => {
  const pts = [{ x: 10, y: 10 }, null, { x: 20, y: 10 }];
  it("finds the closest point within the radius", () => {
    expect(nearestPoint(pts, { x: 12, y: 11 }, 6)).toBe(0);
    expect(nearestPoint(pts, { x: 17, y: 10 }, 6)).toBe(2);
  });
  it("returns null when nothing is close enough", () => {
    expect(nearestPoint(pts, { x: 15, y: 40 }, 6)).toBeNull();
    expect(nearestPoint([], { x: 0, y: 0 }, 6)).toBeNull();
  });
});

describe("nearestPolyline", () => {
  const lines = [
    [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 200, y: 0 }],
    [{ x: 0, y: 50 }, null, { x: 200, y: 50 }],
    [{ x: 0, y: 100 }, { x: 100, y: 100 }, null],
  ];
  it("picks the line whose segments pass closest", () => {
    expect(nearestPolyline(lines, { x: 50, y: 3 }, 8)).toBe(0);
    expect(nearestPolyline(lines, { x: 150, y: 97 }, 8)).toBeNull();
    expect(nearestPolyline(lines, { x: 50, y: 96 }, 8)).toBe(2);
  });
  it("does not bridge a break, but a lone vertex still counts", () => {
    expect(nearestPolyline(lines, { x: 100, y: 50 }, 8)).toBeNull();
    expect(nearestPolyline(lines, { x: 197, y: 52 }, 8)).toBe(1);
  });
});

describe("tooltip text and placement", () => {
  it("formats values", () => {
    expect(formatValue(undefined)).toBe("—");
    expect(formatValue("adam")).toBe("adam");
    expect(formatValue(0.123456789)).toBe(0.123457.toString());
    expect(formatValue(1e-7)).toBe("1.0000e-7");
    expect(formatValue(NaN)).toBe("NaN");
  });
  it("lists each run's value after the x value", () => {
    expect(cursorLines("step 5", [{ label: "a", value: 1.5 }, { label: "b", value: null }])).toEqual(["step 5", "a: 1.5", "b: —"]);
  });
  it("flips near the right and bottom edges", () => {
    expect(tooltipAnchor({ x: 10, y: 10 }, 400, 300)).toEqual({ left: 22, top: 22 });
    expect(tooltipAnchor({ x: 390, y: 290 }, 400, 300)).toEqual({ right: 22, bottom: 22 });
  });
});
