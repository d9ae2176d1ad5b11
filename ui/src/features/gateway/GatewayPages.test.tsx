import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import BudgetsPage from "./BudgetsPage";
import EndpointPage, { splitOf } from "./EndpointPage";
import EndpointsPage from "./EndpointsPage";
import KeysPage from "./KeysPage";
import PlaygroundPage from "./PlaygroundPage";

// The canvas chart is uPlot's business; here a stand-in shows which charts were asked for.
vi.mock("@ardea/components/charts/TimeChart", () => ({
  default: ({ spec }: { spec: { id: string; series: { label: string }[] } }) => (
    <div data-testid={`chart-${spec.id}`}>{spec.series.map((s) => s.label).join(",")}</div>
  ),
}));

afterEach(() => vi.unstubAllGlobals());

const definition = (provider: string, model: string) => ({
  model_definition_id: `d-${model}`,
  name: model,
  provider,
  model_name: model,
});
const endpoint = {
  endpoint_id: "e-1",
  name: "chat",
  endpoint_type: "llm/v1/chat",
  experiment_id: "7",
  usage_tracking: true,
  routing_strategy: "REQUEST_BASED_TRAFFIC_SPLIT",
  fallback_config: { strategy: "SEQUENTIAL", max_attempts: 2 },
  options: { timeout_s: 30, limits: [{ scope: "key", requests_per_minute: 60 }] },
  model_mappings: [
    { mapping_id: "m1", model_definition_id: "d-a", model_definition: definition("openai", "gpt-4.1-mini"), weight: 3, linkage_type: "PRIMARY" },
    { mapping_id: "m2", model_definition_id: "d-b", model_definition: definition("anthropic", "claude"), weight: 1, linkage_type: "PRIMARY" },
    {
      mapping_id: "m3",
      model_definition_id: "d-c",
      model_definition: definition("gemini", "flash"),
      weight: 0,
      linkage_type: "FALLBACK",
      fallback_order: 1,
    },
  ],
};
const measures = (requests: number) => ({
  requests,
  errors: 0,
  input_tokens: 10,
  output_tokens: 5,
  cost_usd: 0.25,
  unpriced: 0,
  latency_ms_avg: 40,
  cache_hits: 0,
  fallbacks: 0,
});
const usage = (group: string, requests: number) => ({
  start_ms: 0,
  end_ms: 60_000,
  bucket: "minute",
  bucket_ms: 60_000,
  group_by: "endpoint",
  groups: requests ? [{ group, points: [{ start_ms: 0, ...measures(requests) }], totals: measures(requests) }] : [],
  totals: measures(requests),
});

describe("splitOf", () => {
  it("shares the traffic among the primary models by weight", () => {
    expect(splitOf(endpoint)).toEqual([
      { label: "openai/gpt-4.1-mini", share: 0.75 },
      { label: "anthropic/claude", share: 0.25 },
    ]);
  });
});

