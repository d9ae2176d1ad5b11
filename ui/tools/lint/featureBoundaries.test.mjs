// @vitest-environment node
// The lint rule that keeps features apart covers every folder under src/features/, including
// one that does not exist yet: the real .oxlintrc.json lints a brand-new feature folder (in a
// scratch copy of the tree) whose imports reach into other features.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const UI = fileURLToPath(new URL("../../", import.meta.url));
const CONFIG = join(UI, ".oxlintrc.json");
const OXLINT = join(UI, "node_modules", ".bin", "oxlint");
const scratch = mkdtempSync(join(tmpdir(), "ardea-lint-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Lint `files` (path -> source, under src/) with the project's config; the diagnostics. */
function lint(files) {
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(join(scratch, path, ".."), { recursive: true });
    writeFileSync(join(scratch, path), source);
  }
  writeFileSync(join(scratch, ".oxlintrc.json"), readFileSync(CONFIG));
  const run = spawnSync(OXLINT, ["-c", ".oxlintrc.json", "--format", "json", ...Object.keys(files)], {
    cwd: scratch,
    encoding: "utf8",
  });
  expect(run.error).toBeUndefined();
  return JSON.parse(run.stdout).diagnostics;
}

const feature = `brand-new-${Date.now().toString(36)}`;

describe("features never import each other", () => {
  it("holds for a feature folder the config has never heard of", () => {
    const found = lint({
      [`src/features/${feature}/Page.tsx`]: [
        'import { RunsTable } from "../runs/RunsTable";',
        'import { ExperimentsPage } from "../experiments";',
        'import * as traces from "@ardea/features/traces";',
        'import { runRows } from "@ardea/features/runs/runRows";',
        'const Lazy = import("../overview/OverviewPage");',
        "export { RunsTable, ExperimentsPage, traces, runRows, Lazy };",
        "",
      ].join("\n"),
    });
    expect(found.map((d) => [d.code, d.labels[0].span.line])).toEqual([
      ["eslint(no-restricted-imports)", 1],
      ["eslint(no-restricted-imports)", 2],
      ["eslint(no-restricted-imports)", 3],
      ["eslint(no-restricted-imports)", 4],
      ["eslint(no-restricted-imports)", 5],
    ]);
  });

  it("lets a feature import its own files and the shared layers", () => {
    const found = lint({
      [`src/features/${feature}/Ok.tsx`]: [
        'import { local } from "./local";',
        'import { useRun } from "@ardea/api/queries/runs";',
        'import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";',
        'import { runPath } from "@ardea/lib/paths";',
        "export { local, useRun, ErrorBanner, runPath };",
        "",
      ].join("\n"),
    });
    expect(found).toEqual([]);
  });

  it("keeps components/ui below api and features (its override is not shadowed by components/**)", () => {
    const found = lint({
      "src/components/ui/Probe.tsx": [
        'import type { Run } from "@ardea/api/types";',
        'import { RunsTable } from "@ardea/features/runs";',
        'import { formatTime } from "@ardea/lib/format";',
        "export type { Run };",
        "export { RunsTable, formatTime };",
        "",
      ].join("\n"),
    });
    expect(found.map((d) => d.labels[0].span.line)).toEqual([1, 2]);
  });

  it("is one rule for all of src/features/, with no list of feature folders", () => {
    const config = JSON.parse(readFileSync(CONFIG, "utf8"));
    const globs = config.overrides.flatMap((o) => o.files).filter((g) => g.startsWith("src/features/"));
    expect(globs).toEqual(["src/features/**"]);
  });
});
