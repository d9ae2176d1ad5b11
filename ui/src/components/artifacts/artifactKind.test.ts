import { describe, expect, it } from "vitest";
import { artifactKind } from "./artifactKind";

describe("artifactKind", () => {
  it("never renders markup: HTML and SVG are shown as text", () => {
    expect(artifactKind("report/index.html")).toBe("text");
    expect(artifactKind("plot.svg")).toBe("text");
  });
  it("knows images, tables, JSON and binaries", () => {
    expect(artifactKind("a/b/plot.PNG")).toBe("image");
    expect(artifactKind("data.csv")).toBe("csv");
    expect(artifactKind("data.tsv")).toBe("tsv");
    expect(artifactKind("metrics.json")).toBe("json");
    expect(artifactKind("model/MLmodel")).toBe("text");
    expect(artifactKind("model.pkl")).toBe("none");
  });
});