describe("EndpointsPage", () => {
  it("lists the endpoints with their models and the day's usage, and creates one in three calls", async () => {
    const calls = fakeFetch({
      "GET /ajax-api/3.0/mlflow/gateway/endpoints/list": () => ({ json: { endpoints: [endpoint] } }),
      "GET /ajax-api/3.0/ardea/gateway/usage": (_b, url) => {
        expect(url.searchParams.get("group_by")).toBe("endpoint");
        return { json: usage("chat", 4) };
      },
      "POST /ajax-api/3.0/mlflow/gateway/secrets/create": () => ({ json: { secret: { secret_id: "s-1" } } }),
      "POST /ajax-api/3.0/mlflow/gateway/model-definitions/create": () => ({ json: { model_definition: definition("openai", "m") } }),
      "POST /ajax-api/3.0/mlflow/gateway/endpoints/create": () => ({ json: { endpoint: { ...endpoint, name: "new" } } }),
    });
    renderAt(<EndpointsPage />, "/gateway", "/gateway");
    const table = await screen.findByRole("table", { name: "Endpoints" });
    const row = table.querySelector("tr[data-endpoint='chat']") as HTMLElement;
    expect(row).toHaveTextContent("openai/gpt-4.1-mini 75%, anthropic/claude 25% (+1 fallback)");
    expect(within(row).getByRole("link", { name: "chat" })).toHaveAttribute("href", "/gateway/endpoints/chat");
    const totals = await screen.findByRole("table", { name: "Usage totals" });
    expect(totals.querySelector("tr[data-group='chat'] td[data-col='requests']")).toHaveTextContent("4");
    expect(totals.querySelector("tr[data-group='chat'] td[data-col='cost']")).toHaveTextContent("$0.25");

    await userEvent.click(screen.getByRole("button", { name: "New endpoint" }));
    const form = screen.getByRole("form", { name: "New endpoint" });
    await userEvent.type(within(form).getByLabelText("Name"), "new");
    await userEvent.type(within(form).getByLabelText("Model"), "m");
    await userEvent.type(within(form).getByLabelText("API key"), "sk-1");
    await userEvent.click(within(form).getByRole("button", { name: "Create endpoint" }));
    await vi.waitFor(() => expect(calls.map((c) => c.key)).toContain("POST /ajax-api/3.0/mlflow/gateway/endpoints/create"));
    const made = calls.find((c) => c.key.endsWith("endpoints/create"))!.body as Record<string, unknown>;
    expect(made).toEqual({ name: "new", model_configs: [{ model_definition_id: "d-m" }], usage_tracking: true });
    const secret = calls.find((c) => c.key.endsWith("secrets/create"))!.body as Record<string, unknown>;
    expect(secret).toMatchObject({ secret_value: { api_key: "sk-1" }, provider: "openai" });
  });
});

describe("EndpointPage", () => {
  it("shows the split bar, fallback order, limits, and usage by model for this endpoint", async () => {
    fakeFetch({
      "GET /ajax-api/3.0/mlflow/gateway/endpoints/get": () => ({ json: { endpoint } }),
      "GET /ajax-api/3.0/ardea/gateway/usage": (_b, url) => {
        expect(url.searchParams.get("endpoint")).toBe("chat");
        expect(url.searchParams.get("group_by")).toBe("model");
        return { json: usage("openai/gpt-4.1-mini", 2) };
      },
    });
    renderAt(<EndpointPage />, "/gateway/endpoints/:name", "/gateway/endpoints/chat");
    expect(await screen.findByRole("img", { name: "Traffic split: openai/gpt-4.1-mini 75%, anthropic/claude 25%" })).toBeInTheDocument();
    expect(screen.getByText("Fallback order: gemini/flash")).toBeInTheDocument();
    expect(screen.getByText("60 req/min per key")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "request traces" })).toHaveAttribute("href", "/experiments/7/traces");
    expect(await screen.findByTestId("chart-requests")).toHaveTextContent("openai/gpt-4.1-mini");
  });
});

