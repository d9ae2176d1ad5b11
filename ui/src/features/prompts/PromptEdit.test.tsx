import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, renderAt } from "@ardea/test/render";
import PromptPage from "./PromptPage";
import PromptsPage from "./PromptsPage";

afterEach(() => vi.unstubAllGlobals());

type Tag = { key: string; value: string };
const version = (v: string, tags: Tag[], description = `commit ${v}`) => ({ name: "qa", version: v, description, tags });
const textTags = (text: string): Tag[] => [
  { key: "mlflow.prompt.is_prompt", value: "true" },
  { key: "mlflow.prompt.text", value: text },
  { key: "_mlflow_prompt_type", value: "text" },
];

/** A fake server holding prompt "qa" (its versions grow with each create) and its aliases. */
function server(first: Tag[]) {
  const versions = [version("1", first)];
  const aliases: { alias: string; version: string }[] = [{ alias: "prod", version: "1" }];
  const calls = fakeFetch({
    "GET /ajax-api/2.0/mlflow/registered-models/get": () => ({ json: { registered_model: { name: "qa", aliases } } }),
    "GET /ajax-api/2.0/mlflow/model-versions/search": () => ({ json: { model_versions: [...versions].reverse() } }),
    "POST /ajax-api/2.0/mlflow/model-versions/create": (body) => {
      const b = body as { description?: string; tags: Tag[] };
      const created = version(String(versions.length + 1), b.tags, b.description);
      versions.push(created);
      return { json: { model_version: created } };
    },
    "POST /ajax-api/2.0/mlflow/registered-models/alias": (body) => {
      const b = body as { alias: string; version: string };
      if (b.alias.includes(" ")) return { status: 400, json: { error_code: "INVALID_PARAMETER_VALUE", message: `Invalid alias name: '${b.alias}'.` } };
      aliases.push({ alias: b.alias, version: b.version });
      return { json: {} };
    },
    "DELETE /ajax-api/2.0/mlflow/registered-models/alias": (body) => {
      const i = aliases.findIndex((a) => a.alias === (body as { alias: string }).alias);
      aliases.splice(i, 1);
      return { json: {} };
    },
    "POST /ajax-api/2.0/mlflow/experiments/search": () => ({ json: { experiments: [] } }),
  });
  return calls;
}

