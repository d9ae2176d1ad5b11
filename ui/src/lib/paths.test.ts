import { matchPath } from "react-router";
import { describe, expect, it } from "vitest";
import * as paths from "./paths";

const { ROUTES } = paths;

describe("login paths", () => {
  it("come back only to this app's own paths", () => {
    expect(paths.safeNextPath("/experiments/3?x=1")).toBe("/experiments/3?x=1");
    expect(paths.safeNextPath("//evil.example/x")).toBe("/");
    expect(paths.safeNextPath("/\\evil.example")).toBe("/");
    expect(paths.safeNextPath("https://evil.example/")).toBe("/");
    expect(paths.safeNextPath("/login?next=/x")).toBe("/");
    expect(paths.safeNextPath(null)).toBe("/");
    expect(paths.loginPath("/models/m")).toBe("/login?next=%2Fmodels%2Fm");
    expect(paths.loginPath("/")).toBe("/login");
    expect(paths.loginPath()).toBe("/login");
  });
});

describe("path builders", () => {
  it("fill the route patterns, URL-encoding every parameter", () => {
    expect(paths.experimentsPath()).toBe("/");
    expect(paths.runsPath("3")).toBe("/experiments/3");
    expect(paths.runPath("3", "a/b c")).toBe("/experiments/3/runs/a%2Fb%20c");
    expect(paths.comparePath("3", ["r1", "r2"])).toBe("/experiments/3/compare?sel=r1&sel=r2");
    expect(paths.tracePath("3", "tr-1")).toBe("/experiments/3/traces/tr-1");
    expect(paths.sessionPath("3", "s?1")).toBe("/experiments/3/sessions/s%3F1");
    expect(paths.overviewPath("3", { range: "24h" })).toBe("/experiments/3/overview?range=24h");
    expect(paths.judgesPath("3")).toBe("/experiments/3/judges");
    expect(paths.reviewPath.queues("3")).toBe("/experiments/3/review");
    expect(paths.issuesPath("3")).toBe("/experiments/3/issues");
    expect(paths.reviewPath.queue("3", "q/1")).toBe("/experiments/3/review/q%2F1");
    expect(paths.reviewPath.work("3", "q1", { item: "i1" })).toBe("/experiments/3/review/q1/work?item=i1");
    expect(paths.judgeBuilderPath("3", { name: "a b", version: "2" })).toBe("/experiments/3/judges/builder?name=a+b&version=2");
    expect(paths.modelPath("m#1")).toBe("/models/m%231");
    expect(paths.modelVersionPath("m 1", "3")).toBe("/models/m%201/versions/3");
    expect(paths.loggedModelsPath("3")).toBe("/experiments/3/models");
    expect(paths.loggedModelPath("3", "m-1", { artifact: "MLmodel" })).toBe("/experiments/3/models/m-1?artifact=MLmodel");
    expect(paths.promptPath("qa", "2")).toBe("/prompts/qa?v=2");
    expect(paths.promptPath("qa")).toBe("/prompts/qa");
    expect(paths.evaluationsPath("3")).toBe("/experiments/3/evaluations");
    expect(paths.evaluationPath("3", "r1", { failed: "correct" })).toBe("/experiments/3/evaluations/r1?failed=correct");
    expect(paths.evaluationComparePath("3", "r1", "r2")).toBe("/experiments/3/evaluations/compare?a=r1&b=r2");
    expect(paths.datasetsPath({ experiment: "3" })).toBe("/datasets?experiment=3");
    expect(paths.datasetPath("d-1")).toBe("/datasets/d-1");
    expect(paths.runsPath("3", new URLSearchParams([["sel", "a"], ["sel", "b"]]))).toBe("/experiments/3?sel=a&sel=b");
  });

  it("build URLs their own route matches, with the parameters back", () => {
    const cases: [string, string, Record<string, string>][] = [
      [ROUTES.run, paths.runPath("1", "r 1"), { experimentId: "1", runId: "r 1" }],
      [ROUTES.trace, paths.tracePath("1", "tr-9"), { experimentId: "1", traceId: "tr-9" }],
      [ROUTES.session, paths.sessionPath("1", "s/1"), { experimentId: "1", sessionId: "s/1" }],
      [ROUTES.sessions, paths.sessionsPath("1"), { experimentId: "1" }],
      [ROUTES.traces, paths.tracesPath("1"), { experimentId: "1" }],
      [ROUTES.prompt, paths.promptPath("p q"), { name: "p q" }],
      [ROUTES.loggedModel, paths.loggedModelPath("1", "m-a"), { experimentId: "1", modelId: "m-a" }],
      [ROUTES.modelVersion, paths.modelVersionPath("a/b", "2"), { name: "a/b", version: "2" }],
    ];
    for (const [pattern, url, params] of cases) {
      const matched = Object.entries(matchPath(pattern, url)?.params ?? {}).map(([k, v]) => [k, decodeURIComponent(v ?? "")]);
      expect(Object.fromEntries(matched)).toEqual(params);
    }
  });
});

// Every module of the app (tests aside) as text, to find routes spelled outside paths.ts.
const sources = import.meta.glob<string>(["../**/*.{ts,tsx}", "!../**/*.test.{ts,tsx}", "!../api/__generated__/**"], {
  query: "?raw",
  import: "default",
  eager: true,
});
const ROUTE_LITERAL = /["'`]\/(experiments|models|prompts)\b|\b(to|path)=["']\/["']|navigate\(["'`]\//;

describe("route strings", () => {
  it("are spelled only in lib/paths.ts", () => {
    const files = Object.keys(sources);
    expect(files.length).toBeGreaterThan(50);
    const offenders = files
      .filter((file) => file !== "./paths.ts")
      .flatMap((file) =>
        sources[file]!.split("\n")
          .map((line, i) => [`${file}:${i + 1}`, line] as const)
          .filter(([, line]) => ROUTE_LITERAL.test(line))
          .map(([where, line]) => `${where}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });
});