describe("KeysPage", () => {
  const key = {
    id: 42,
    name: "team-a ci",
    prefix: "ardea_ab",
    kind: "pat",
    username: "alice",
    created: 1_700_000_000_000,
    allowed_models: ["chat"],
    metadata: { team: "a" },
  };

  it("lists the keys and their usage by name", async () => {
    fakeFetch({
      "GET /ajax-api/3.0/ardea/gateway/keys/list": () => ({ json: { keys: [key, { ...key, id: 43, name: "old", revoked: 1 }] } }),
      "GET /ajax-api/3.0/ardea/gateway/usage": (_b, url) => {
        expect(url.searchParams.get("group_by")).toBe("key");
        return { json: { ...usage("42", 5), group_by: "key" } };
      },
    });
    renderAt(<KeysPage />, "/gateway/keys", "/gateway/keys?range=1h");
    const keys = await screen.findByRole("table", { name: "Keys" });
    const row = keys.querySelector("tr[data-key='42']") as HTMLElement;
    expect(row).toHaveTextContent("team-a ci");
    expect(row).toHaveTextContent("team=a");
    expect(within(row).getByRole("button", { name: "Revoke" })).toBeInTheDocument();
    expect(keys.querySelector("tr[data-key='43']")).toHaveTextContent("revoked");
    const totals = await screen.findByRole("table", { name: "Usage totals" });
    expect(totals.querySelector("tr[data-group='42']")).toHaveTextContent("team-a ci (ardea_ab…)");
    expect(totals.querySelector("tfoot td[data-col='requests']")).toHaveTextContent("5");
  });

  it("creates a key with its scope and shows the secret once; revokes one", async () => {
    const calls = fakeFetch({
      "GET /ajax-api/3.0/ardea/gateway/keys/list": () => ({ json: { keys: [key] } }),
      "POST /ajax-api/3.0/ardea/gateway/keys/create": (body) => ({ json: { key: { ...key, id: 44, name: (body as { name: string }).name }, secret: "ardea_secret_once" } }),
      "POST /ajax-api/3.0/ardea/gateway/keys/revoke": () => ({ json: { key } }),
      "GET /ajax-api/3.0/ardea/gateway/usage": () => ({ json: { ...usage("42", 1), group_by: "key" } }),
    });
    renderAt(<KeysPage />, "/gateway/keys", "/gateway/keys?range=1h");
    const form = await screen.findByRole("form", { name: "New key" });
    await userEvent.type(within(form).getByLabelText(/^Name/), "batch");
    await userEvent.type(within(form).getByLabelText(/Allowed/), "chat, openai/gpt-4*");
    await userEvent.type(within(form).getByLabelText(/Team/), "ml");
    await userEvent.type(within(form).getByLabelText(/Expires/), "30");
    await userEvent.click(within(form).getByRole("button", { name: "Create key" }));
    expect(await screen.findByText("ardea_secret_once")).toBeInTheDocument();
    const created = calls.find((c) => c.key === "POST /ajax-api/3.0/ardea/gateway/keys/create");
    expect(created?.body).toEqual({ name: "batch", allowed_models: ["chat", "openai/gpt-4*"], metadata: { team: "ml" }, expires_in_days: 30 });
    await userEvent.click(await screen.findByRole("button", { name: "Revoke" }));
    expect(calls.find((c) => c.key === "POST /ajax-api/3.0/ardea/gateway/keys/revoke")?.body).toEqual({ key_id: 42 });
  });

  it("says keys need --auth when the server has none", async () => {
    fakeFetch({ "GET /ajax-api/3.0/ardea/gateway/usage": () => ({ json: { ...usage("", 2), group_by: "key" } }) });
    renderAt(<KeysPage />, "/gateway/keys", "/gateway/keys?range=1h");
    expect(await screen.findByText(/need a server started with --auth/)).toBeInTheDocument();
  });
});

describe("BudgetsPage", () => {
  it("shows each policy with its window's spend against the limit", async () => {
    fakeFetch({
      "GET /ajax-api/3.0/mlflow/gateway/budgets/list": () => ({
        json: {
          budget_policies: [
            {
              budget_policy_id: "bp-1",
              budget_unit: "USD",
              budget_amount: 10,
              duration: { unit: "DAYS", value: 1 },
              target_scope: "WORKSPACE",
              budget_action: "REJECT",
            },
            {
              budget_policy_id: "bp-2",
              budget_unit: "USD",
              budget_amount: 5,
              duration: { unit: "HOURS", value: 1 },
              target_scope: "USER",
              target_value: "bob",
              budget_action: "ALERT",
            },
          ],
        },
      }),
      "GET /ajax-api/3.0/mlflow/gateway/budgets/windows": () => ({
        json: { windows: [{ budget_policy_id: "bp-1", current_spend: 2.5, budget_amount: 10, window_end: 1_700_000_000_000 }] },
      }),
    });
    renderAt(<BudgetsPage />, "/gateway/budgets", "/gateway/budgets");
    const table = await screen.findByRole("table", { name: "Budgets" });
    const first = table.querySelector("tr[data-budget='bp-1']") as HTMLElement;
    expect(within(first).getByRole("progressbar", { name: "25% spent" })).toHaveAttribute("value", "0.25");
    expect(first).toHaveTextContent("$2.50 of $10.00 (25%)");
    expect(first).toHaveTextContent("reject requests");
    expect(table.querySelector("tr[data-budget='bp-2']")).toHaveTextContent("user bob");
    expect(table.querySelector("tr[data-budget='bp-2']")).toHaveTextContent("no spend reported");
  });
});

