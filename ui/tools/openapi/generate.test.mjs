// @vitest-environment node
// The committed src/api/__generated__/schema.ts is what `npm run gen:api` makes of the
// committed docs/openapi.json: change a route or a response schema, regenerate both.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { OUTPUT, generateSchema } from "./generate.mjs";

describe("generated API types", () => {
  it("match docs/openapi.json (else run `npm run gen:api` and commit schema.ts)", async () => {
    const committed = await readFile(OUTPUT, "utf8");
    const fresh = await generateSchema();
    // One assertion on a boolean: a stale file should fail with the fix, not a 9,000-line diff.
    expect(committed === fresh, "src/api/__generated__/schema.ts is stale: run `cd ui && npm run gen:api`").toBe(true);
  });

  it("has the server's schemas", async () => {
    const text = await generateSchema();
    for (const name of ["Run", "TraceInfo", "OtelSpan", "TraceMetrics", "ErrorResponse"]) {
      expect(text).toContain(`        ${name}: {`);
    }
  });
});
