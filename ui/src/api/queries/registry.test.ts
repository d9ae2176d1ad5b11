import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeFetch } from "@ardea/test/render";
import { ApiError } from "../client";
import { apiSend, filterLiteral, modelsFilter } from "./registry";

afterEach(() => vi.unstubAllGlobals());

describe("registry filters", () => {
  it("quotes literals with the quote kind the value lacks", () => {
    expect(filterLiteral("a")).toBe("'a'");
    expect(filterLiteral("it's")).toBe(`"it's"`);
    expect(filterLiteral(`'"`)).toBeNull();
  });

  it("searches names and scopes prompts", () => {
    expect(modelsFilter("", false)).toBe("");
    expect(modelsFilter(" bert ", false)).toBe("name ILIKE '%bert%'");
    expect(modelsFilter("", true)).toBe("tags.`mlflow.prompt.is_prompt` = 'true'");
    expect(modelsFilter("qa", true)).toBe("name ILIKE '%qa%' AND tags.`mlflow.prompt.is_prompt` = 'true'");
  });
});

describe("apiSend", () => {
  it("sends a JSON body and throws the server's error unchanged", async () => {
    const calls = fakeFetch({
      "PATCH /ajax-api/2.0/mlflow/registered-models/update": () => ({ json: { registered_model: {} } }),
      "DELETE /ajax-api/2.0/mlflow/registered-models/alias": () => ({
        status: 400,
        json: { error_code: "INVALID_PARAMETER_VALUE", message: "Invalid alias name: 'a b'." },
      }),
    });
    await apiSend("PATCH", "/2.0/mlflow/registered-models/update", { name: "m", description: "d" });
    expect(calls[0]).toEqual({ key: "PATCH /ajax-api/2.0/mlflow/registered-models/update", body: { name: "m", description: "d" } });
    const err = await apiSend("DELETE", "/2.0/mlflow/registered-models/alias", { name: "m", alias: "a b" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: "INVALID_PARAMETER_VALUE", message: "Invalid alias name: 'a b'." });
  });
});