describe("PlaygroundPage", () => {
  it("streams the answer in, then shows usage, timings and the trace link", async () => {
    const frames = [
      'data: {"choices":[{"delta":{"content":"echo: "}}]}\n\n',
      'data: {"choices":[{"delta":{"content":"hi"}}]}\n\n',
      'data: {"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":2}}\n\ndata: [DONE]\n\n',
    ];
    const sent: unknown[] = [];
    const api = fakeFetch({
      "GET /ajax-api/3.0/mlflow/gateway/endpoints/list": () => ({ json: { endpoints: [endpoint] } }),
      "GET /ajax-api/3.0/ardea/gateway/usage": () => ({ json: usage("openai/gpt-4.1-mini", 1) }),
    });
    const apiFetchStub = globalThis.fetch;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: string, init?: RequestInit) => {
        if (!String(input).startsWith("/gateway/")) return apiFetchStub(input, init);
        sent.push(JSON.parse(String(init?.body)));
        const body = new ReadableStream({
          start(controller) {
            for (const f of frames) controller.enqueue(new TextEncoder().encode(f));
            controller.close();
          },
        });
        return new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream", "X-Ardea-Trace-Id": "tr-abc" } });
      }),
    );
    renderAt(<PlaygroundPage />, "/gateway/playground", "/gateway/playground");
    await screen.findByRole("option", { name: "chat" });
    await userEvent.type(screen.getByLabelText("User message"), "hi");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    await vi.waitFor(() => expect(screen.getByTestId("playground-answer")).toHaveTextContent("echo: hi"));
    await vi.waitFor(() => expect(screen.getByTestId("playground-usage")).toHaveTextContent("7 in / 2 out"));
    expect(screen.getByTestId("playground-ttft")).toHaveTextContent("ms");
    expect(screen.getByRole("link", { name: "tr-abc" })).toHaveAttribute("href", "/experiments/7/traces/tr-abc");
    expect(sent[0]).toMatchObject({
      model: "chat",
      stream: true,
      messages: [
        { role: "system", content: "You are a helpful assistant." },
        { role: "user", content: "hi" },
      ],
    });
    expect(api.some((c) => c.key === "GET /ajax-api/3.0/ardea/gateway/usage")).toBe(true);
  });
});

describe("EndpointPage editing", () => {
  it("saves new weights and roles as one update of the model configs", async () => {
    const calls = fakeFetch({
      "GET /ajax-api/3.0/mlflow/gateway/endpoints/get": () => ({ json: { endpoint } }),
      "GET /ajax-api/3.0/ardea/gateway/usage": () => ({ json: usage("", 0) }),
      "POST /ajax-api/3.0/mlflow/gateway/endpoints/update": () => ({ json: { endpoint } }),
    });
    renderAt(<EndpointPage />, "/gateway/endpoints/:name", "/gateway/endpoints/chat");
    await userEvent.click(await screen.findByRole("button", { name: "Edit models" }));
    const weight = screen.getByLabelText("Weight of anthropic/claude");
    await userEvent.clear(weight);
    await userEvent.type(weight, "3");
    await userEvent.selectOptions(screen.getByLabelText("Role of openai/gpt-4.1-mini"), "FALLBACK");
    await userEvent.type(screen.getByLabelText("Fallback order of openai/gpt-4.1-mini"), "2");
    await userEvent.click(screen.getByRole("button", { name: "Save models" }));
    await vi.waitFor(() => expect(calls.map((c) => c.key)).toContain("POST /ajax-api/3.0/mlflow/gateway/endpoints/update"));
    expect(calls.find((c) => c.key.endsWith("endpoints/update"))!.body).toEqual({
      endpoint_id: "e-1",
      model_configs: [
        { model_definition_id: "d-a", linkage_type: "FALLBACK", weight: 3, fallback_order: 2 },
        { model_definition_id: "d-b", linkage_type: "PRIMARY", weight: 3 },
        { model_definition_id: "d-c", linkage_type: "FALLBACK", weight: 0, fallback_order: 1 },
      ],
    });
    expect(await screen.findByRole("button", { name: "Edit models" })).toBeInTheDocument();
  });
});