describe("editing prompts", () => {
  it("saves a new text version from the shown one and selects it", async () => {
    const calls = server(textTags("Answer {{ question }}"));
    renderAt(<PromptPage />, "/prompts/:name", "/prompts/qa");
    await screen.findByTestId("prompt-template");
    fireEvent.click(screen.getByRole("button", { name: "New version" }));
    const box = screen.getByRole("textbox", { name: "Template" });
    expect(box).toHaveValue("Answer {{ question }}");
    fireEvent.change(box, { target: { value: "Answer {{ question }} using {{ context }}" } });
    const vars = screen.getByTestId("editor-variables");
    expect([...vars.querySelectorAll("[data-variable]")].map((v) => v.textContent)).toEqual(["question", "context"]);
    fireEvent.change(screen.getByRole("textbox", { name: "Commit message" }), { target: { value: "add context" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    const selected = await screen.findByRole("button", { name: "v2", pressed: true });
    expect(selected).toBeInTheDocument();
    expect(await screen.findByRole("heading", { name: "Template of v2" })).toBeInTheDocument();
    expect(screen.queryByRole("textbox", { name: "Template" })).toBeNull();
    const create = calls.find((c) => c.key.endsWith("/model-versions/create"))!;
    expect(create.body).toEqual({
      name: "qa",
      source: "dummy-source",
      description: "add context",
      tags: textTags("Answer {{ question }} using {{ context }}"),
    });
  });

  it("edits chat messages: role, content, add and remove", async () => {
    const chat = [{ role: "system", content: "Be {{ tone }}" }];
    const calls = server([
      { key: "mlflow.prompt.is_prompt", value: "true" },
      { key: "mlflow.prompt.text", value: JSON.stringify(chat) },
      { key: "_mlflow_prompt_type", value: "chat" },
    ]);
    renderAt(<PromptPage />, "/prompts/:name", "/prompts/qa");
    await screen.findByTestId("prompt-template");
    fireEvent.click(screen.getByRole("button", { name: "New version" }));
    expect(screen.getByRole("textbox", { name: "Content of message 1" })).toHaveValue("Be {{ tone }}");
    fireEvent.click(screen.getByRole("button", { name: "Add message" }));
    fireEvent.change(screen.getByRole("textbox", { name: "Content of message 2" }), { target: { value: "{{ q }}" } });
    fireEvent.click(screen.getByRole("button", { name: "Add message" }));
    fireEvent.change(screen.getByRole("combobox", { name: "Role of message 3" }), { target: { value: "assistant" } });
    fireEvent.click(screen.getByRole("button", { name: "Remove message 3" }));
    fireEvent.change(screen.getByRole("combobox", { name: "Role of message 1" }), { target: { value: "user" } });
    expect(screen.getByTestId("editor-variables")).toHaveTextContent("tone, q");
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByRole("button", { name: "v2", pressed: true });
    const tags = (calls.find((c) => c.key.endsWith("/model-versions/create"))!.body as { tags: Tag[] }).tags;
    expect(tags.find((t) => t.key === "_mlflow_prompt_type")!.value).toBe("chat");
    expect(JSON.parse(tags.find((t) => t.key === "mlflow.prompt.text")!.value)).toEqual([
      { role: "user", content: "Be {{ tone }}" },
      { role: "user", content: "{{ q }}" },
    ]);
  });

  it("sets and deletes aliases per version and shows the server's error", async () => {
    const calls = server(textTags("x"));
    renderAt(<PromptPage />, "/prompts/:name", "/prompts/qa");
    const table = await screen.findByRole("table", { name: "Prompt versions" });
    await within(table).findByText("@prod");
    const input = within(table).getByRole("textbox", { name: "Alias for v1" });
    fireEvent.change(input, { target: { value: "bad alias!" } });
    fireEvent.click(within(table).getByRole("button", { name: "Set" }));
    expect(await within(table).findByRole("alert")).toHaveTextContent("Invalid alias name: 'bad alias!'.");
    fireEvent.change(input, { target: { value: "staging" } });
    fireEvent.click(within(table).getByRole("button", { name: "Set" }));
    expect(await within(table).findByText("@staging")).toBeInTheDocument();
    expect(within(table).queryByRole("alert")).toBeNull();
    fireEvent.click(within(table).getByRole("button", { name: "Delete alias prod" }));
    await vi.waitFor(() => expect(within(table).queryByText("@prod")).toBeNull());
    expect(calls.find((c) => c.key.startsWith("DELETE"))!.body).toEqual({ name: "qa", alias: "prod" });
    expect(calls.filter((c) => c.key.startsWith("POST") && c.key.endsWith("/alias")).map((c) => c.body)).toEqual([
      { name: "qa", alias: "bad alias!", version: "1" },
      { name: "qa", alias: "staging", version: "1" },
    ]);
  });

  it("creates a new prompt: the tagged model first, then version 1", async () => {
    const calls = fakeFetch({
      "GET /ajax-api/2.0/mlflow/registered-models/search": () => ({ json: {} }),
      "POST /ajax-api/2.0/mlflow/registered-models/create": () => ({ json: { registered_model: { name: "fresh" } } }),
      "POST /ajax-api/2.0/mlflow/model-versions/create": () => ({ json: { model_version: { name: "fresh", version: "1" } } }),
    });
    renderAt(<PromptsPage />, "/prompts", "/prompts");
    fireEvent.click(screen.getByRole("button", { name: "New prompt" }));
    expect(screen.getByRole("button", { name: "Save" })).toBeDisabled();
    fireEvent.change(screen.getByRole("textbox", { name: "Prompt name" }), { target: { value: "fresh" } });
    fireEvent.change(screen.getByRole("textbox", { name: "Template" }), { target: { value: "Hi {{ who }}" } });
    fireEvent.change(screen.getByRole("textbox", { name: "Commit message" }), { target: { value: "first" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(calls.some((c) => c.key.endsWith("/model-versions/create"))).toBe(true));
    const posts = calls.filter((c) => c.key.startsWith("POST")).map((c) => c.key);
    expect(posts).toEqual(["POST /ajax-api/2.0/mlflow/registered-models/create", "POST /ajax-api/2.0/mlflow/model-versions/create"]);
    expect(calls.find((c) => c.key.endsWith("/registered-models/create"))!.body).toEqual({ name: "fresh", description: "first", tags: [{ key: "mlflow.prompt.is_prompt", value: "true" }] });
  });
});