describe("EndpointPage editors", () => {
  const routes = (extra: Record<string, Parameters<typeof fakeFetch>[0][string]>) =>
    fakeFetch({
      "GET /ajax-api/3.0/mlflow/gateway/endpoints/get": () => ({ json: { endpoint } }),
      "GET /ajax-api/3.0/ardea/gateway/usage": () => ({ json: usage("", 0) }),
      ...extra,
    });

  it("adds a model definition, removes one, and changes the most attempts", async () => {
    const calls = routes({
      "GET /ajax-api/3.0/mlflow/gateway/model-definitions/list": () => ({
        json: { model_definitions: [definition("openai", "a"), definition("openai", "gpt-4.1")] },
      }),
      "POST /ajax-api/3.0/mlflow/gateway/endpoints/update": () => ({ json: { endpoint } }),
    });
    renderAt(<EndpointPage />, "/gateway/endpoints/:name", "/gateway/endpoints/chat");
    await userEvent.click(await screen.findByRole("button", { name: "Edit models" }));
    const form = screen.getByRole("form", { name: "Edit models" });
    await userEvent.selectOptions(await within(form).findByLabelText("Model to add"), "d-gpt-4.1");
    await userEvent.click(within(form).getByRole("button", { name: "Add model" }));
    await userEvent.click(within(form).getByRole("button", { name: "Remove gemini/flash" }));
    const attempts = within(form).getByLabelText("Max attempts");
    await userEvent.clear(attempts);
    await userEvent.type(attempts, "3");
    await userEvent.click(within(form).getByRole("button", { name: "Save models" }));
    await vi.waitFor(() => expect(calls.some((c) => c.key.endsWith("endpoints/update"))).toBe(true));
    expect(calls.find((c) => c.key.endsWith("endpoints/update"))!.body).toEqual({
      endpoint_id: "e-1",
      model_configs: [
        { model_definition_id: "d-a", linkage_type: "PRIMARY", weight: 3 },
        { model_definition_id: "d-b", linkage_type: "PRIMARY", weight: 1 },
        { model_definition_id: "d-gpt-4.1", linkage_type: "PRIMARY", weight: 1 },
      ],
      fallback_config: { strategy: "SEQUENTIAL", max_attempts: 3 },
    });
  });

  it("saves the rate limits as the ardea.limits tag", async () => {
    const calls = routes({ "POST /ajax-api/3.0/mlflow/gateway/endpoints/set-tag": () => ({ json: {} }) });
    renderAt(<EndpointPage />, "/gateway/endpoints/:name", "/gateway/endpoints/chat");
    await userEvent.click(await screen.findByRole("button", { name: "Edit limits" }));
    const form = screen.getByRole("form", { name: "Edit limits" });
    await userEvent.click(within(form).getByRole("button", { name: "Add limit" }));
    await userEvent.type(within(form).getByLabelText("Tokens per minute of limit 2"), "1000");
    await userEvent.click(within(form).getByRole("button", { name: "Save limits" }));
    await vi.waitFor(() => expect(calls.some((c) => c.key.endsWith("endpoints/set-tag"))).toBe(true));
    const sent = calls.find((c) => c.key.endsWith("endpoints/set-tag"))!.body as { key: string; value: string };
    expect(sent.key).toBe("ardea.limits");
    expect(JSON.parse(sent.value)).toEqual([
      { scope: "key", requests_per_minute: 60 },
      { scope: "endpoint", tokens_per_minute: 1000 },
    ]);
  });
});
